package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1RollingUpdateDeployment;
import io.kubernetes.client.util.PatchUtils;

import java.util.List;
import java.util.Optional;

/**
 * Deployments: rolling-update knobs in {@code spec.strategy.rollingUpdate}; done by kubectl's rule (observed
 * generation, no ProgressDeadlineExceeded, all replicas updated, no old ones left, all updated ones available).
 */
final class DeploymentKind implements KindStrategy {

    private final KubeCalls calls;
    private final ApiClient client;
    private final AppsV1Api apps;

    DeploymentKind(KubeCalls calls) {
        this.calls = calls;
        this.client = calls.connection().apiClient();
        this.apps = new AppsV1Api(client);
    }

    @Override
    public WorkloadKind kind() {
        return WorkloadKind.Deployment;
    }

    @Override
    public List<Workload> list(String namespace) {
        return calls.read("list", "Deployments in namespace " + namespace,
                        () -> apps.listNamespacedDeployment(namespace).execute())
                .getItems().stream().map(DeploymentKind::toWorkload).toList();
    }

    @Override
    public Optional<Workload> read(String namespace, String name) {
        return get(namespace, name).map(DeploymentKind::toWorkload);
    }

    private Optional<V1Deployment> get(String namespace, String name) {
        try {
            return Optional.of(calls.read("read", object(namespace, name), () -> apps.readNamespacedDeployment(name, namespace).execute()));
        } catch (KubeApiException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void patch(String namespace, String name, MergePatch patch, boolean dryRun) {
        calls.idempotentWrite(dryRun ? "dry-run patch" : "patch", object(namespace, name), () -> PatchUtils.patch(V1Deployment.class,
                () -> apps.patchNamespacedDeployment(name, namespace, patch.toV1Patch())
                        .fieldManager(ClientJavaKubernetesGateway.FIELD_MANAGER)
                        .dryRun(dryRun ? ClientJavaKubernetesGateway.DRY_RUN_ALL : null)
                        .buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    }

    /** Sets {@code spec.strategy.rollingUpdate.maxUnavailable}/{@code maxSurge}; null removes (default 25%). */
    @Override
    public void patchRollingUpdate(String namespace, String name, String maxUnavailable, String maxSurge, boolean dryRun) {
        patch(namespace, name, new MergePatch()
                .set(MergePatch.intOrString(maxUnavailable), "spec", "strategy", "rollingUpdate", "maxUnavailable")
                .set(MergePatch.intOrString(maxSurge), "spec", "strategy", "rollingUpdate", "maxSurge"), dryRun);
    }

    @Override
    public RolloutState rolloutState(String namespace, String name) {
        return get(namespace, name).map(DeploymentKind::rolloutRule)
                .orElseGet(() -> new RolloutState(false, true, "deployment " + namespace + "/" + name + " no longer exists"));
    }

    /** kubectl's {@code DeploymentStatusViewer}. */
    static RolloutState rolloutRule(V1Deployment d) {
        String name = d.getMetadata().getName();
        V1DeploymentStatus status = d.getStatus() == null ? new V1DeploymentStatus() : d.getStatus();
        if (KubeObjects.generation(d.getMetadata()) > KubeObjects.orZero(status.getObservedGeneration())) {
            return new RolloutState(false, false, "waiting for deployment spec update to be observed");
        }
        if (status.getConditions() != null) {
            for (V1DeploymentCondition c : status.getConditions()) {
                if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
                    return new RolloutState(false, true, "deployment \"" + name + "\" exceeded its progress deadline"
                            + (c.getMessage() == null ? "" : ": " + c.getMessage()));
                }
            }
        }
        int replicas = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int updated = KubeObjects.orZero(status.getUpdatedReplicas());
        int total = KubeObjects.orZero(status.getReplicas());
        int available = KubeObjects.orZero(status.getAvailableReplicas());
        if (updated < replicas) {
            return new RolloutState(false, false, "waiting for deployment \"" + name + "\" rollout to finish: " + updated
                    + " out of " + replicas + " new replicas have been updated");
        }
        if (total > updated) {
            return new RolloutState(false, false, "waiting for deployment \"" + name + "\" rollout to finish: " + (total - updated)
                    + " old replicas are pending termination");
        }
        if (available < updated) {
            return new RolloutState(false, false, "waiting for deployment \"" + name + "\" rollout to finish: " + available
                    + " of " + updated + " updated replicas are available");
        }
        return new RolloutState(true, false, "deployment \"" + name + "\" successfully rolled out");
    }

    static Workload toWorkload(V1Deployment d) {
        V1DeploymentStrategy strategy = d.getSpec() == null ? null : d.getSpec().getStrategy();
        V1RollingUpdateDeployment ru = strategy == null ? null : strategy.getRollingUpdate();
        return new Workload(
                new WorkloadRef(WorkloadKind.Deployment, d.getMetadata().getNamespace(), d.getMetadata().getName()),
                KubeObjects.generation(d.getMetadata()),
                d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(),
                strategy == null || strategy.getType() == null ? "RollingUpdate" : strategy.getType(),
                ru == null ? Optional.empty() : KubeObjects.intOrString(ru.getMaxUnavailable()),
                ru == null ? Optional.empty() : KubeObjects.intOrString(ru.getMaxSurge()),
                KubeObjects.annotations(d.getMetadata()),
                KubeObjects.templateLabels(d.getSpec() == null ? null : d.getSpec().getTemplate()),
                KubeObjects.templateAnnotations(d.getSpec() == null ? null : d.getSpec().getTemplate()));
    }

    private static String object(String namespace, String name) {
        return "Deployment " + namespace + "/" + name;
    }
}
