package dev.revroll.engine.step;

import dev.revroll.engine.Failpoints;
import dev.revroll.engine.Polling;
import dev.revroll.engine.RunContext;
import dev.revroll.engine.RunEvent;
import dev.revroll.engine.StepFailure;
import dev.revroll.engine.journal.RunRecord.GateVerdict;
import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.Numbers;
import dev.revroll.plan.Condition;
import dev.revroll.plan.Plan;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.ClusterEvent;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.KubernetesGateway;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What an action of one step works with: the run (plan, target, ports, journal), the step's record, which way its
 * pods go ({@link Toward}), and whether its writes are made or only shown ({@link #preview()}). Every write goes
 * through {@link #send}: in a run it is made; in preview it is sent as server-side dry run (Git: the diff) and kept
 * with the API server's answer in the {@link StepPreview}.
 */
public final class StepScope {

    /** Which way the step moves the namespace's pods: onto the target revision, or back onto the one they ran before. */
    public enum Toward { TARGET, PREVIOUS }

    private final RunContext run;
    private final String stepId;
    private final Toward toward;
    private final boolean withGit;
    private final StepPreview preview;
    private final Seen seen;
    private String action = "";

    private StepScope(RunContext run, String stepId, Toward toward, boolean withGit, StepPreview preview, Seen seen) {
        this.run = run;
        this.stepId = stepId;
        this.toward = toward;
        this.withGit = withGit;
        this.preview = preview;
        this.seen = seen;
    }

    /**
     * The step's namespace and workloads as the survey read them a moment before: a preview's actions read these instead
     * of asking the API server again for every step (the survey is the preview's "now").
     */
    public record Seen(NamespaceState namespace, List<Workload> workloads) {
    }

    /** The step going forward in a run. */
    public static StepScope forward(RunContext run, String stepId) {
        return new StepScope(run, stepId, Toward.TARGET, true, null, null);
    }

    /** The step being undone; {@code withGit} false is break-glass (the cluster is undone, Git is left for reconcile). */
    public static StepScope undo(RunContext run, String stepId, boolean withGit) {
        return new StepScope(run, stepId, Toward.PREVIOUS, withGit, null, null);
    }

    /**
     * The step in preview: dry-run writes, collected in {@code into}; the run's journal is a scratch one; the namespace
     * and workloads are those the survey saw.
     */
    public static StepScope preview(RunContext run, String stepId, StepPreview into, Seen seen) {
        return new StepScope(run, stepId, Toward.TARGET, true, into, java.util.Objects.requireNonNull(seen));
    }

    /** The action the next writes and events belong to (set by the runner). */
    public StepScope acting(String actionId) {
        this.action = actionId;
        return this;
    }

    public RunContext run() {
        return run;
    }

    public Plan plan() {
        return run.plan();
    }

    public KubernetesGateway cluster() {
        return run.gateway();
    }

    public Toward toward() {
        return toward;
    }

    public boolean withGit() {
        return withGit;
    }

    public boolean preview() {
        return preview != null;
    }

    public String stepId() {
        return stepId;
    }

    /** The step's record as it is now. */
    public StepRecord record() {
        return run.journal().read(r -> r.step(stepId).orElseThrow());
    }

    /** Changes the step's record and writes the journal (compare-and-swap). */
    public void update(Consumer<StepRecord> change) {
        run.journal().update(r -> change.accept(r.step(stepId).orElseThrow()));
    }

    public String now() {
        return run.journal().now();
    }

    public NamespaceRef namespaceRef() {
        return new NamespaceRef(record().namespace());
    }

    /** The step's namespace as the cluster has it now. */
    public NamespaceState namespace(String whenGone) {
        String ns = record().namespace();
        if (seen != null) {
            return seen.namespace();
        }
        return cluster().namespace(ns).orElseThrow(() -> new StepFailure("namespace " + ns + " no longer exists" + whenGone));
    }

    /** The workloads the step restarts, as the journal names them ({@code Kind/name}). */
    public List<WorkloadRef> workloads() {
        StepRecord s = record();
        return s.workloads().stream().map(key -> ref(s.namespace(), key)).toList();
    }

    /**
     * The step's workloads as the cluster has them now (those that still exist), in the journal's order: one list per
     * kind among them, not a read per workload (a fleet's steps each ask once per kind).
     */
    public List<Workload> workloadsNow() {
        List<WorkloadRef> refs = workloads();
        if (refs.isEmpty()) {
            return List.of();
        }
        java.util.Set<WorkloadKind> kinds = java.util.EnumSet.noneOf(WorkloadKind.class);
        refs.forEach(r -> kinds.add(r.kind()));
        Map<WorkloadRef, Workload> now = new java.util.HashMap<>();
        (seen != null ? seen.workloads() : cluster().workloads(record().namespace(), kinds)).forEach(w -> now.put(w.ref(), w));
        return refs.stream().map(now::get).filter(java.util.Objects::nonNull).toList();
    }

    public static WorkloadRef ref(String namespace, String key) {
        int slash = key.indexOf('/');
        return new WorkloadRef(WorkloadKind.valueOf(key.substring(0, slash)), namespace, key.substring(slash + 1));
    }

    /** The pods of one workload (ReplicaSets resolved to their Deployment). */
    public List<PodState> podsOf(WorkloadRef ref) {
        return cluster().pods(ref.namespace()).stream().filter(p -> p.owner().filter(ref::equals).isPresent()).toList();
    }

    /** Pods owned by one of the step's workloads. */
    public Predicate<PodState> inScope() {
        List<String> keys = record().workloads();
        return p -> p.owner().filter(o -> keys.contains(o.key())).isPresent();
    }

    /** Waits for {@code done} (or the timeout) through the run's one polling policy; returns the last probe. */
    public <T> T poll(String name, Duration timeout, Supplier<T> probe, Predicate<T> done) {
        return run.polling().until(name, timeout, probe, done);
    }

    /**
     * Like {@link #poll}, but looks again as soon as {@code view} reports a change (at the latest after the poll
     * interval) instead of backing off: for probes answered from a watch, which cost no request.
     */
    public <T> T pollOnChange(String name, Duration timeout, KubernetesGateway.WorkloadView view, Supplier<T> probe, Predicate<T> done) {
        return run.polling().untilChanged(name, timeout, probe, done, view::awaitChange);
    }

    public Duration restartTimeout() {
        return plan().spec().restart().timeout();
    }

    public static String human(Duration d) {
        return Polling.human(d);
    }

    public void emit(RunEvent.Type type, String message, Map<String, Object> data) {
        if (!preview()) {
            run.emit(type, stepId, action, message, data);
        }
    }

    public void emit(RunEvent.Type type, String message) {
        emit(type, message, Map.of());
    }

    /** Sends every write (see {@link #send(Write)}). */
    public void send(List<Write> writes) {
        writes.forEach(this::send);
    }

    /**
     * Makes the write; in preview sends it as dry run (Git: computes the diff) and keeps the answer. Returns the
     * commit id of a Git write in a run (empty without a Git record, and in preview).
     */
    public Optional<String> send(Write write) {
        if (preview != null) {
            dryRun(write);
            return Optional.empty();
        }
        if (write instanceof Write.Patch p) {
            cluster().patch(p.target(), p.patch(), false);
        } else if (write instanceof Write.Delete d) {
            cluster().delete(d.target(), false);
        } else if (write instanceof Write.Commit c) {
            // parallel steps share one clone and one branch: the record groups what they ask for at once into one push
            // (docs/git-record.md#steps-in-flight-share-a-push), so no lock here
            return Optional.ofNullable(run.git().commit(c.change()));
        } else if (write instanceof Write.Revert r) {
            return Optional.ofNullable(run.git().revert(r.change(), r.commit()));
        }
        return Optional.empty();
    }

    private void dryRun(Write write) {
        String refusal = null;
        try {
            if (write instanceof Write.Patch p) {
                cluster().patch(p.target(), p.patch(), true);
            } else if (write instanceof Write.Delete d) {
                cluster().delete(d.target(), true);
            } else if (write instanceof Write.Commit c) {
                String diff;
                try {
                    diff = run.git().previewDiff(c.change());
                } catch (RuntimeException e) {
                    diff = "(no diff: " + message(e) + ")";
                }
                preview.gitDiff(diff);
            }
        } catch (RuntimeException e) {
            refusal = message(e);
        }
        preview.wrote(action, write, refusal);
    }

    /**
     * A gate evaluation: in a run kept in the step's journal and shown as an event (with the next evaluation's time for
     * metric gates); in preview kept in the {@link StepPreview}.
     */
    public void evaluated(GateEvaluation e) {
        if (preview != null) {
            preview.gate(e);
            return;
        }
        GateRecord g = GateRecord.of(e);
        update(r -> r.addGate(g));
        // a test hook (docs/architecture.md#failpoints-a-test-hook): killed with an evaluation journaled
        Failpoints.reach("in:" + action);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("gate", e.gate());
        data.put("query", e.query());
        data.put("value", g.value());
        data.put("outcome", g.outcome().name());
        plan().spec().gates().metrics().stream().filter(m -> m.name().equals(e.gate())).findFirst()
                .ifPresent(spec -> data.put("next", e.at().plus(spec.interval()).toString()));
        // the event names the gate where other events name the action: pipelines follow one gate by it
        run.emit(RunEvent.Type.GATE_EVALUATION, stepId, e.gate(), e.gate() + " " + g.outcome() + (g.value() == null ? "" : " value=" + g.value())
                + (e.detail() == null || e.detail().isEmpty() ? "" : " (" + e.detail() + ")"), data);
    }

    /**
     * A gate's verdict for the step, after its last evaluation: kept in the step's journal, then shown as a
     * {@code GATE_RESULT} event naming the gate, with its outcome, summary, last value and, for a metric gate, the
     * condition it fails on. Nothing in preview.
     */
    public void verdict(String gate, GateOutcome outcome, String summary, OptionalDouble lastValue, Optional<Condition> failWhen) {
        if (preview != null) {
            return;
        }
        String at = now();
        update(s -> s.addVerdict(new GateVerdict(gate, outcome, summary, at)));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("gate", gate);
        data.put("outcome", outcome.name());
        data.put("summary", summary);
        if (lastValue.isPresent()) {
            data.put("value", lastValue.getAsDouble());
        }
        failWhen.ifPresent(c -> {
            data.put("failWhen", c.op().symbol() + " " + Numbers.show(c.threshold()));
            data.put("threshold", c.threshold());
        });
        run.emit(RunEvent.Type.GATE_RESULT, stepId, gate, summary, data);
    }

    /** "; FailedCreate on ReplicaSet/x: ... (is the injector webhook answering?)" for a rollout that stalled, or "". */
    public String eventsHint() {
        try {
            List<ClusterEvent> events = cluster().warningEvents(record().namespace(), Duration.ofMinutes(30)).stream()
                    .filter(e -> e.reason().equals("FailedCreate")).toList();
            if (events.isEmpty()) {
                return "";
            }
            ClusterEvent last = events.get(events.size() - 1);
            return "; FailedCreate on " + last.involvedKind() + "/" + last.involvedName() + ": " + last.message()
                    + " (is the injector webhook answering?)";
        } catch (RuntimeException e) {
            return "";
        }
    }

    public static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
