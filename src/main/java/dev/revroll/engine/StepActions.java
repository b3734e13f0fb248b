package dev.revroll.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.GateResult;
import dev.revroll.plan.Plan;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.GitOpsRepository;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What each {@link ActionKind} does and undoes. Every method reads the current state first and does nothing when it
 * already holds, so running an action twice (resume) ends where running it once does.
 */
final class StepActions {

    static final String PREVIOUS_LABELS = "revroll.dev/previous-labels";
    static final String BREAK_GLASS = GitOpsRepository.BREAK_GLASS_ANNOTATION;

    private final RunContext ctx;
    private final WorkloadRestarts restarts;
    private final ProxySyncGate proxySync;

    StepActions(RunContext ctx) {
        this.ctx = ctx;
        this.restarts = new WorkloadRestarts(ctx);
        this.proxySync = new ProxySyncGate(ctx.gateway());
    }

    private StepRecord step(String id) {
        return ctx.journal().read(r -> r.step(id).orElseThrow());
    }

    void apply(ActionKind kind, String stepId) {
        switch (kind) {
            case JOURNAL_INTENT -> intent(stepId);
            case GIT_COMMIT -> gitCommit(stepId);
            case RELABEL -> relabel(stepId);
            case RESTART -> restart(stepId);
            case WAIT_ROLLOUTS -> {
                restarts.waitRollouts(stepId);
                restarts.restoreSurge(stepId);
            }
            case PROXY_SYNC -> proxySync(stepId);
            case METRIC_GATES -> metricGates(stepId);
            case JOURNAL_DONE -> { }
        }
    }

    /** Undo; {@code withGit} false: break-glass (the cluster is undone, Git is left for {@code revroll reconcile}). */
    void undo(ActionKind kind, String stepId, boolean withGit) {
        switch (kind) {
            case GIT_COMMIT -> {
                if (withGit) {
                    gitRevert(stepId);
                } else {
                    breakGlass(stepId);
                }
            }
            case RELABEL -> {
                restoreLabels(stepId);
                moveBack(stepId);
            }
            case RESTART -> restarts.restoreSurge(stepId);
            default -> { }
        }
    }

    // ---- journal intent: fix the step's restartedAt, its previous labels and the workloads it restarts

    private void intent(String stepId) {
        StepRecord s = step(stepId);
        NamespaceState ns = ctx.gateway().namespace(s.namespace)
                .orElseThrow(() -> new StepFailure("namespace " + s.namespace + " no longer exists"));
        Map<String, String> previous = s.previousLabels != null ? s.previousLabels : previousLabelsOf(ns);
        List<String> workloads;
        if (s.workloads.isEmpty()) {
            Map<String, String> after = InjectionTable.relabelled(previous == null ? ns.labels() : restoredLabels(ns.labels(), previous), ctx.target().label());
            workloads = WorkloadPlan.classify(ctx.gateway().workloads(s.namespace, new HashSet<>(ctx.plan().spec().restart().kinds())),
                            after, ctx.injection(), ctx.target()).stream()
                    .filter(WorkloadPlan::moves).map(WorkloadPlan::key).toList();
        } else {
            workloads = s.workloads;
        }
        Optional<String> fromRev = Optional.ofNullable(s.fromRevision)
                .or(() -> ctx.injection().revisionOf(restoredLabels(ns.labels(), previous)));
        String now = ctx.journal().now();
        ctx.journal().update(r -> {
            StepRecord rs = r.step(stepId).orElseThrow();
            rs.previousLabels = previous;
            rs.workloads = new ArrayList<>(workloads);
            rs.fromRevision = fromRev.orElse(null);
            if (rs.restartedAt == null) {
                rs.restartedAt = now;
            }
        });
    }

