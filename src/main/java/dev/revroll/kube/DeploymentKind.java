package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1RollingUpdateDeployment;
import okhttp3.Call;
import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import java.lang.reflect.Type;

import java.util.List;

/**
 * Deployments: rolling-update knobs in {@code spec.strategy.rollingUpdate}; done by kubectl's rule (observed
 * generation, no ProgressDeadlineExceeded, all replicas updated, no old ones left, all updated ones available).
 */
final class DeploymentKind extends KindStrategy<V1Deployment> {

    DeploymentKind(KubeCalls calls) {
        super(calls, WorkloadKind.Deployment, V1Deployment.class, DeploymentKind::toWorkload, DeploymentKind::rolloutRule);
    }

    @Override
    List<V1Deployment> listCall(String namespace) throws ApiException {
        return apps.listNamespacedDeployment(namespace).execute().getItems();
    }

    @Override
    Listed<V1Deployment> listWithVersion(String namespace) throws ApiException {
        V1DeploymentList list = apps.listNamespacedDeployment(namespace).execute();
        return new Listed<>(list.getItems(), list.getMetadata() == null ? null : list.getMetadata().getResourceVersion());
    }

    @Override
    Paged.Page<V1Deployment> listAllPage(String continueToken, int limit) throws ApiException {
        V1DeploymentList list = apps.listDeploymentForAllNamespaces().limit(limit)._continue(continueToken).execute();
        return new Paged.Page<>(list.getItems(), list.getMetadata() == null ? null : list.getMetadata().getContinue());
    }

    @Override
    Call watchCall(String namespace, String resourceVersion) throws ApiException {
        return apps.listNamespacedDeployment(namespace).watch(true).allowWatchBookmarks(true).resourceVersion(resourceVersion)
                .timeoutSeconds(WorkloadWatch.WATCH_SECONDS).buildCall(null);
    }

    @Override
    Type watchType() {
        return new TypeToken<Watch.Response<V1Deployment>>() { }.getType();
    }

    @Override
    V1Deployment readCall(String namespace, String name) throws ApiException {
        return apps.readNamespacedDeployment(name, namespace).execute();
    }

    @Override
    Call patchCall(String namespace, String name, V1Patch body, String fieldManager, String dryRun) throws ApiException {
        return apps.patchNamespacedDeployment(name, namespace, body).fieldManager(fieldManager).dryRun(dryRun).buildCall(null);
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
        V1DeploymentSpec spec = d.getSpec();
        V1DeploymentStrategy strategy = spec == null ? null : spec.getStrategy();
        V1RollingUpdateDeployment ru = strategy == null ? null : strategy.getRollingUpdate();
        return workload(WorkloadKind.Deployment, d.getMetadata(), spec == null ? null : spec.getTemplate(),
                spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas(),
                strategy == null ? null : strategy.getType(),
                ru == null ? null : ru.getMaxUnavailable(), ru == null ? null : ru.getMaxSurge());
    }
}
