package dev.revroll.engine;

import dev.revroll.engine.RolloutLayout.NamespaceTarget;
import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.step.Action;
import dev.revroll.engine.step.NamespaceStep;
import dev.revroll.engine.step.StepPreview;
import dev.revroll.engine.step.StepScope;
import dev.revroll.errors.PreflightException;
import dev.revroll.errors.UsageException;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.JournalStore;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.MetricsProvider;
import dev.revroll.ports.RunLock;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's entry points: survey (preview), run, resume, rollback, status. Sees only ports.
 */
public final class RolloutEngine {

    /** The ports and settings one engine works with. */
    public record Ports(
            KubernetesGateway gateway,
            JournalStore journal,
            RunLock lock,
            GitOpsRepository git,
            Optional<MetricsProvider> metrics,
            MetricGates gates,
            RunWindow window,
            Clock clock,
            Duration pollInterval,
            Duration lockTtl) {
    }

    private final Ports ports;

    public RolloutEngine(Ports ports) {
        this.ports = ports;
    }

    public Survey survey(Plan plan) {
        return new Preflight(ports.gateway(), ports.metrics(), ports.git()).survey(plan);
    }

    /**
     * Everything {@code run} would do, computed by the same code: the run's record is built as {@code run} builds it,
     * kept in a scratch journal, and every step's actions are previewed in order, so each write {@code run} would make
     * is sent as server-side dry run. Writes nothing.
     */
    public Preview preview(Plan plan) {
        Survey survey = survey(plan);
        Map<String, StepPreview> steps = new LinkedHashMap<>();
        Duration estimate = Duration.ZERO;
        Duration upper = Duration.ZERO;
        if (survey.target().isPresent() && survey.layout().isPresent()) {
            RevisionTarget target = survey.target().get();
            RunRecord record = newRecord(plan, "preview", "preview", survey);
            RunContext ctx = context(plan, target, RunJournal.scratch(ports.clock(), record), NO_LOCK, RunListener.NONE, false);
            List<Action> actions = NamespaceStep.actions(plan);
            for (RolloutLayout.WaveLayout wave : survey.layout().get().waves()) {
                Duration waveEstimate = Duration.ZERO;
                for (NamespaceTarget t : wave.targets()) {
                    StepPreview p = new StepPreview();
                    StepScope scope = StepScope.preview(ctx, t.stepId(), p);
                    for (Action action : actions) {
                        try {
                            action.preview(scope.acting(action.id()));
                        } catch (RuntimeException e) {
                            p.problem(action.id() + ": " + Rollout.message(e));
                        }
                    }
                    steps.put(t.name(), p);
                    int maxReplicas = survey.workloadsOf(t.name()).stream().filter(WorkloadPlan::moves)
                            .mapToInt(w -> w.workload().replicas()).max().orElse(0);
                    Duration step = Duration.ofSeconds(15L * Math.max(1, maxReplicas)).plus(Duration.ofSeconds(10)).plus(plan.spec().bake());
                    waveEstimate = waveEstimate.plus(step);
                    upper = upper.plus(plan.spec().restart().timeout()).plus(plan.spec().gates().proxySync().timeout()).plus(plan.spec().bake());
                }
                estimate = estimate.plus(waveEstimate.dividedBy(Math.max(1, Math.min(wave.parallel(), Math.max(1, wave.targets().size())))));
            }
        }
        return new Preview(survey, steps, estimate, upper);
    }

    /** Preview takes no lock: it writes nothing. */
    private static final RunLock.Handle NO_LOCK = new RunLock.Handle() {
        @Override
        public void renew() {
        }

        @Override
        public void close() {
        }
    };

    /** The run's record before its first action: one step per namespace target, with the workloads it restarts. */
    private RunRecord newRecord(Plan plan, String runId, String planHash, Survey survey) {
        RevisionTarget target = survey.target().orElseThrow();
        RolloutLayout layout = survey.layout().orElseThrow();
        RunRecord r = RunRecord.of(runId, plan.name(), planHash, plan.source() == null ? null : plan.source().toAbsolutePath().toString(),
                survey.context(), plan.spec().controlPlane().namespace(), plan.spec().revision().from().orElse(null),
                target.label(), target.revision());
        r.addWarnings(survey.warnings());
        r.addSkipped(layout.allSkips().stream().map(RolloutLayout.Skip::toString).toList());
        for (NamespaceTarget t : layout.allTargets()) {
            r.addStep(StepRecord.of(t.stepId(), t.wave(), t.waveIndex(), t.name(), t.currentRevision().orElse(null),
                    survey.workloadsOf(t.name()).stream().filter(WorkloadPlan::moves).map(WorkloadPlan::key).toList()));
        }
        return r;
    }

