package dev.revroll.engine.step;

import dev.revroll.engine.StepFailure;
import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.InjectionLabels;

import java.util.List;
import java.util.Map;

/** Undo of {@link Relabel}: the injection labels exactly as before the step (from the journal, else the annotation). */
public record RestoreLabels() implements Action {

    @Override
    public String id() {
        return "restore-labels";
    }

    @Override
    public String does() {
        return "restore the injection labels exactly";
    }

    @Override
    public List<Write> writes(StepScope step) {
        StepRecord s = step.record();
        NamespaceState ns = step.namespace("; nothing to restore");
        Map<String, String> previous = s.previousLabels().orElseGet(() -> {
            String annotation = ns.annotations().get(ClusterRecords.PREVIOUS_LABELS);
            if (annotation == null) {
                throw new StepFailure("the labels of " + s.namespace() + " before the step are unknown (no journal record, no "
                        + ClusterRecords.PREVIOUS_LABELS + " annotation)");
            }
            return ClusterRecords.labels(s.namespace(), annotation);
        });
        boolean holds = InjectionLabels.recorded(ns.labels()).equals(InjectionLabels.recorded(Relabel.restored(ns.labels(), previous)))
                && !ns.annotations().containsKey(ClusterRecords.PREVIOUS_LABELS);
        if (holds) {
            return List.of();
        }
        return List.of(new Write.Patch(step.namespaceRef(), Patches.restoreLabels(previous), "restore the labels of namespace " + s.namespace()));
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
