package dev.revroll.engine.step;

import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.InjectionLabels;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One merge patch on the namespace: {@code istio.io/rev=<target>}, {@code istio-injection} removed (it would win over
 * {@code istio.io/rev}: docs/istio-injection.md#consequences-revroll-acts-on), the labels before kept in the
 * annotation {@code revroll.dev/previous-labels} so the undo is exact even without the journal.
 *
 * <p>Its undo puts the labels back and then moves the pods back, because pods follow their namespace's labels: a
 * restart only re-injects them by whatever the labels select, so the restart's own undo ("restart again") can only
 * run once the labels are back. The undo is therefore the same rollout actions as the forward step, run toward the
 * previous revision, and then a check that every pod is back on it.
 */
public record Relabel() implements Action {

    @Override
    public String id() {
        return "relabel";
    }

    @Override
    public String does() {
        return "set istio.io/rev, remove istio-injection (one merge patch)";
    }

    @Override
    public List<Write> writes(StepScope step) {
        StepRecord s = step.record();
        NamespaceState ns = step.namespace("");
        String label = step.run().target().label();
        boolean holds = label.equals(ns.labels().get(InjectionLabels.REVISION))
                && !ns.labels().containsKey(InjectionLabels.INJECTION) && ns.annotations().containsKey(ClusterRecords.PREVIOUS_LABELS);
        if (holds) {
            return List.of();
        }
        Map<String, String> previous = s.previousLabels().orElseGet(() -> labelsBefore(step, ns));
        return List.of(new Write.Patch(step.namespaceRef(), Patches.relabel(label, previous), "relabel namespace " + s.namespace()));
    }

    @Override
    public Undo undo() {
        return Undo.by("restore the injection labels exactly, restart the pods back onto the old revision and verify",
                new RestoreLabels(), new EnforceSurge(), new Restart(), new WaitRollouts(), new RestoreSurge(), new VerifyRevision());
    }

    /** The labels before the step: the namespace's own, unless revroll already relabelled it (then its annotation). */
    static Map<String, String> labelsBefore(StepScope step, NamespaceState ns) {
        boolean relabelled = step.run().target().label().equals(ns.labels().get(InjectionLabels.REVISION))
                && ns.annotations().containsKey(ClusterRecords.PREVIOUS_LABELS);
        if (relabelled) {
            return ClusterRecords.labels(ns.name(), ns.annotations().get(ClusterRecords.PREVIOUS_LABELS));
        }
        return InjectionLabels.recorded(ns.labels());
    }

    /** {@code labels} with {@code previous} put back (a null value removes the label). */
    static Map<String, String> restored(Map<String, String> labels, Map<String, String> previous) {
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
}
