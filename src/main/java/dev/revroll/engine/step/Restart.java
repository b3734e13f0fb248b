package dev.revroll.engine.step;

import dev.revroll.engine.Failpoints;
import dev.revroll.engine.ProxySyncGate;
import dev.revroll.engine.RunEvent;
import dev.revroll.engine.StepFailure;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.step.StepScope.Toward;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.Workload;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Restarts the step's workloads as {@code kubectl rollout restart} does, with one {@code restartedAt} per run and step
 * (a workload already carrying it is not restarted again: docs/kubernetes-rollouts.md#restarting-like-kubectl-rollout-restart).
 * {@code OnDelete} workloads get their old pods deleted one at a time, each replacement waited for. Toward the
 * previous revision (an undo) it restarts, with the step's rollback value, what the forward restart restarted or what
 * runs on the target revision.
 */
public record Restart() implements Action {

    @Override
    public String id() {
        return "restart";
    }

    @Override
    public String does() {
        return "restart the selected workloads (make-before-break per restart.surge)";
    }

    @Override
    public List<Write> writes(StepScope step) {
        String restartedAt = restartedAt(step);
        List<Workload> workloads = step.workloadsNow();
        List<Write> writes = new ArrayList<>();
        for (Workload w : toRestart(step, workloads, restartedAt)) {
            writes.add(new Write.Patch(w.ref(), Patches.restart(restartedAt), "restart " + w.ref().key()));
        }
        List<Workload> onDelete = onDelete(workloads);
        Instant since = onDelete.isEmpty() ? null : Instant.parse(restartedAt);
        for (Workload w : onDelete) {
            for (PodState p : oldPods(step, w, since)) {
                writes.add(new Write.Delete(new PodRef(p.namespace(), p.name()), "replace pod " + p.name() + " of " + w.ref().key() + " (OnDelete)"));
            }
        }
        return writes;
    }

    @Override
    public void apply(StepScope step) {
        String restartedAt = step.toward() == Toward.TARGET ? restartedAt(step) : recordRollbackRestart(step);
        List<Workload> workloads = step.workloadsNow();
        List<String> restarted = new ArrayList<>();
        for (Workload w : toRestart(step, workloads, restartedAt)) {
            step.send(new Write.Patch(w.ref(), Patches.restart(restartedAt), "restart " + w.ref().key()));
            restarted.add(w.ref().key());
            // a test hook (docs/architecture.md#failpoints-a-test-hook): killed between two workloads' restarts
            Failpoints.reach(step.toward() == Toward.TARGET ? "in:restart" : "undo-in:restart");
        }
        for (Workload w : onDelete(workloads)) {
            replaceOldPods(step, w, Instant.parse(restartedAt));
        }
        step.emit(RunEvent.Type.WAITING, restarted.isEmpty()
                ? "no workload needed a restart (already restarted with " + restartedAt + ")"
                : "restarted " + String.join(", ", restarted), Map.of("restarted", restarted, "restartedAt", restartedAt));
    }

    /** Preview sends what {@link #writes} declares (OnDelete deletions included) as dry run, and waits for nothing. */
    @Override
    public void preview(StepScope step) {
        step.send(writes(step));
    }

    @Override
    public Undo undo() {
        // the pods go back with the namespace's labels: see Relabel's undo
        return Undo.NOTHING;
    }

    /** Forward: the step's restartedAt. Back: its rollback value (not yet recorded: now). */
    private static String restartedAt(StepScope step) {
        StepRecord s = step.record();
        return step.toward() == Toward.TARGET ? s.restartedAt().orElseThrow()
                : s.rollbackRestartedAt().orElseGet(step::now);
    }

    private static String recordRollbackRestart(StepScope step) {
        String now = step.now();
        step.update(r -> r.rollbackRestart(now));
        return step.record().rollbackRestartedAt().orElseThrow();
    }


    /** The workloads that do not carry {@code restartedAt} yet (back: only those the forward step moved). */
    private static List<Workload> toRestart(StepScope step, List<Workload> workloads, String restartedAt) {
        StepRecord s = step.record();
        String target = step.run().target().revision();
        List<Workload> out = new ArrayList<>();
        for (Workload w : workloads) {
            String current = w.podTemplateAnnotations().get(Patches.RESTARTED_AT);
            if (restartedAt.equals(current)) {
                continue;
            }
            if (step.toward() == Toward.PREVIOUS) {
                boolean forwardRestarted = s.restartedAt().filter(at -> at.equals(current)).isPresent();
                boolean onTarget = step.podsOf(w.ref()).stream().anyMatch(p -> ProxySyncGate.podRevision(p).filter(target::equals).isPresent());
                if (!forwardRestarted && !onTarget) {
                    continue;
                }
            }
            out.add(w);
        }
        return out;
    }

    private static List<Workload> onDelete(List<Workload> workloads) {
        return workloads.stream().filter(w -> "OnDelete".equals(w.strategyType())).toList();
    }

    private static List<PodState> oldPods(StepScope step, Workload w, Instant restartedAt) {
        return step.podsOf(w.ref()).stream().filter(p -> !p.deleting() && p.created().isBefore(restartedAt))
                .sorted(Comparator.comparing(PodState::name).reversed()).toList();
    }

    /** OnDelete: delete the pods older than the restart one at a time, each replacement waited for. */
    private static void replaceOldPods(StepScope step, Workload w, Instant restartedAt) {
        Duration timeout = step.restartTimeout();
        while (true) {
            List<PodState> old = oldPods(step, w, restartedAt);
            if (old.isEmpty()) {
                return;
            }
            PodState victim = old.get(0);
            step.send(new Write.Delete(new PodRef(victim.namespace(), victim.name()), "replace pod " + victim.name() + " of " + w.ref().key() + " (OnDelete)"));
            List<PodState> after = step.poll("replace-" + victim.name(), timeout, () -> step.podsOf(w.ref()),
                    pods -> pods.stream().anyMatch(p -> replaced(p, victim, restartedAt)));
            if (after.stream().noneMatch(p -> replaced(p, victim, restartedAt))) {
                throw new StepFailure("pod " + victim.namespace() + "/" + victim.name() + " of " + w.ref()
                        + " (OnDelete) was deleted but its replacement is not Ready within " + StepScope.human(timeout) + step.eventsHint());
            }
        }
    }

    private static boolean replaced(PodState p, PodState victim, Instant restartedAt) {
        return p.name().equals(victim.name()) && !p.deleting() && !p.created().isBefore(restartedAt) && p.ready();
    }
}
