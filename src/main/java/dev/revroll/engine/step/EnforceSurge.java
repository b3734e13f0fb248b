package dev.revroll.engine.step;

import dev.revroll.engine.WorkloadPlan;
import dev.revroll.engine.journal.RunRecord.SavedStrategy;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code restart.surge: enforce}: maxUnavailable 0 / maxSurge 1 on the step's RollingUpdate Deployments and DaemonSets
 * that are not make-before-break already, for the restart (docs/kubernetes-rollouts.md#make-before-break-per-kind).
 * The values before are kept in the journal first, then on the workload with the same patch; {@link RestoreSurge}
 * puts them back.
 */
public record EnforceSurge() implements Action {

    @Override
    public String id() {
        return "enforce-surge";
    }

    @Override
    public String does() {
        return "set maxUnavailable 0 / maxSurge 1 for the restart (restart.surge: enforce)";
    }

    @Override
    public List<Write> writes(StepScope step) {
        return enforced(step).stream().map(e -> (Write) e.write()).toList();
    }

    /** The values before are journaled (all at once) before any workload is patched. */
    @Override
    public void apply(StepScope step) {
        List<Enforced> enforced = enforced(step);
        if (enforced.isEmpty()) {
            return;
        }
        step.update(r -> enforced.forEach(e -> r.saveStrategy(e.workload().ref().key(), e.saved())));
        enforced.forEach(e -> step.send(e.write()));
    }

    @Override
    public Undo undo() {
        return Undo.by("put back rolling-update values revroll changed", new RestoreSurge());
    }

    private record Enforced(Workload workload, SavedStrategy saved, Write.Patch write) {
    }

    private static List<Enforced> enforced(StepScope step) {
        List<Enforced> out = new ArrayList<>();
        if (step.plan().spec().restart().surge() != SurgePolicy.ENFORCE) {
            return out;
        }
        for (Workload w : step.workloadsNow()) {
            WorkloadRef ref = w.ref();
            if (ref.kind() == WorkloadKind.StatefulSet || !"RollingUpdate".equals(w.strategyType()) || WorkloadPlan.makeBeforeBreak(w)) {
                continue;
            }
            SavedStrategy saved = new SavedStrategy(w.maxUnavailable().orElse(null), w.maxSurge().orElse(null));
            Patches.enforceSurge(w, saved).ifPresent(p -> out.add(new Enforced(w, saved,
                    new Write.Patch(ref, p, "enforce maxUnavailable=0 maxSurge=1 on " + ref.key()))));
        }
        return out;
    }
}
