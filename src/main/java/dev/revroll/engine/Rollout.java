package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.ActionRecord;
import dev.revroll.engine.journal.RunRecord.ActionState;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.journal.RunRecord.StepState;
import dev.revroll.plan.OnFailure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runner: one loop over the journal's steps, wave by wave (up to the wave's {@code parallel} steps at once),
 * each step one loop over its actions with a journal record before (intent) and after (done). On a failure it
 * applies {@code onFailure}: undo newest first, or pause. Undo is also what {@code revroll rollback} runs.
 */
public final class Rollout {

    private final RunContext ctx;
    private final StepActions actions;

    public Rollout(RunContext ctx) {
        this.ctx = ctx;
        this.actions = new StepActions(ctx);
    }

    private RunRecord record() {
        return ctx.journal().record();
    }

    private StepRecord step(String id) {
        return ctx.journal().read(r -> r.step(id).orElseThrow());
    }

    /** Runs every step that is not done yet (a new run, or a resumed one). */
    public RunOutcome execute() {
        ctx.journal().update(r -> {
            r.state = RunState.RUNNING.name();
            r.message = null;
        });
        Map<Integer, List<String>> waves = new TreeMap<>();
        for (StepRecord s : record().steps) {
            waves.computeIfAbsent(s.waveIndex, i -> new ArrayList<>()).add(s.id);
        }
        for (Map.Entry<Integer, List<String>> wave : waves.entrySet()) {
            List<String> pending = wave.getValue().stream().filter(id -> !StepState.DONE.name().equals(step(id).state)).toList();
            if (pending.isEmpty()) {
                continue;
            }
            String waveName = step(pending.get(0)).wave;
            ctx.emit(RunEvent.Type.WAVE_STARTED, null, null, "wave " + waveName + ": " + pending.size() + " step(s)",
                    Map.of("wave", waveName, "steps", pending));
            WaveResult result = runWave(pending, parallelOf(waveName));
            if (result.paused().isPresent()) {
                return pause(result.paused().get());
            }
            if (!result.failed().isEmpty()) {
                return onFailure(wave.getKey(), result.failed());
            }
        }
        ctx.journal().update(r -> {
            r.state = RunState.DONE.name();
            r.finishedAt = ctx.journal().now();
            r.message = "every step done";
        });
        return finish(new RunOutcome(RunOutcome.Result.DONE, record(), "every step done"));
    }

    private int parallelOf(String waveName) {
        return ctx.plan().spec().waves().stream().filter(w -> w.name().equals(waveName)).findFirst()
                .map(w -> Math.max(1, w.parallel())).orElse(1);
    }

    private record WaveResult(List<String> failed, Optional<String> paused) {
    }

