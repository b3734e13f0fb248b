package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetStatus;
import io.kubernetes.client.openapi.models.V1DaemonSetUpdateStrategy;
import io.kubernetes.client.openapi.models.V1RollingUpdateDaemonSet;
import io.kubernetes.client.util.PatchUtils;

import java.util.List;
import java.util.Optional;

/**
 * DaemonSets: rolling-update knobs in {@code spec.updateStrategy.rollingUpdate} (maxSurge works since 1.22); the
 * workload's replica count is the number of nodes it should run on ({@code status.desiredNumberScheduled}).
 */
final class DaemonSetKind implements KindStrategy {

    private final KubeCalls calls;
    private final ApiClient client;
    private final AppsV1Api apps;

    DaemonSetKind(KubeCalls calls) {
        this.calls = calls;
        this.client = calls.connection().apiClient();
        this.apps = new AppsV1Api(client);
    }

    @Override
    public WorkloadKind kind() {
        return WorkloadKind.DaemonSet;
    }

    @Override
    public List<Workload> list(String namespace) {
        return calls.read("list", "DaemonSets in namespace " + namespace,
                        () -> apps.listNamespacedDaemonSet(namespace).execute())
                .getItems().stream().map(DaemonSetKind::toWorkload).toList();
    }

    @Override
    public Optional<Workload> read(String namespace, String name) {
        return get(namespace, name).map(DaemonSetKind::toWorkload);
    }

    private Optional<V1DaemonSet> get(String namespace, String name) {
        try {
            return Optional.of(calls.read("read", object(namespace, name), () -> apps.readNamespacedDaemonSet(name, namespace).execute()));
        } catch (KubeApiException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void patch(String namespace, String name, MergePatch patch, boolean dryRun) {
        calls.idempotentWrite(dryRun ? "dry-run patch" : "patch", object(namespace, name), () -> PatchUtils.patch(V1DaemonSet.class,
                () -> apps.patchNamespacedDaemonSet(name, namespace, patch.toV1Patch())
                        .fieldManager(ClientJavaKubernetesGateway.FIELD_MANAGER)
                        .dryRun(dryRun ? ClientJavaKubernetesGateway.DRY_RUN_ALL : null)
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    }

    /** Sets {@code spec.updateStrategy.rollingUpdate.maxUnavailable}/{@code maxSurge}; null removes (defaults 1 and 0). */
    @Override
    public void patchRollingUpdate(String namespace, String name, String maxUnavailable, String maxSurge, boolean dryRun) {
        patch(namespace, name, new MergePatch()
                .set(MergePatch.intOrString(maxUnavailable), "spec", "updateStrategy", "rollingUpdate", "maxUnavailable")
                .set(MergePatch.intOrString(maxSurge), "spec", "updateStrategy", "rollingUpdate", "maxSurge"), dryRun);
    }

    @Override
    public RolloutState rolloutState(String namespace, String name) {
        return get(namespace, name).map(DaemonSetKind::rolloutRule)
                .orElseGet(() -> new RolloutState(false, true, "daemonset " + namespace + "/" + name + " no longer exists"));
    }

    /**
     * kubectl's {@code DaemonSetStatusViewer}: observed generation, every desired pod updated and available. kubectl
     * refuses OnDelete DaemonSets; the same counts are used for them here (they say the same thing).
     */
    static RolloutState rolloutRule(V1DaemonSet ds) {
        String name = ds.getMetadata().getName();
        V1DaemonSetStatus status = ds.getStatus() == null ? new V1DaemonSetStatus() : ds.getStatus();
        if (KubeObjects.generation(ds.getMetadata()) > KubeObjects.orZero(status.getObservedGeneration())) {
            return new RolloutState(false, false, "waiting for daemon set spec update to be observed");
        }
        int desired = KubeObjects.orZero(status.getDesiredNumberScheduled());
        int updated = KubeObjects.orZero(status.getUpdatedNumberScheduled());
        int available = KubeObjects.orZero(status.getNumberAvailable());
        if (updated < desired) {
            return new RolloutState(false, false, "waiting for daemon set \"" + name + "\" rollout to finish: " + updated
                    + " out of " + desired + " new pods have been updated");
        }
        if (available < desired) {
            return new RolloutState(false, false, "waiting for daemon set \"" + name + "\" rollout to finish: " + available
                    + " of " + desired + " updated pods are available");
        }
        return new RolloutState(true, false, "daemon set \"" + name + "\" successfully rolled out");
    }

    static Workload toWorkload(V1DaemonSet ds) {
        V1DaemonSetUpdateStrategy strategy = ds.getSpec() == null ? null : ds.getSpec().getUpdateStrategy();
        V1RollingUpdateDaemonSet ru = strategy == null ? null : strategy.getRollingUpdate();
        return new Workload(
                new WorkloadRef(WorkloadKind.DaemonSet, ds.getMetadata().getNamespace(), ds.getMetadata().getName()),
                KubeObjects.generation(ds.getMetadata()),
                ds.getStatus() == null ? 0 : KubeObjects.orZero(ds.getStatus().getDesiredNumberScheduled()),
                strategy == null || strategy.getType() == null ? "RollingUpdate" : strategy.getType(),
                ru == null ? Optional.empty() : KubeObjects.intOrString(ru.getMaxUnavailable()),
                ru == null ? Optional.empty() : KubeObjects.intOrString(ru.getMaxSurge()),
                KubeObjects.annotations(ds.getMetadata()),
                KubeObjects.templateLabels(ds.getSpec() == null ? null : ds.getSpec().getTemplate()),
                KubeObjects.templateAnnotations(ds.getSpec() == null ? null : ds.getSpec().getTemplate()));
    }

    private static String object(String namespace, String name) {
        return "DaemonSet " + namespace + "/" + name;
    }
}