    /** The labels before the step: the namespace's own, unless revroll already relabelled it (then its annotation). */
    private Map<String, String> previousLabelsOf(NamespaceState ns) {
        boolean relabelled = ctx.target().label().equals(ns.labels().get(InjectionTable.REV_LABEL))
                && ns.annotations().containsKey(PREVIOUS_LABELS);
        if (relabelled) {
            return parseLabels(ns.annotations().get(PREVIOUS_LABELS));
        }
        return InjectionTable.injectionLabels(ns.labels());
    }

    static Map<String, String> parseLabels(String json) {
        try {
            return RunJournal.JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (Exception e) {
            throw new StepFailure("annotation " + PREVIOUS_LABELS + " is not a JSON object: " + json);
        }
    }

    static Map<String, String> restoredLabels(Map<String, String> labels, Map<String, String> previous) {
        Map<String, String> m = new HashMap<>(labels);
        previous.forEach((k, v) -> {
            if (v == null) {
                m.remove(k);
            } else {
                m.put(k, v);
            }
        });
        return m;
    }

    // ---- git

    private GitOpsRepository.StepChange change(StepRecord s) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(InjectionTable.REV_LABEL, ctx.target().label());
        labels.put(InjectionTable.INJECTION_LABEL, null);
        return new GitOpsRepository.StepChange(ctx.plan().name(), ctx.runId(), s.id, s.namespace, ctx.target().label(), labels);
    }

    private void gitCommit(String stepId) {
        StepRecord s = step(stepId);
        if (s.gitCommit != null) {
            return;
        }
        String id;
        synchronized (ctx.git()) { // parallel steps share one clone and one remote branch: one commit + push at a time
            id = ctx.git().commit(change(s));
        }
        ctx.journal().update(r -> r.step(stepId).orElseThrow().gitCommit = id);
    }

    private void gitRevert(String stepId) {
        StepRecord s = step(stepId);
        if (s.gitCommit == null || s.gitRevert != null) {
            return;
        }
        String id;
        synchronized (ctx.git()) {
            id = ctx.git().revert(change(s), s.gitCommit);
        }
        ctx.journal().update(r -> r.step(stepId).orElseThrow().gitRevert = id);
    }

