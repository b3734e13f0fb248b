package dev.revroll.engine;

import dev.revroll.engine.RolloutLayout.NamespaceTarget;
import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.step.Action;
import dev.revroll.engine.step.Bake;
import dev.revroll.engine.step.NamespaceStep;
import dev.revroll.engine.step.StepPreview;
import dev.revroll.engine.step.StepScope;
import dev.revroll.errors.MetricsUnavailableException;
import dev.revroll.errors.PreflightException;
import dev.revroll.gates.Backtest;
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
        return preview(plan, Optional.empty());
    }

    /**
     * {@link #preview(Plan)}, and with a {@link BacktestRequest} each metric gate replayed over history for every
     * namespace step, right after that step's preview (docs/backtest.md): one namespace's history at a time, so what
     * is held is the per-namespace counts, not the history. Refuses before anything is read from the cluster when the
     * plan has no metric gates or no window for {@code atWindow} ({@link UsageException}), or when Prometheus does
     * not answer ({@link MetricsUnavailableException}).
     */
    public Preview preview(Plan plan, Optional<BacktestRequest> backtest) {
        backtest.ifPresent(b -> checkBacktest(plan, b));
        Map<String, List<Backtest.NamespaceResult>> backtested = new LinkedHashMap<>();
        Map<String, Backtest.Span> spans = new LinkedHashMap<>();
        backtest.ifPresent(b -> plan.spec().gates().metrics().forEach(g -> {
            backtested.put(g.name(), new java.util.ArrayList<>());
            spans.put(g.name(), new Backtest.Span(b.until().minus(b.length()), b.until(), b.atWindow() ? windowStarts() : Backtest.Starts.ANY));
        }));
        Survey survey = survey(plan);
        Map<String, StepPreview> steps = new LinkedHashMap<>();
        Duration upper = Duration.ZERO;
        StepEstimator estimator = new StepEstimator(plan);
        List<WindowPlan.Wave> placing = new java.util.ArrayList<>();
        if (survey.target().isPresent() && survey.layout().isPresent()) {
            RevisionTarget target = survey.target().get();
            RunRecord record = newRecord(plan, "preview", "preview", survey);
            RunContext ctx = context(plan, target, RunJournal.scratch(ports.clock(), record), NO_LOCK, RunListener.NONE, false);
            List<Action> actions = NamespaceStep.actions(plan);
            Map<String, StepPreview> previewed = previewSteps(ctx, survey, actions);
            for (RolloutLayout.WaveLayout wave : survey.layout().get().waves()) {
                List<WindowPlan.Step> waveSteps = new java.util.ArrayList<>();
                for (NamespaceTarget t : wave.targets()) {
                    steps.put(t.name(), previewed.get(t.stepId()));
                    if (backtest.isPresent()) {
                        StepScope scope = StepScope.preview(ctx, t.stepId(), new StepPreview(), seen(survey, t));
                        Map<String, String> vars = Bake.placeholders(scope);
                        for (Plan.MetricGateSpec g : plan.spec().gates().metrics()) {
                            backtested.get(g.name()).add(Backtest.simulate(backtest.get().history(), g, vars, plan.spec().bake(), t.name(),
                                    spans.get(g.name())));
                        }
                    }
                    waveSteps.add(new WindowPlan.Step(t.stepId(), estimator.estimate(maxReplicas(survey, t.name())).total()));
                    upper = upper.plus(plan.spec().restart().timeout()).plus(plan.spec().gates().proxySync().timeout()).plus(estimator.gates());
                }
                placing.add(new WindowPlan.Wave(wave.name(), waveSteps, wave.parallel()));
            }
        }
        WindowPlan.Layout windows = WindowPlan.of(ports.window(), ports.clock().instant(), placing);
        Optional<Backtest.Report> report = backtest.map(b -> new Backtest.Report(b.until().minus(b.length()), b.until(),
                b.atWindow() ? windowStarts().describe() : Backtest.Starts.ANY.describe(), b.atWindow(),
                plan.spec().gates().metrics().stream().map(g -> Backtest.judge(g, plan.spec().bake(), backtested.get(g.name()), spans.get(g.name()))).toList()));
        return new Preview(survey, steps, windows.total(), upper, plan.spec().window().isPresent() ? Optional.of(ports.window().describe()) : Optional.empty(),
                windows, report, plan.spec().restart().maxConcurrentRestarts());
    }

    private void checkBacktest(Plan plan, BacktestRequest b) {
        checkBacktest(plan, b.atWindow(), b.length());
        MetricsProvider metrics = ports.metrics().orElseThrow(() -> new UsageException("--backtest needs spec.prometheus.url (the history is Prometheus')"));
        metrics.whyUnreachable().ifPresent(why -> {
            throw new MetricsUnavailableException("--backtest needs the history in " + metrics.describe() + ", which cannot be queried: " + why
                    + "; nothing was read from the cluster or written. Try again, or check spec.prometheus (docs/prometheus-access.md)");
        });
    }

    /**
     * What a backtest needs of the plan itself (metric gates; a window for {@code atWindow}; no gate whose interval
     * makes {@code length} more than {@link Backtest#MAX_POINTS} points): checked before anything is opened.
     */
    public static void checkBacktest(Plan plan, boolean atWindow, Duration length) {
        if (plan.spec().gates().metrics().isEmpty()) {
            throw new UsageException("--backtest replays the plan's metric gates, and " + (plan.source() == null ? "the plan" : plan.source())
                    + " has none (spec.gates.metrics); nothing was read or written");
        }
        if (atWindow && plan.spec().window().isEmpty()) {
            throw new UsageException("--at-window looks only at the plan's maintenance-window hours, and " + (plan.source() == null ? "the plan" : plan.source())
                    + " has no spec.window; drop --at-window or add a window (docs/maintenance-windows.md)");
        }
        if (plan.spec().prometheus().isEmpty()) {
            throw new UsageException("--backtest needs spec.prometheus.url (the history is Prometheus')");
        }
        for (Plan.MetricGateSpec g : plan.spec().gates().metrics()) {
            long points = length.toMillis() / Math.max(1, g.interval().toMillis());
            if (points > Backtest.MAX_POINTS) {
                throw new UsageException("--backtest " + dev.revroll.plan.DurationText.format(length) + " at gate " + g.name() + "'s interval "
                        + dev.revroll.plan.DurationText.format(g.interval()) + " is " + points + " evaluations per namespace; a backtest replays at most "
                        + Backtest.MAX_POINTS + ": give a shorter --backtest");
            }
        }
    }

    /**
     * Simulated steps start where the plan's window lets a step start: open at the start and its gates done before
     * it closes (as {@link WindowGate} asks of a step's estimate). Remembered per start time: every namespace asks
     * about the same grid.
     */
    private Backtest.Starts windowStarts() {
        RunWindow window = ports.window();
        Map<Long, Boolean> seen = new java.util.HashMap<>();
        return new Backtest.Starts() {
            @Override
            public boolean test(java.time.Instant start, Duration length) {
                return seen.computeIfAbsent(start.toEpochMilli(), t -> {
                    RunWindow.Status s = window.status(start);
                    return s.open() && s.closesAt().map(c -> !c.isBefore(start.plus(length))).orElse(true);
                });
            }

            @Override
            public String describe() {
                return "only where the maintenance window lets a step start (" + window.describe() + ")";
            }

            @Override
            public boolean windowOnly() {
                return true;
            }
        };
    }

    /** The namespace and workloads of a step as the survey saw them. */
    private static StepScope.Seen seen(Survey survey, NamespaceTarget t) {
        return new StepScope.Seen(t.namespace(), survey.workloadsOf(t.name()).stream().map(WorkloadPlan::workload).toList());
    }

    /** How many steps' previews are worked out at once: their dry-run writes wait on the API server, not on revroll. */
    static final int PREVIEW_THREADS = 8;

    /**
     * Every step's actions previewed, by step id. Steps do not depend on one another in a preview (each reads what the
     * survey saw and sends dry-run writes), so up to {@link #PREVIEW_THREADS} are worked out at once; the result does
     * not depend on that order.
     */
    private Map<String, StepPreview> previewSteps(RunContext ctx, Survey survey, List<Action> actions) {
        List<NamespaceTarget> targets = survey.layout().orElseThrow().allTargets();
        List<StepPreview> previews = Concurrently.map(targets, PREVIEW_THREADS, "revroll-preview", t -> {
            StepPreview p = new StepPreview();
            StepScope scope = StepScope.preview(ctx, t.stepId(), p, seen(survey, t));
            for (Action action : actions) {
                try {
                    action.preview(scope.acting(action.id()));
                } catch (RuntimeException e) {
                    p.problem(action.id() + ": " + Rollout.message(e));
                }
            }
            return p;
        });
        Map<String, StepPreview> done = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            done.put(targets.get(i).stepId(), previews.get(i));
        }
        return done;
    }

    /** Replicas of the namespace's largest workload that moves (what a step's estimate is made from). */
    private static int maxReplicas(Survey survey, String namespace) {
        return survey.workloadsOf(namespace).stream().filter(WorkloadPlan::moves).mapToInt(w -> w.workload().replicas()).max().orElse(0);
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
                    survey.workloadsOf(t.name()).stream().filter(WorkloadPlan::moves).map(WorkloadPlan::key).toList(), maxReplicas(survey, t.name()))
                    .control(survey.ordersIn(t.name()), survey.leftBehindIn(t.name()), survey.attentionIn(t.name())));
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

    /**
     * {@code revroll run PLAN}: the unfinished run of this same plan (name and content hash) to continue instead of
     * starting a new one, if there is one; a changed plan is refused while such a run is open ({@link OpenRuns}).
     */
    public Optional<RunRecord> runToContinue(Plan plan, String planHash) {
        List<RunRecord> runs = new java.util.ArrayList<>();
        for (JournalStore.Entry e : ports.journal().list(Optional.of(plan.name()))) {
            try {
                runs.add(ClusterRecords.journal(e.document()));
            } catch (dev.revroll.errors.RecordException unreadable) {
                // a journal that does not read is no run this one could continue; 'revroll status' shows it
            }
        }
        boolean changed = runs.stream().filter(r -> plan.name().equals(r.planName())).filter(r -> !r.state().finished())
                .anyMatch(r -> !planHash.equals(r.planHash()));
        Optional<Map<String, List<String>>> waves = changed ? wavesNow(plan) : Optional.empty();
        OpenRuns.Now now = new OpenRuns.Now(plan.source() == null ? plan.name() : plan.source().toString(), planHash, waves,
                changed ? Optional.of(plan.spec().revision().to()) : Optional.empty());
        return OpenRuns.toContinue(plan.name(), runs, now, ports.lock().liveHolder());
    }

    /** The plan's waves and their namespaces as the cluster resolves them now (for saying what changed). */
    private Optional<Map<String, List<String>>> wavesNow(Plan plan) {
        try {
            return survey(plan).layout().map(l -> {
                Map<String, List<String>> m = new LinkedHashMap<>();
                l.waves().forEach(w -> m.put(w.name(), w.targets().stream().map(NamespaceTarget::name).toList()));
                return m;
            });
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code revroll run PLAN} going on with the unfinished run of the same plan ({@link #runToContinue}). */
    public RunOutcome continueRun(Plan plan, String runId, RunListener listener) {
        return resume(plan, runId, listener, "continuing run " + runId + " of plan " + plan.name()
                + " instead of starting a new one (same plan name and content)");
    }

    /** Continues an interrupted or paused run from its journal. */
    public RunOutcome resume(Plan plan, String runId, RunListener listener) {
        return resume(plan, runId, listener, "resuming run " + runId);
    }

    private RunOutcome resume(Plan plan, String runId, RunListener listener, String how) {
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
            ctx.emit(RunEvent.Type.RUN_STARTED, null, null, how + " (" + r.state() + ")", Map.of("plan", r.planName()));
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