    private WaveResult runWave(List<String> stepIds, int parallel) {
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicReference<String> paused = new AtomicReference<>();
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
                    if (!ctx.window().isOpen(ctx.clock().instant())) {
                        paused.compareAndSet(null, "maintenance window closed before step " + id + " (" + ctx.window().describe(ctx.clock().instant()) + ")");
                        stop.set(true);
                        return null;
                    }
                    try {
                        runStep(id);
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
                } catch (java.util.concurrent.ExecutionException e) {
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
        return new WaveResult(List.copyOf(failed), failed.isEmpty() ? Optional.ofNullable(paused.get()) : Optional.empty());
    }

    private NamespaceStep plan(StepRecord s) {
        return NamespaceStep.of(s.wave, s.waveIndex, s.namespace);
    }

    private void runStep(String stepId) {
        StepRecord s = step(stepId);
        NamespaceStep nsStep = plan(s);
        ctx.emit(RunEvent.Type.STEP_STARTED, stepId, null, "step " + stepId + " (namespace " + s.namespace + ")",
                Map.of("namespace", s.namespace, "wave", s.wave));
        ctx.journal().update(r -> {
            StepRecord rs = r.step(stepId).orElseThrow();
            rs.state = StepState.IN_PROGRESS.name();
            rs.failure = null;
            if (rs.startedAt == null) {
                rs.startedAt = ctx.journal().now();
            }
        });
        for (ActionKind kind : nsStep.actions()) {
            Optional<ActionRecord> before = step(stepId).action(kind.id());
            if (before.filter(a -> ActionState.DONE.name().equals(a.state)).isPresent()) {
                ctx.emit(RunEvent.Type.ACTION_SKIPPED, stepId, kind.id(), kind.id() + " already done");
                continue;
            }
            ctx.lock().renew();
            mark(stepId, kind, ActionState.INTENT, null);
            ctx.emit(RunEvent.Type.ACTION_STARTED, stepId, kind.id(), kind.does());
            try {
                actions.apply(kind, stepId);
            } catch (RuntimeException e) {
                String why = message(e);
                mark(stepId, kind, ActionState.FAILED, why);
                ctx.journal().update(r -> {
                    StepRecord rs = r.step(stepId).orElseThrow();
                    rs.state = StepState.FAILED.name();
                    rs.failure = kind.id() + ": " + why;
                });
                ctx.emit(RunEvent.Type.STEP_FAILED, stepId, kind.id(), kind.id() + " failed: " + why);
                throw e;
            }
            mark(stepId, kind, ActionState.DONE, null);
            ctx.emit(RunEvent.Type.ACTION_DONE, stepId, kind.id(), kind.id() + " done");
        }
        ctx.journal().update(r -> {
            StepRecord rs = r.step(stepId).orElseThrow();
            rs.state = StepState.DONE.name();
            rs.finishedAt = ctx.journal().now();
        });
        ctx.emit(RunEvent.Type.STEP_DONE, stepId, null, "step " + stepId + " done");
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private void mark(String stepId, ActionKind kind, ActionState state, String detail) {
        String now = ctx.journal().now();
        ctx.journal().update(r -> {
            ActionRecord a = r.step(stepId).orElseThrow().actionOrNew(kind.id());
            a.state = state.name();
            a.at = now;
            a.detail = detail;
        });
    }

    private RunOutcome pause(String why) {
        ctx.emit(RunEvent.Type.PAUSED, null, null, why);
        ctx.journal().update(r -> {
            r.state = RunState.PAUSED.name();
            r.message = why + "; continue with 'revroll resume " + r.runId + "'";
        });
        return finish(new RunOutcome(RunOutcome.Result.PAUSED, record(), record().message));
    }

    private RunOutcome onFailure(int waveIndex, List<String> failed) {
        OnFailure policy = ctx.plan().spec().onFailure();
        String failures = String.join("; ", failed.stream().map(id -> id + ": " + step(id).failure).toList());
        if (policy == OnFailure.PAUSE) {
            ctx.journal().update(r -> failed.forEach(id -> r.step(id).orElseThrow().state = StepState.PAUSED.name()));
            return pause("step failed (" + failures + "), onFailure: pause; the step is left as it is");
        }
        List<String> toUndo = switch (policy) {
            case ROLLBACK_STEP -> failed;
            case ROLLBACK_WAVE -> started(s -> s.waveIndex == waveIndex);
            default -> started(s -> true);
        };
        // the decision to undo is journaled before any undo starts: a run killed from here on is finished by
        // 'revroll rollback', never resumed forward
        ctx.journal().update(r -> toUndo.forEach(id -> r.step(id).orElseThrow().state = StepState.ROLLING_BACK.name()));
        RunOutcome outcome = undoSteps(newestFirst(toUndo), true);
        if (outcome.result() == RunOutcome.Result.ROLLBACK_INCOMPLETE) {
            return outcome;
        }
        String msg = "step failed (" + failures + "); " + policy.yaml() + ": rolled back " + String.join(", ", newestFirst(toUndo));
        ctx.journal().update(r -> {
            r.state = RunState.ROLLED_BACK.name();
            r.finishedAt = ctx.journal().now();
            r.message = msg;
        });
        return finish(new RunOutcome(RunOutcome.Result.ROLLED_BACK, record(), msg));
    }

    private List<String> started(java.util.function.Predicate<StepRecord> filter) {
        return ctx.journal().read(r -> r.steps.stream().filter(filter).filter(s -> !s.actions.isEmpty())
                .filter(s -> !StepState.ROLLED_BACK.name().equals(s.state)).map(s -> s.id).toList());
    }

    private List<String> newestFirst(List<String> ids) {
        List<String> order = ctx.journal().read(r -> r.steps.stream().map(s -> s.id).toList());
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort((a, b) -> {
            String sa = step(a).startedAt;
            String sb = step(b).startedAt;
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
        List<String> order = ctx.journal().read(r -> r.steps.stream().map(s -> s.id).toList());
        int from = 0;
        if (keep.isPresent()) {
            int i = order.indexOf(keep.get());
            if (i < 0) {
                throw new dev.revroll.errors.UsageException(
                        "run " + ctx.runId() + " has no step '" + keep.get() + "'; its steps: " + String.join(", ", order));
            }
            from = i + 1;
        }
        List<String> candidates = order.subList(from, order.size());
        List<String> toUndo = started(s -> candidates.contains(s.id));
        RunOutcome outcome = undoSteps(newestFirst(toUndo), withGit);
        if (outcome.result() == RunOutcome.Result.ROLLBACK_INCOMPLETE) {
            return outcome;
        }
        String msg = toUndo.isEmpty() ? "nothing to roll back" : "rolled back " + String.join(", ", newestFirst(toUndo))
                + (withGit ? "" : " (break-glass: Git not reverted; run 'revroll reconcile PLAN')");
        ctx.journal().update(r -> {
            r.state = RunState.ROLLED_BACK.name();
            r.finishedAt = ctx.journal().now();
            r.message = msg;
        });
        return finish(new RunOutcome(RunOutcome.Result.DONE, record(), msg));
    }

    private RunOutcome undoSteps(List<String> stepIds, boolean withGit) {
        for (String id : stepIds) {
            try {
                undoStep(id, withGit);
            } catch (RuntimeException e) {
                String what = whatAPersonMustDo(id, message(e), withGit);
                ctx.journal().update(r -> {
                    r.state = RunState.ROLLBACK_INCOMPLETE.name();
                    r.finishedAt = ctx.journal().now();
                    r.message = what;
                });
                return finish(new RunOutcome(RunOutcome.Result.ROLLBACK_INCOMPLETE, record(), what));
            }
        }
        return new RunOutcome(RunOutcome.Result.ROLLED_BACK, record(), "");
    }

    private void undoStep(String stepId, boolean withGit) {
        ctx.journal().update(r -> r.step(stepId).orElseThrow().state = StepState.ROLLING_BACK.name());
        ctx.emit(RunEvent.Type.UNDO_STARTED, stepId, null, "undoing step " + stepId);
        List<ActionKind> reversed = new ArrayList<>(plan(step(stepId)).actions());
        Collections.reverse(reversed);
        for (ActionKind kind : reversed) {
            Optional<ActionRecord> a = step(stepId).action(kind.id());
            if (a.isEmpty() || ActionState.UNDONE.name().equals(a.get().state) || kind.undoes().equals("nothing")
                    || kind == ActionKind.JOURNAL_INTENT) {
                continue;
            }
            ctx.lock().renew();
            mark(stepId, kind, ActionState.UNDO_INTENT, null);
            ctx.emit(RunEvent.Type.ACTION_STARTED, stepId, kind.id(), "undo: " + kind.undoes());
            try {
                actions.undo(kind, stepId, withGit);
            } catch (RuntimeException e) {
                String why = message(e);
                mark(stepId, kind, ActionState.UNDO_FAILED, why);
                ctx.journal().update(r -> {
                    StepRecord rs = r.step(stepId).orElseThrow();
                    rs.state = StepState.UNDO_FAILED.name();
                    rs.failure = (rs.failure == null ? "" : rs.failure + "; ") + "undo " + kind.id() + ": " + why;
                });
                ctx.emit(RunEvent.Type.UNDO_FAILED, stepId, kind.id(), "undo of " + kind.id() + " failed: " + why);
                throw e;
            }
            mark(stepId, kind, ActionState.UNDONE, null);
            ctx.emit(RunEvent.Type.UNDO_DONE, stepId, kind.id(), "undone: " + kind.id());
        }
        ctx.journal().update(r -> {
            StepRecord rs = r.step(stepId).orElseThrow();
            rs.state = StepState.ROLLED_BACK.name();
            rs.finishedAt = ctx.journal().now();
        });
        ctx.emit(RunEvent.Type.STEP_ROLLED_BACK, stepId, null, "step " + stepId + " rolled back");
    }

    private String whatAPersonMustDo(String stepId, String why, boolean withGit) {
        StepRecord s = step(stepId);
        StringBuilder sb = new StringBuilder();
        sb.append("rollback of step ").append(stepId).append(" did not complete: ").append(why).append('\n');
        sb.append("What a person must do:\n");
        Map<String, String> prev = s.previousLabels == null ? Map.of() : s.previousLabels;
        StringBuilder label = new StringBuilder("kubectl label namespace " + s.namespace + " --overwrite");
        prev.forEach((k, v) -> label.append(' ').append(k).append(v == null ? "-" : "=" + v));
        sb.append("  1. restore the namespace labels: ").append(label).append('\n');
        sb.append("  2. restart its workloads: ");
        sb.append(s.workloads.isEmpty() ? "(none recorded)" : String.join(" ", s.workloads.stream()
                .map(w -> "kubectl -n " + s.namespace + " rollout restart " + w.toLowerCase(java.util.Locale.ROOT)).toList()));
        sb.append('\n');
        sb.append("  3. check every pod's sidecar.istio.io/status revision is ")
                .append(Optional.ofNullable(s.fromRevision).orElse("the old revision")).append('\n');
        if (!s.savedStrategies.isEmpty()) {
            sb.append("  4. put back rolling-update values: ");
            s.savedStrategies.forEach((w, v) -> sb.append(w).append(" maxUnavailable=").append(v.maxUnavailable)
                    .append(" maxSurge=").append(v.maxSurge).append("; "));
            sb.append('\n');
        }
        if (s.gitCommit != null && s.gitRevert == null) {
            sb.append("  5. ").append(withGit ? "revert Git commit " + s.gitCommit + " in " + ctx.git().describe()
                    : "Git still has commit " + s.gitCommit + ": run 'revroll reconcile PLAN'").append('\n');
        }
        sb.append("Then run 'revroll rollback ").append(ctx.runId()).append("' again to re-check.");
        return sb.toString();
    }

    private RunOutcome finish(RunOutcome outcome) {
        ctx.emit(RunEvent.Type.RUN_FINISHED, null, null, outcome.result() + ": " + outcome.message(),
                Map.of("result", outcome.result().name()));
        return outcome;
    }
}