    private void breakGlass(String stepId) {
        StepRecord s = step(stepId);
        if (s.gitCommit == null || s.gitRevert != null) {
            return;
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("run", ctx.runId());
        record.put("step", s.id);
        record.put("commit", s.gitCommit);
        record.put("at", ctx.journal().now());
        String json;
        try {
            json = RunJournal.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(record);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> ann = new HashMap<>();
        ann.put(BREAK_GLASS, json);
        ctx.gateway().patchNamespace(s.namespace, Map.of(), ann, false);
        ctx.journal().update(r -> r.step(stepId).orElseThrow().breakGlass = json);
    }

    // ---- relabel

    private void relabel(String stepId) {
        StepRecord s = step(stepId);
        NamespaceState ns = ctx.gateway().namespace(s.namespace)
                .orElseThrow(() -> new StepFailure("namespace " + s.namespace + " no longer exists"));
        boolean holds = ctx.target().label().equals(ns.labels().get(InjectionTable.REV_LABEL))
                && !ns.labels().containsKey(InjectionTable.INJECTION_LABEL) && ns.annotations().containsKey(PREVIOUS_LABELS);
        if (holds) {
            return;
        }
        ctx.gateway().patchNamespace(s.namespace, relabelLabels(ctx.target().label()), previousAnnotation(s.previousLabels), false);
    }

    static Map<String, String> relabelLabels(String label) {
        Map<String, String> labels = new HashMap<>();
        labels.put(InjectionTable.REV_LABEL, label);
        labels.put(InjectionTable.INJECTION_LABEL, null);
        return labels;
    }

    static Map<String, String> previousAnnotation(Map<String, String> previous) {
        try {
            return Map.of(PREVIOUS_LABELS, RunJournal.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(previous));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void restoreLabels(String stepId) {
        StepRecord s = step(stepId);
        NamespaceState ns = ctx.gateway().namespace(s.namespace)
                .orElseThrow(() -> new StepFailure("namespace " + s.namespace + " no longer exists; nothing to restore"));
        Map<String, String> previous = s.previousLabels;
        if (previous == null && ns.annotations().containsKey(PREVIOUS_LABELS)) {
            previous = parseLabels(ns.annotations().get(PREVIOUS_LABELS));
        }
        if (previous == null) {
            throw new StepFailure("the labels of " + s.namespace + " before the step are unknown (no journal record, no "
                    + PREVIOUS_LABELS + " annotation)");
        }
        Map<String, String> labels = new HashMap<>(previous);
        Map<String, String> ann = new HashMap<>();
        ann.put(PREVIOUS_LABELS, null);
        boolean holds = InjectionTable.injectionLabels(ns.labels()).equals(InjectionTable.injectionLabels(restoredLabels(ns.labels(), previous)))
                && !ns.annotations().containsKey(PREVIOUS_LABELS);
        if (!holds) {
            ctx.gateway().patchNamespace(s.namespace, labels, ann, false);
        }
    }

    /** After the labels are back: restart what runs on the target revision, wait, and verify the pods are back. */
    private void moveBack(String stepId) {
        StepRecord s0 = step(stepId);
        if (s0.rollbackRestartedAt == null) {
            String now = ctx.journal().now();
            ctx.journal().update(r -> r.step(stepId).orElseThrow().rollbackRestartedAt = now);
        }
        StepRecord s = step(stepId);
        String targetRev = ctx.target().revision();
        restarts.enforceSurge(stepId);
        restarts.restart(stepId, s.rollbackRestartedAt, w -> {
            boolean forwardRestarted = s.restartedAt != null && s.restartedAt.equals(w.podTemplateAnnotations().get(WorkloadRestarts.RESTARTED_AT));
            boolean onTarget = restarts.podsOf(w.ref()).stream().anyMatch(p -> ProxySyncGate.podRevision(p).filter(targetRev::equals).isPresent());
            return forwardRestarted || onTarget;
        });
        restarts.waitRollouts(stepId);
        restarts.restoreSurge(stepId);
        Predicate<PodState> inScope = inScope(s);
        Duration timeout = ctx.plan().spec().restart().timeout();
        List<String> wrong = ctx.polling().until("verify-" + s.namespace, timeout, () -> podsOffOldRevision(s, inScope), List::isEmpty);
        if (!wrong.isEmpty()) {
            throw new StepFailure("pods of " + s.namespace + " are not back on revision "
                    + Optional.ofNullable(s.fromRevision).orElse("(old)") + ": " + String.join("; ", wrong));
        }
    }

    private List<String> podsOffOldRevision(StepRecord s, Predicate<PodState> inScope) {
        List<String> wrong = new ArrayList<>();
        for (PodState p : ctx.gateway().pods(s.namespace)) {
            if (p.deleting() || !inScope.test(p)) {
                continue;
            }
            Optional<String> rev = ProxySyncGate.podRevision(p);
            boolean ok = s.fromRevision != null ? rev.filter(s.fromRevision::equals).isPresent()
                    : rev.filter(ctx.target().revision()::equals).isEmpty();
            if (!ok) {
                wrong.add(p.name() + " on " + rev.orElse("no sidecar"));
            }
        }
        return wrong;
    }

    private Predicate<PodState> inScope(StepRecord s) {
        Set<String> keys = new HashSet<>(s.workloads);
        return p -> p.owner().filter(o -> keys.contains(o.kind() + "/" + o.name())).isPresent();
    }

    // ---- restart

    private void restart(String stepId) {
        restarts.enforceSurge(stepId);
        StepRecord s = step(stepId);
        List<String> restarted = restarts.restart(stepId, s.restartedAt, w -> true);
        ctx.emit(RunEvent.Type.WAITING, stepId, ActionKind.RESTART.id(), restarted.isEmpty()
                ? "no workload needed a restart (already restarted with " + s.restartedAt + ")"
                : "restarted " + String.join(", ", restarted), Map.of("restarted", restarted, "restartedAt", s.restartedAt));
    }

    // ---- gates

    private void proxySync(String stepId) {
        Plan.ProxySyncGateSpec spec = ctx.plan().spec().gates().proxySync();
        if (!spec.enabled()) {
            return;
        }
        StepRecord s = step(stepId);
        Predicate<PodState> scope = inScope(s);
        ProxySyncGate.Report report = ctx.polling().until("proxy-sync-" + s.namespace, spec.timeout(), () -> {
            ProxySyncGate.Report r = proxySync.check(ctx.controlPlaneNamespace(), s.namespace, ctx.target().revision(), scope);
            if (!r.synced()) {
                ctx.emit(RunEvent.Type.WAITING, stepId, ActionKind.PROXY_SYNC.id(), r.summary());
            }
            return r;
        }, ProxySyncGate.Report::synced);
        record(stepId, new GateEvaluation("proxy-sync", ctx.clock().instant(), "/debug/syncz of istiod " + ctx.target().revision(),
                java.util.OptionalDouble.of(report.pods()), report.synced() ? GateOutcome.PASS : GateOutcome.FAIL, report.summary()));
        if (!report.synced()) {
            throw new StepFailure("proxy-sync gate: not SYNCED on " + ctx.target().revision() + " within " + Polling.human(spec.timeout()) + ": " + report.summary());
        }
    }

    private void metricGates(String stepId) {
        List<Plan.MetricGateSpec> specs = ctx.plan().spec().gates().metrics();
        if (specs.isEmpty()) {
            return;
        }
        StepRecord s = step(stepId);
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("namespace", s.namespace);
        vars.put("revision", ctx.target().revision());
        vars.put("fromRevision", Optional.ofNullable(s.fromRevision).orElse(ctx.plan().spec().revision().from().orElse("")));
        vars.put("wave", s.wave);
        vars.put("plan", ctx.plan().name());
        Duration bake = ctx.plan().spec().bake();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(specs.size());
        List<String> failed = new ArrayList<>();
        try {
            List<CompletableFuture<GateResult>> running = specs.stream().map(spec -> CompletableFuture.supplyAsync(
                    () -> ctx.gates().run(spec, vars, bake, e -> record(stepId, e)), pool)).toList();
            for (CompletableFuture<GateResult> f : running) {
                GateResult r = f.join();
                if (r.outcome() != GateOutcome.PASS) {
                    failed.add(r.summary());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (!failed.isEmpty()) {
            throw new StepFailure(String.join("; ", failed));
        }
    }

    private void record(String stepId, GateEvaluation e) {
        GateRecord g = new GateRecord();
        g.gate = e.gate();
        g.at = e.at().toString();
        g.query = e.query();
        g.value = e.value().isPresent() ? e.value().getAsDouble() : null;
        g.outcome = e.outcome().name();
        g.detail = e.detail();
        ctx.journal().update(r -> r.step(stepId).orElseThrow().gates.add(g));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("gate", e.gate());
        data.put("query", e.query());
        data.put("value", g.value);
        data.put("outcome", g.outcome);
        if (!e.gate().equals("proxy-sync")) {
            Optional<Plan.MetricGateSpec> spec = ctx.plan().spec().gates().metrics().stream().filter(m -> m.name().equals(e.gate())).findFirst();
            spec.ifPresent(sp -> data.put("next", e.at().plus(sp.interval()).toString()));
        }
        ctx.emit(RunEvent.Type.GATE_EVALUATION, stepId, e.gate(), e.gate() + " " + g.outcome
                + (g.value == null ? "" : " value=" + g.value) + (e.detail() == null || e.detail().isEmpty() ? "" : " (" + e.detail() + ")"), data);
    }
}
