package dev.revroll.engine.step;

import dev.revroll.engine.InjectionTable;
import dev.revroll.engine.WorkloadPlan;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.ports.ClusterModel.NamespaceState;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fixes the step's intent in the journal before anything is touched: the namespace's injection labels before the
 * step, the workloads it restarts, the revision its pods run now, and its one {@code restartedAt}. Kept once: a
 * resumed step reuses them.
 */
public record JournalIntent() implements Action {

    @Override
    public String id() {
        return "journal-intent";
    }

    @Override
    public String does() {
        return "record the step's intent";
    }

    @Override
    public void apply(StepScope step) {
        StepRecord s = step.record();
        NamespaceState ns = step.namespace("");
        Map<String, String> previous = s.previousLabels().orElseGet(() -> Relabel.labelsBefore(step, ns));
        Map<String, String> before = Relabel.restored(ns.labels(), previous);
        List<String> workloads = s.workloads();
        if (workloads.isEmpty()) {
            Map<String, String> after = InjectionTable.relabelled(before, step.run().target().label());
            workloads = WorkloadPlan.classify(step.cluster().workloads(s.namespace(), new HashSet<>(step.plan().spec().restart().kinds())),
                    after, step.run().injection(), step.run().target()).stream().filter(WorkloadPlan::moves).map(WorkloadPlan::key).toList();
        }
        Optional<String> fromRevision = s.fromRevision().or(() -> step.run().injection().revisionOf(before));
        List<String> restarts = workloads;
        String now = step.now();
        step.update(r -> r.intent(previous, restarts, fromRevision.orElse(null), now));
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
