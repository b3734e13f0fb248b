package dev.revroll.engine.step;

import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunRecord.SavedStrategy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.InjectionLabels;
import dev.revroll.ports.MergePatch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The merge patches revroll sends, built in one place from what they mean: the relabel and its undo
 * (docs/istio-injection.md#consequences-revroll-acts-on), a restart as {@code kubectl rollout restart} does it and the
 * rolling-update knobs of each kind (docs/kubernetes-rollouts.md).
 */
public final class Patches {

    /** Set by {@code kubectl rollout restart}; a new value changes the pod template and so rolls the workload. */
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private Patches() {
    }

    /** {@code istio.io/rev=<label>} and {@code istio-injection} removed, in one patch, with the labels before kept on the namespace. */
    public static MergePatch relabel(String label, Map<String, String> previous) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(InjectionLabels.REVISION, label);
        labels.put(InjectionLabels.INJECTION, null);
        return new MergePatch().setAll(labels, "metadata", "labels")
                .setAll(Map.of(ClusterRecords.PREVIOUS_LABELS, ClusterRecords.labels(previous)), "metadata", "annotations");
    }

    /** The injection labels exactly as they were (a null value removes the label), and the record of them removed. */
    public static MergePatch restoreLabels(Map<String, String> previous) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(ClusterRecords.PREVIOUS_LABELS, null);
        return new MergePatch().setAll(previous, "metadata", "labels").setAll(annotations, "metadata", "annotations");
    }

    /** One annotation on the object's own metadata (null removes it). */
    public static MergePatch annotation(String key, String value) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(key, value);
        return new MergePatch().setAll(annotations, "metadata", "annotations");
    }

    /** As {@code kubectl rollout restart}: the pod template's {@code restartedAt} annotation. */
    public static MergePatch restart(String restartedAt) {
        return new MergePatch().set(restartedAt, "spec", "template", "metadata", "annotations", RESTARTED_AT);
    }

    /** maxUnavailable 0 / maxSurge 1 for the restart, with the values before it kept on the workload. */
    public static Optional<MergePatch> enforceSurge(Workload w, SavedStrategy saved) {
        return rollingUpdate(w, "0", "1").map(p -> p.set(ClusterRecords.savedStrategy(saved),
                "metadata", "annotations", ClusterRecords.SAVED_ROLLING_UPDATE));
    }

    /** The rolling-update values as they were before revroll, and the record of them removed. */
    public static Optional<MergePatch> restoreSurge(Workload w, SavedStrategy saved) {
        return rollingUpdate(w, saved.maxUnavailable(), saved.maxSurge())
                .map(p -> p.set(null, "metadata", "annotations", ClusterRecords.SAVED_ROLLING_UPDATE));
    }

    /**
     * The kind's rolling-update knobs (null removes a field, so the API's default applies): Deployments under
     * {@code spec.strategy.rollingUpdate}, DaemonSets under {@code spec.updateStrategy.rollingUpdate}. A StatefulSet has
     * no surge: only {@code maxUnavailable}, and "0", which the API rejects for StatefulSets, removes the field (one pod
     * at a time, the default, is its make-before-break); an {@code OnDelete} StatefulSet has nothing to tune.
     */
    public static Optional<MergePatch> rollingUpdate(Workload w, String maxUnavailable, String maxSurge) {
        WorkloadKind kind = w.ref().kind();
        return switch (kind) {
            case Deployment -> Optional.of(knobs("strategy", maxUnavailable, maxSurge));
            case DaemonSet -> Optional.of(knobs("updateStrategy", maxUnavailable, maxSurge));
            case StatefulSet -> {
                if ("OnDelete".equals(w.strategyType())) {
                    yield Optional.empty();
                }
                Object value = MergePatch.intOrString(maxUnavailable);
                yield Optional.of(new MergePatch().set(value instanceof Integer i && i == 0 ? null : value,
                        "spec", "updateStrategy", "rollingUpdate", "maxUnavailable"));
            }
        };
    }

    private static MergePatch knobs(String strategyField, String maxUnavailable, String maxSurge) {
        return new MergePatch()
                .set(MergePatch.intOrString(maxUnavailable), "spec", strategyField, "rollingUpdate", "maxUnavailable")
                .set(MergePatch.intOrString(maxSurge), "spec", strategyField, "rollingUpdate", "maxSurge");
    }
}
