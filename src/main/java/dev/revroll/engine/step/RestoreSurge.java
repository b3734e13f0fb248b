package dev.revroll.engine.step;

import dev.revroll.engine.journal.RunRecord.SavedStrategy;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Puts back the rolling-update values {@link EnforceSurge} changed, once the restart rolled out (or when undone). */
public record RestoreSurge() implements Action {

    @Override
    public String id() {
        return "restore-surge";
    }

    @Override
    public String does() {
        return "put back the rolling-update values revroll changed";
    }

    @Override
    public List<Write> writes(StepScope step) {
        List<Write> writes = new ArrayList<>();
        for (Map.Entry<String, SavedStrategy> e : step.record().savedStrategies().entrySet()) {
            write(step, e.getKey(), e.getValue()).ifPresent(writes::add);
        }
        return writes;
    }

    @Override
    public void apply(StepScope step) {
        for (Map.Entry<String, SavedStrategy> e : step.record().savedStrategies().entrySet()) {
            write(step, e.getKey(), e.getValue()).ifPresent(step::send);
            step.update(r -> r.strategyRestored(e.getKey()));
        }
    }

    /** The patch back, when the workload still exists. */
    private static Optional<Write> write(StepScope step, String key, SavedStrategy saved) {
        WorkloadRef ref = StepScope.ref(step.record().namespace(), key);
        Optional<Workload> w = step.cluster().workload(ref);
        return w.flatMap(workload -> Patches.restoreSurge(workload, saved)).map(p -> new Write.Patch(ref, p,
                "put back maxUnavailable=" + saved.maxUnavailable() + " maxSurge=" + saved.maxSurge() + " on " + key));
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
