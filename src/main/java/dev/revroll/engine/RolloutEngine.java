package dev.revroll.engine;

import dev.revroll.engine.RolloutLayout.NamespaceTarget;
import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
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

    /** Everything {@code run} would do, with every write sent as server-side dry run; writes nothing. */
    public Preview preview(Plan plan) {
        Survey survey = survey(plan);
        Map<String, List<String>> admission = new java.util.LinkedHashMap<>();
        Map<String, List<dev.revroll.gates.GateEvaluation>> gates = new java.util.LinkedHashMap<>();
        Map<String, String> diffs = new java.util.LinkedHashMap<>();
        Duration estimate = Duration.ZERO;
        Duration upper = Duration.ZERO;
        if (survey.target().isPresent() && survey.layout().isPresent()) {
            RevisionTarget target = survey.target().get();
            for (RolloutLayout.WaveLayout wave : survey.layout().get().waves()) {
                Duration waveEstimate = Duration.ZERO;
                for (NamespaceTarget t : wave.targets()) {
                    List<String> errors = new java.util.ArrayList<>();
                    Map<String, String> previous = InjectionTable.injectionLabels(t.namespace().labels());
                    dryRun(errors, "relabel namespace " + t.name(), () -> ports.gateway().patchNamespace(t.name(),
                            StepActions.relabelLabels(target.label()), StepActions.previousAnnotation(previous), true));
                    int maxReplicas = 0;
                    for (WorkloadPlan w : survey.workloadsOf(t.name())) {
                        if (!w.moves()) {
                            continue;
                        }
                        maxReplicas = Math.max(maxReplicas, w.workload().replicas());
                        dryRun(errors, "restart " + w.key(), () -> ports.gateway().restart(w.workload().ref(), ports.clock().instant().toString(), true));
                        if (plan.spec().restart().surge() == dev.revroll.plan.SurgePolicy.ENFORCE && "RollingUpdate".equals(w.workload().strategyType())
                                && w.workload().ref().kind() != dev.revroll.plan.WorkloadKind.StatefulSet && !WorkloadPlan.makeBeforeBreak(w.workload())) {
                            dryRun(errors, "enforce maxUnavailable=0 maxSurge=1 on " + w.key(),
                                    () -> ports.gateway().patchRollingUpdate(w.workload().ref(), "0", "1", true));
                        }
                    }
                    admission.put(t.name(), errors);
                    Map<String, String> vars = Map.of("namespace", t.name(), "revision", target.revision(),
                            "fromRevision", t.currentRevision().orElse(plan.spec().revision().from().orElse("")),
                            "wave", t.wave(), "plan", plan.name());
                    gates.put(t.name(), plan.spec().gates().metrics().stream().map(g -> ports.gates().evaluateOnce(g, vars)).toList());
                    try {
                        Map<String, String> labels = new java.util.LinkedHashMap<>();
                        labels.put(InjectionTable.REV_LABEL, target.label());
                        labels.put(InjectionTable.INJECTION_LABEL, null);
                        diffs.put(t.name(), ports.git().previewDiff(new GitOpsRepository.StepChange(plan.name(), "preview", t.stepId(),
                                t.name(), target.label(), labels)));
                    } catch (RuntimeException e) {
                        diffs.put(t.name(), "(no diff: " + Rollout.message(e) + ")");
                    }
                    Duration step = Duration.ofSeconds(15L * Math.max(1, maxReplicas)).plus(Duration.ofSeconds(10)).plus(plan.spec().bake());
                    waveEstimate = waveEstimate.plus(step);
                    upper = upper.plus(plan.spec().restart().timeout()).plus(plan.spec().gates().proxySync().timeout()).plus(plan.spec().bake());
                }
                estimate = estimate.plus(waveEstimate.dividedBy(Math.max(1, Math.min(wave.parallel(), Math.max(1, wave.targets().size())))));
            }
        }
        return new Preview(survey, admission, gates, diffs, estimate, upper);
    }

    private static void dryRun(List<String> errors, String what, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            errors.add(what + ": " + Rollout.message(e));
        }
    }

    /** Preflight, then every step. Throws {@link PreflightException} (nothing touched) or a lock refusal. */
    public RunOutcome run(Plan plan, String planHash, RunListener listener) {
        Survey survey = survey(plan);
        survey.warnings().forEach(w -> listener.on(new RunEvent(RunEvent.Type.PREFLIGHT_WARNING, ports.clock().instant(), null, null, null, w, Map.of())));
        if (!survey.refusals().isEmpty()) {
            throw new PreflightException(survey.refusals());
        }
        RevisionTarget target = survey.target().orElseThrow();
        RolloutLayout layout = survey.layout().orElseThrow();
        String runId = newRunId(plan);
        try (RunLock.Handle lock = LockKeeper.keep(ports.lock().acquire(runId, ports.lockTtl()), ports.lockTtl())) {
            RunRecord r = new RunRecord();
            r.runId = runId;
            r.planName = plan.name();
            r.planHash = planHash;
            r.planPath = plan.source() == null ? null : plan.source().toAbsolutePath().toString();
            r.context = survey.context();
            r.controlPlaneNamespace = plan.spec().controlPlane().namespace();
            r.fromRevision = plan.spec().revision().from().orElse(null);
            r.toLabel = target.label();
            r.toRevision = target.revision();
            r.warnings.addAll(survey.warnings());
            layout.allSkips().forEach(s -> r.skipped.add(s.toString()));
            for (NamespaceTarget t : layout.allTargets()) {
                StepRecord s = new StepRecord();
                s.id = t.stepId();
                s.wave = t.wave();
                s.waveIndex = t.waveIndex();
                s.namespace = t.name();
                s.fromRevision = t.currentRevision().orElse(null);
                s.workloads.addAll(survey.workloadsOf(t.name()).stream().filter(WorkloadPlan::moves).map(WorkloadPlan::key).toList());
                r.steps.add(s);
            }
            RunJournal journal = RunJournal.create(ports.journal(), ports.clock(), r);
            RunContext ctx = context(plan, target, journal, lock, listener);
            ctx.emit(RunEvent.Type.RUN_STARTED, null, null, "run " + runId + ": plan " + plan.name() + " to " + target.describe()
                    + " on context " + survey.context() + ", " + r.steps.size() + " step(s)", Map.of("plan", plan.name(), "steps", r.steps.size()));
            return new Rollout(ctx).execute();
        }
    }

    private RunContext context(Plan plan, RevisionTarget target, RunJournal journal, RunLock.Handle lock, RunListener listener) {
        InjectionTable injection = new InjectionTable(ports.gateway().injectorWebhooks());
        return new RunContext(plan, target, injection, ports.gateway(), ports.git(), ports.gates(), journal, lock, listener,
                new Polling(ports.pollInterval(), ports.clock()), ports.clock(), ports.window());
    }

    /** Continues an interrupted or paused run from its journal. */
    public RunOutcome resume(Plan plan, String runId, RunListener listener) {
        try (RunLock.Handle lock = LockKeeper.keep(ports.lock().acquire(runId, ports.lockTtl()), ports.lockTtl())) {
            RunJournal journal = RunJournal.open(ports.journal(), ports.clock(), runId);
            RunRecord r = journal.record();
            if (RunState.DONE.name().equals(r.state) || RunState.ROLLED_BACK.name().equals(r.state)) {
                throw new UsageException("run " + runId + " is " + r.state + "; nothing to resume (start a new run)");
            }
            boolean undoing = r.steps.stream().anyMatch(s -> s.state.equals(RunRecord.StepState.ROLLING_BACK.name())
                    || s.state.equals(RunRecord.StepState.UNDO_FAILED.name()));
            if (RunState.ROLLBACK_INCOMPLETE.name().equals(r.state) || undoing) {
                throw new UsageException("run " + runId + " was being rolled back; finish that with 'revroll rollback "
                        + runId + "' (resume only goes forward)");
            }
            RevisionTarget target = target(r);
            RunContext ctx = context(plan, target, journal, lock, listener);
            ctx.emit(RunEvent.Type.RUN_STARTED, null, null, "resuming run " + runId + " (" + r.state + ")", Map.of("plan", r.planName));
            return new Rollout(ctx).execute();
        }
    }

    /** Undoes a run's steps newest first (all, or those after {@code keep}); without Git when {@code breakGlass}. */
    public RunOutcome rollback(Plan plan, String runId, Optional<String> keep, boolean breakGlass, RunListener listener) {
        try (RunLock.Handle lock = LockKeeper.keep(ports.lock().acquire(runId, ports.lockTtl()), ports.lockTtl())) {
            RunJournal journal = RunJournal.open(ports.journal(), ports.clock(), runId);
            RunContext ctx = context(plan, target(journal.record()), journal, lock, listener);
            return new Rollout(ctx).rollback(keep, !breakGlass);
        }
    }

    private static RevisionTarget target(RunRecord r) {
        return new RevisionTarget(r.toLabel, r.toRevision, r.toLabel.equals(r.toRevision) ? Optional.empty() : Optional.of(r.toLabel),
                r.toLabel.equals(r.toRevision) ? "istio-sidecar-injector-" + r.toRevision : "istio-revision-tag-" + r.toLabel);
    }

    /** A run's document, or the latest run's when {@code runId} is empty. */
    public static Optional<RunRecord> status(JournalStore store, Optional<String> runId) {
        if (runId.isPresent()) {
            return store.read(runId.get()).map(e -> RunJournal.parse(e.document()));
        }
        List<JournalStore.Entry> all = store.list(Optional.empty());
        return all.isEmpty() ? Optional.empty() : Optional.of(RunJournal.parse(all.get(0).document()));
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
