package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.ActionRecord;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.journal.RunRecord.StepState;
import dev.revroll.engine.step.Action;
import dev.revroll.engine.step.EnforceSurge;
import dev.revroll.engine.step.NamespaceStep;
import dev.revroll.engine.step.Relabel;
import dev.revroll.engine.step.StepScope;
import dev.revroll.engine.step.Undo;
import dev.revroll.errors.UsageException;
import dev.revroll.plan.OnFailure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The runner (docs/architecture.md#the-loop): one loop over the journal's steps, wave by wave (up to the wave's
 * {@code parallel} steps at once), each step one loop over its {@link Action}s. {@link #perform} is the one place an
 * action runs: it journals the intent before and the result after, emits the events, and handles a failure once.
 * On a failure {@code onFailure} decides: undo newest first, or pause. Undo is also what {@code revroll rollback} runs:
 * the started actions' {@link Undo}s, newest first, through the same {@link #perform}.
 */
public final class Rollout {

    private final RunContext ctx;
    private final List<Action> actions;
    private final StepEstimator estimator;

    public Rollout(RunContext ctx) {
        this.ctx = ctx;
        this.actions = NamespaceStep.actions(ctx.plan());
        this.estimator = new StepEstimator(ctx.plan());
    }

    private RunRecord record() {
        return ctx.journal().record();
    }

    private StepRecord step(String id) {
        return ctx.journal().read(r -> r.step(id).orElseThrow());
    }

    /** Runs every step that is not done yet (a new run, or a resumed one). */
    public RunOutcome execute() {
        ctx.journal().update(RunRecord::running);
        Map<Integer, List<String>> waves = new TreeMap<>();
        for (StepRecord s : record().steps()) {
            waves.computeIfAbsent(s.waveIndex(), i -> new ArrayList<>()).add(s.id());
        }
        for (Map.Entry<Integer, List<String>> wave : waves.entrySet()) {
            List<String> pending = wave.getValue().stream().filter(id -> step(id).state() != StepState.DONE).toList();
            if (pending.isEmpty()) {
                continue;
            }
            String waveName = step(pending.get(0)).wave();
            List<String> undecided = pending.stream().filter(id -> step(id).state() == StepState.FAILED).toList();
            if (!undecided.isEmpty()) {
                return decideAfterKill(wave.getKey(), waveName, pending, undecided);
            }
            ctx.emit(RunEvent.Type.WAVE_STARTED, null, null, "wave " + waveName + ": " + pending.size() + " step(s)",
                    Map.of("wave", waveName, "steps", pending));
            WaveResult result = runWave(pending, parallelOf(waveName));
            if (result.held().isPresent()) {
                return holdAtWindow(result.held().get());
            }
            if (!result.failed().isEmpty()) {
                return onFailure(wave.getKey(), result.failed());
            }
        }
        String done = "every step done" + overruns();
        ctx.journal().update(r -> r.finished(RunState.DONE, ctx.journal().now(), done));
        return finish(new RunOutcome(RunOutcome.Result.DONE, record(), done));
    }

    /**
     * A resumed run whose step had failed, killed before {@code onFailure} decided (the decision is journaled before
     * anything else is done about it, so a FAILED step is only ever one left undecided): the failure stands, as the
     * killed run would have let it. The wave's other begun steps are finished as they would have been, then
     * {@code onFailure} decides now: roll back or pause. The failed action is not tried again (that is what
     * resuming a paused run does).
     */
    private RunOutcome decideAfterKill(int waveIndex, String waveName, List<String> pending, List<String> undecided) {
        String failures = String.join("; ", undecided.stream().map(id -> id + ": " + step(id).failure().orElse(null)).toList());
        ctx.emit(RunEvent.Type.WARNING, null, null, "step(s) failed before the run was interrupted (" + failures
                + "); onFailure: " + ctx.plan().spec().onFailure().yaml() + " decides now, the failed action is not tried again");
        List<String> failed = new ArrayList<>(undecided);
        List<String> begun = pending.stream().filter(id -> !undecided.contains(id))
                .filter(id -> step(id).state() == StepState.IN_PROGRESS && step(id).started()).toList();
        if (!begun.isEmpty()) {
            failed.addAll(runWave(begun, parallelOf(waveName)).failed());
        }
        return onFailure(waveIndex, failed);
    }

    private int parallelOf(String waveName) {
        return ctx.plan().spec().waves().stream().filter(w -> w.name().equals(waveName)).findFirst()
                .map(w -> Math.max(1, w.parallel())).orElse(1);
    }

    private record WaveResult(List<String> failed, Optional<WindowGate.Hold> held) {
    }

    private WaveResult runWave(List<String> stepIds, int parallel) {
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicReference<WindowGate.Hold> held = new AtomicReference<>();
        List<String> failed = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, stepIds.size()), r -> {
            Thread t = new Thread(r, "revroll-step");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String id : stepIds) {
                futures.add(pool.submit(() -> {
                    if (stop.get()) {
                        return null;
                    }
                    WindowGate.Decision decision = beforeStep(id);
                    if (decision instanceof WindowGate.Hold hold) {
                        held.compareAndSet(null, hold);
                        stop.set(true);
                        return null;
                    }
                    try {
                        runStep(id, ((WindowGate.Start) decision).closesAt());
                    } catch (RuntimeException e) {
                        failed.add(id);
                        stop.set(true);
                    } catch (Error e) {
                        stop.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            Throwable fatal = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    fatal = fatal == null ? e.getCause() : fatal;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fatal = fatal == null ? e : fatal;
                }
            }
            if (fatal instanceof Error err) {
                throw err;
            }
            if (fatal != null) {
                throw new IllegalStateException(fatal);
            }
        } finally {
            pool.shutdownNow();
        }
        return new WaveResult(List.copyOf(failed), failed.isEmpty() ? Optional.ofNullable(held.get()) : Optional.empty());
    }

    /**
     * The step-start gatekeeper (docs/maintenance-windows.md): does the step's estimate fit in what is left of the
     * maintenance window? The estimate is the plan's, refined by the steps this run has finished.
     */
    private WindowGate.Decision beforeStep(String stepId) {
        StepRecord s = step(stepId);
        boolean begun = s.state() == StepState.IN_PROGRESS && s.started();
        StepEstimator.Estimate estimate = estimator.estimate(s.replicas(), ctx.journal().read(StepEstimator::measured));
        return WindowGate.decide(stepId, begun, ctx.clock().instant(), ctx.window(), estimate);
    }

    private void runStep(String stepId, Optional<java.time.Instant> windowClosesAt) {
        StepRecord s = step(stepId);
        ctx.emit(RunEvent.Type.STEP_STARTED, stepId, null, "step " + stepId + " (namespace " + s.namespace() + ")",
                windowClosesAt.isEmpty() ? Map.of("namespace", s.namespace(), "wave", s.wave())
                        : Map.of("namespace", s.namespace(), "wave", s.wave(), "windowClosesAt", windowClosesAt.get().toString()));
        String now = ctx.journal().now();
        // written with the first action's intent, or with the step's end when every action was done already
        ctx.journal().updateWithNext(r -> {
            StepRecord step = r.step(stepId).orElseThrow();
            step.begin(now);
            step.startsInWindow(windowClosesAt.map(java.time.Instant::toString));
        });
        StepScope scope = StepScope.forward(ctx, stepId);
        for (Action action : actions) {
            if (step(stepId).action(action.id()).filter(ActionRecord::done).isPresent()) {
                ctx.emit(RunEvent.Type.ACTION_SKIPPED, stepId, action.id(), action.id() + " already done");
                continue;
            }
            perform(scope, action, Phase.FORWARD, action.does(), () -> action.apply(scope));
        }
        String done = ctx.journal().now();
        ctx.journal().update(r -> r.step(stepId).orElseThrow().done(done));
        ctx.emit(RunEvent.Type.STEP_DONE, stepId, null, "step " + stepId + " done" + overrun(stepId, "its gates were finished"));
    }

    /** Forward or undo: what is journaled and emitted around an action. */
    private enum Phase {
        FORWARD, UNDO;

        void intent(ActionRecord a, String now) {
            if (this == FORWARD) {
                a.intent(now);
            } else {
                a.undoIntent(now);
            }
        }

        void done(ActionRecord a, String now) {
            if (this == FORWARD) {
                a.completed(now);
            } else {
                a.undone(now);
            }
        }

        void failed(StepRecord s, ActionRecord a, String now, String why) {
            if (this == FORWARD) {
                a.failed(now, why);
                s.failed(a.name() + ": " + why);
            } else {
                a.undoFailed(now, why);
                s.undoFailed("undo " + a.name() + ": " + why);
            }
        }
    }

    /**
     * The one place an action runs: lock renewed, intent journaled, ACTION_STARTED, the work, then DONE (UNDONE)
     * journaled and emitted; a failure is journaled on the action and the step, emitted once, and rethrown.
     */
    private void perform(StepScope scope, Action action, Phase phase, String does, Runnable work) {
        String stepId = scope.stepId();
        String id = action.id();
        ctx.lock().renew();
        String started = ctx.journal().now();
        ctx.journal().update(r -> phase.intent(r.step(stepId).orElseThrow().actionRecord(id), started));
        ctx.emit(RunEvent.Type.ACTION_STARTED, stepId, id, does);
        scope.acting(id);
        String point = (phase == Phase.FORWARD ? "" : "undo-");
        Failpoints.reach(point + "before:" + id);
        try {
            work.run();
        } catch (RuntimeException e) {
            String why = message(e);
            String at = ctx.journal().now();
            ctx.journal().update(r -> {
                StepRecord s = r.step(stepId).orElseThrow();
                phase.failed(s, s.actionRecord(id), at, why);
            });
            if (phase == Phase.FORWARD) {
                ctx.emit(RunEvent.Type.STEP_FAILED, stepId, id, id + " failed: " + why);
            } else {
                ctx.emit(RunEvent.Type.UNDO_FAILED, stepId, id, "undo of " + id + " failed: " + why);
            }
            // the failure is journaled; onFailure has not decided yet
            Failpoints.reach(phase == Phase.FORWARD ? "step-failed" : "undo-failed");
            throw e;
        }
        Failpoints.reach(point + "after:" + id);
        String finished = ctx.journal().now();
        // written with the next action's intent or the step's end (RunJournal#updateWithNext): every path after an
        // action journals something next, so the completion is never left unwritten
        ctx.journal().updateWithNext(r -> phase.done(r.step(stepId).orElseThrow().actionRecord(id), finished));
        // the hook writes the completion first, so the kill finds the action done in the stored journal
        Failpoints.reach(point + "journaled:" + id, () -> ctx.journal().update(r -> { }));
        if (phase == Phase.FORWARD) {
            ctx.emit(RunEvent.Type.ACTION_DONE, stepId, id, id + " done");
        } else {
            ctx.emit(RunEvent.Type.UNDO_DONE, stepId, id, "undone: " + id);
        }
    }

    static String message(Throwable e) {
        return StepScope.message(e);
    }

    /** " (overran the maintenance window by 12s: ...)" when the step ended after the window it started in closed. */
    private String overrun(String stepId, String what) {
        return step(stepId).windowOverrun().map(o -> " (" + o + ": " + what + ", never cut short)").orElse("");
    }

    /** "; step a overran the maintenance window by 12s" for every step of the run that did. */
    private String overruns() {
        List<String> over = ctx.journal().read(r -> r.steps().stream()
                .flatMap(s -> s.windowOverrun().map(o -> "step " + s.id() + " " + o).stream()).toList());
        return over.isEmpty() ? "" : "; " + String.join("; ", over);
    }

    /** A step did not fit: the run pauses where it stands, and says when it can go on. */
    private RunOutcome holdAtWindow(WindowGate.Hold hold) {
        String why = hold.message() + overruns();
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("step", hold.hold().step());
        data.put("estimateSeconds", hold.hold().estimateSeconds());
        if (hold.hold().leftSeconds() != null) {
            data.put("leftSeconds", hold.hold().leftSeconds());
        }
        if (hold.hold().closesAt() != null) {
            data.put("closesAt", hold.hold().closesAt());
        }
        if (hold.hold().nextOpening() != null) {
            data.put("nextOpening", hold.hold().nextOpening());
        }
        ctx.emit(RunEvent.Type.PAUSED, null, null, why, data);
        ctx.journal().update(r -> r.pausedAtWindow(why + "; continue with 'revroll run PLAN' (the same plan) or 'revroll resume "
                + r.runId() + "' when the window is open", hold.hold()));
        return finish(new RunOutcome(RunOutcome.Result.PAUSED, record(), record().message()));
    }

    private RunOutcome pause(String why) {
        ctx.emit(RunEvent.Type.PAUSED, null, null, why);
        ctx.journal().update(r -> r.paused(why + "; continue with 'revroll resume " + r.runId() + "'"));
        return finish(new RunOutcome(RunOutcome.Result.PAUSED, record(), record().message()));
    }

    private RunOutcome onFailure(int waveIndex, List<String> failed) {
        OnFailure policy = ctx.plan().spec().onFailure();
        String failures = String.join("; ", failed.stream().map(id -> id + ": " + step(id).failure().orElse(null)).toList());
        if (policy == OnFailure.PAUSE) {
            ctx.journal().update(r -> failed.forEach(id -> r.step(id).orElseThrow().paused()));
            return pause("step failed (" + failures + "), onFailure: pause; the step is left as it is" + overruns());
        }
        List<String> toUndo = switch (policy) {
            case ROLLBACK_STEP -> failed;
            case ROLLBACK_WAVE -> started(s -> s.waveIndex() == waveIndex);
            default -> started(s -> true);
        };
        // the decision to undo is journaled before any undo starts: a run killed from here on is finished by
        // 'revroll rollback', never resumed forward
        ctx.journal().update(r -> toUndo.forEach(id -> r.step(id).orElseThrow().rollingBack()));
        RunOutcome outcome = undoSteps(newestFirst(toUndo), true);
        if (outcome.result() == RunOutcome.Result.ROLLBACK_INCOMPLETE) {
            return outcome;
        }
        String msg = "step failed (" + failures + "); " + policy.yaml() + ": rolled back " + String.join(", ", newestFirst(toUndo)) + overruns();
        ctx.journal().update(r -> r.finished(RunState.ROLLED_BACK, ctx.journal().now(), msg));
        return finish(new RunOutcome(RunOutcome.Result.ROLLED_BACK, record(), msg));
    }

    private List<String> started(Predicate<StepRecord> filter) {
        return ctx.journal().read(r -> r.steps().stream().filter(filter).filter(StepRecord::started)
                .filter(s -> s.state() != StepState.ROLLED_BACK).map(StepRecord::id).toList());
    }

    private List<String> newestFirst(List<String> ids) {
        List<String> order = ctx.journal().read(r -> r.steps().stream().map(StepRecord::id).toList());
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort((a, b) -> {
            String sa = step(a).startedAt().orElse(null);
            String sb = step(b).startedAt().orElse(null);
            if (sa != null && sb != null && !sa.equals(sb)) {
                return sb.compareTo(sa);
            }
            return Integer.compare(order.indexOf(b), order.indexOf(a));
        });
        return sorted;
    }

    /**
     * {@code revroll rollback}: undo the run's started steps newest first; with {@code keep}, only those after that
     * step. {@code withGit} false is break-glass: the cluster is undone, Git is left to {@code revroll reconcile}.
     */
    public RunOutcome rollback(Optional<String> keep, boolean withGit) {
        List<String> order = ctx.journal().read(r -> r.steps().stream().map(StepRecord::id).toList());
        int from = 0;
        if (keep.isPresent()) {
            int i = order.indexOf(keep.get());
            if (i < 0) {
                throw new UsageException("run " + ctx.runId() + " has no step '" + keep.get() + "'; its steps: " + String.join(", ", order));
            }
            from = i + 1;
        }
        List<String> candidates = order.subList(from, order.size());
        // a rollback that stopped (killed, or an undo that failed) is finished as it was decided, no wider: the steps
        // it was undoing, not the ones the plan's onFailure kept moved (those: 'rollback' again once this one is done)
        List<String> interrupted = keep.isPresent() ? List.of() : ctx.journal().read(r -> r.steps().stream()
                .filter(s -> s.state().undoing()).map(StepRecord::id).toList());
        List<String> toUndo = interrupted.isEmpty() ? started(s -> candidates.contains(s.id())) : interrupted;
        // the decision is journaled before any undo starts, so that a rollback stopped half-way is finished as decided
        ctx.journal().update(r -> toUndo.forEach(id -> r.step(id).orElseThrow().rollingBack()));
        RunOutcome outcome = undoSteps(newestFirst(toUndo), withGit);
        if (outcome.result() == RunOutcome.Result.ROLLBACK_INCOMPLETE) {
            return outcome;
        }
        List<String> kept = interrupted.isEmpty() ? List.of() : started(s -> s.state() == StepState.DONE);
        String msg = (toUndo.isEmpty() ? "nothing to roll back" : (interrupted.isEmpty() ? "rolled back " : "finished the rollback of ")
                + String.join(", ", newestFirst(toUndo)))
                + (kept.isEmpty() ? "" : "; " + String.join(", ", kept) + " stayed moved, as the plan's onFailure decided ('revroll rollback "
                        + ctx.runId() + "' again undoes them too)")
                + (withGit ? "" : " (break-glass: Git not reverted; run 'revroll reconcile PLAN')");
        ctx.journal().update(r -> r.finished(RunState.ROLLED_BACK, ctx.journal().now(), msg));
        return finish(new RunOutcome(RunOutcome.Result.DONE, record(), msg));
    }

    private RunOutcome undoSteps(List<String> stepIds, boolean withGit) {
        for (String id : stepIds) {
            try {
                undoStep(id, withGit);
            } catch (RuntimeException e) {
                String what = whatAPersonMustDo(id, message(e), withGit);
                ctx.journal().update(r -> r.finished(RunState.ROLLBACK_INCOMPLETE, ctx.journal().now(), what));
                return finish(new RunOutcome(RunOutcome.Result.ROLLBACK_INCOMPLETE, record(), what));
            }
        }
        return new RunOutcome(RunOutcome.Result.ROLLED_BACK, record(), "");
    }

    /** The undos of the step's started actions, newest first, each through {@link #perform}. */
    private void undoStep(String stepId, boolean withGit) {
        String begun = ctx.journal().now();
        ctx.journal().update(r -> r.step(stepId).orElseThrow().rollingBack(begun));
        ctx.emit(RunEvent.Type.UNDO_STARTED, stepId, null, "undoing step " + stepId);
        StepScope scope = StepScope.undo(ctx, stepId, withGit);
        List<Action> reversed = new ArrayList<>(actions);
        Collections.reverse(reversed);
        for (Action action : reversed) {
            Optional<ActionRecord> a = step(stepId).action(action.id());
            if (a.isEmpty() || a.get().undone() || !(action.undo() instanceof Undo.By undo)) {
                continue;
            }
            perform(scope, action, Phase.UNDO, "undo: " + undo.does(), () -> undo.actions().forEach(u -> u.apply(scope)));
        }
        String now = ctx.journal().now();
        ctx.journal().update(r -> r.step(stepId).orElseThrow().rolledBack(now));
        ctx.emit(RunEvent.Type.STEP_ROLLED_BACK, stepId, null, "step " + stepId + " rolled back" + overrun(stepId, "its rollback was finished"));
    }

    /**
     * What is left for a person when a step's undo stopped: only the parts whose undo did not complete (a relabel
     * undone already needs no kubectl, a commit reverted already no Git), numbered as they are listed.
     */
    private String whatAPersonMustDo(String stepId, String why, boolean withGit) {
        StepRecord s = step(stepId);
        List<String> todo = new ArrayList<>();
        if (!undone(s, new Relabel().id())) {
            Map<String, String> prev = s.previousLabels().orElse(Map.of());
            StringBuilder label = new StringBuilder("kubectl label namespace " + s.namespace() + " --overwrite");
            prev.forEach((k, v) -> label.append(' ').append(k).append(v == null ? "-" : "=" + v));
            todo.add("restore the namespace labels: " + label);
            todo.add("restart its workloads: " + (s.workloads().isEmpty() ? "(none recorded)" : String.join(" ", s.workloads().stream()
                    .map(w -> "kubectl -n " + s.namespace() + " rollout restart " + w.toLowerCase(Locale.ROOT)).toList())));
            todo.add("check every pod's sidecar.istio.io/status revision is " + s.fromRevision().orElse("the old revision"));
        }
        if (!s.savedStrategies().isEmpty() && !undone(s, new EnforceSurge().id())) {
            StringBuilder values = new StringBuilder("put back rolling-update values: ");
            s.savedStrategies().forEach((w, v) -> values.append(w).append(" maxUnavailable=").append(v.maxUnavailable())
                    .append(" maxSurge=").append(v.maxSurge()).append("; "));
            todo.add(values.toString().stripTrailing());
        }
        if (s.gitCommit().isPresent() && s.gitRevert().isEmpty()) {
            todo.add(withGit ? "Git commit " + s.gitCommit().get() + " in " + ctx.git().describe() + " is not reverted: make its revert"
                    + " possible (undo what conflicts with it) and run 'revroll rollback " + ctx.runId() + "' again, which reverts it;"
                    + " or revert it by hand, push, and run 'revroll reconcile PLAN'"
                    : "Git still has commit " + s.gitCommit().get() + ": run 'revroll reconcile PLAN'");
        }
        StringBuilder sb = new StringBuilder();
        sb.append("rollback of step ").append(stepId).append(" did not complete: ").append(why).append('\n');
        if (todo.isEmpty()) {
            sb.append("Nothing is left undone in the cluster or in Git; ");
        } else {
            sb.append("What a person must do:\n");
            for (int i = 0; i < todo.size(); i++) {
                sb.append("  ").append(i + 1).append(". ").append(todo.get(i)).append('\n');
            }
        }
        sb.append("Then run 'revroll rollback ").append(ctx.runId()).append("' again to re-check.");
        return sb.toString();
    }

    private static boolean undone(StepRecord s, String actionId) {
        return s.action(actionId).map(ActionRecord::undone).orElse(true);
    }

    private RunOutcome finish(RunOutcome outcome) {
        ctx.emit(RunEvent.Type.RUN_FINISHED, null, null, outcome.result() + ": " + outcome.message(),
                Map.of("result", outcome.result().name()));
        return outcome;
    }
}