    /** Preflight, then every step. Throws {@link PreflightException} (nothing touched) or a lock refusal. */
    public RunOutcome run(Plan plan, String planHash, RunListener listener) {
        Survey survey = survey(plan);
        survey.warnings().forEach(w -> listener.on(new RunEvent(RunEvent.Type.PREFLIGHT_WARNING, ports.clock().instant(), null, null, null, w, Map.of())));
        if (!survey.refusals().isEmpty()) {
            throw new PreflightException(survey.refusals());
        }
        RevisionTarget target = survey.target().orElseThrow();
        String runId = newRunId(plan);
        try (RunLock.Handle lock = LockKeeper.keep(ports.lock().acquire(runId, ports.lockTtl()), ports.lockTtl())) {
            RunRecord r = newRecord(plan, runId, planHash, survey);
            RunJournal journal = RunJournal.create(ports.journal(), ports.clock(), r);
            RunContext ctx = context(plan, target, journal, lock, listener, true);
            ctx.emit(RunEvent.Type.RUN_STARTED, null, null, "run " + runId + ": plan " + plan.name() + " to " + target.describe()
                    + " on context " + survey.context() + ", " + r.steps().size() + " step(s)", Map.of("plan", plan.name(), "steps", r.steps().size()));
            return new Rollout(ctx).execute();
        }
    }

    /**
     * {@code kubernetesEvents}: the run's events also become Kubernetes Events on the steps' namespaces
     * ({@link KubernetesEvents}); never in preview, which writes nothing.
     */
    private RunContext context(Plan plan, RevisionTarget target, RunJournal journal, RunLock.Handle lock, RunListener listener,
                               boolean kubernetesEvents) {
        InjectionTable injection = new InjectionTable(ports.gateway().injectorWebhooks());
        RunListener events = kubernetesEvents ? new KubernetesEvents(listener, ports.gateway(), journal, target) : listener;
        return new RunContext(plan, target, injection, ports.gateway(), ports.git(), ports.gates(), journal, lock, events,
                new Polling(ports.pollInterval(), ports.clock()), ports.clock(), ports.window());
    }

    /** Continues an interrupted or paused run from its journal. */
    public RunOutcome resume(Plan plan, String runId, RunListener listener) {
        try (RunLock.Handle lock = LockKeeper.keep(ports.lock().acquire(runId, ports.lockTtl()), ports.lockTtl())) {
            RunJournal journal = RunJournal.open(ports.journal(), ports.clock(), runId);
            RunRecord r = journal.record();
            if (r.state().finished()) {
                throw new UsageException("run " + runId + " is " + r.state() + "; nothing to resume (start a new run)");
            }
            boolean undoing = r.steps().stream().anyMatch(s -> s.state().undoing());
            if (r.state() == RunState.ROLLBACK_INCOMPLETE || undoing) {
                throw new UsageException("run " + runId + " was being rolled back; finish that with 'revroll rollback "
                        + runId + "' (resume only goes forward)");
            }
            RevisionTarget target = target(r);
            RunContext ctx = context(plan, target, journal, lock, listener, true);
            ctx.emit(RunEvent.Type.RUN_STARTED, null, null, "resuming run " + runId + " (" + r.state() + ")", Map.of("plan", r.planName()));
            return new Rollout(ctx).execute();
        }
    }

    /** Undoes a run's steps newest first (all, or those after {@code keep}); without Git when {@code breakGlass}. */
    public RunOutcome rollback(Plan plan, String runId, Optional<String> keep, boolean breakGlass, RunListener listener) {
        try (RunLock.Handle lock = LockKeeper.keep(ports.lock().acquire(runId, ports.lockTtl()), ports.lockTtl())) {
            RunJournal journal = RunJournal.open(ports.journal(), ports.clock(), runId);
            RunContext ctx = context(plan, target(journal.record()), journal, lock, listener, true);
            return new Rollout(ctx).rollback(keep, !breakGlass);
        }
    }

    private static RevisionTarget target(RunRecord r) {
        String label = r.toLabel();
        String revision = r.toRevision();
        return new RevisionTarget(label, revision, label.equals(revision) ? Optional.empty() : Optional.of(label),
                label.equals(revision) ? "istio-sidecar-injector-" + revision : "istio-revision-tag-" + label);
    }

    /** A run's document, or the latest run's when {@code runId} is empty. */
    public static Optional<RunRecord> status(JournalStore store, Optional<String> runId) {
        if (runId.isPresent()) {
            return store.read(runId.get()).map(e -> ClusterRecords.journal(e.document()));
        }
        List<JournalStore.Entry> all = store.list(Optional.empty());
        return all.isEmpty() ? Optional.empty() : Optional.of(ClusterRecords.journal(all.get(0).document()));
    }

    private String newRunId(Plan plan) {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(ports.clock().instant());
        String name = plan.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        if (name.length() > 40) {
            name = name.substring(0, 40);
        }
        return name + "-" + stamp;
    }
}
