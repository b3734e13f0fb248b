package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetSpec;
import io.kubernetes.client.openapi.models.V1DaemonSetStatus;
import io.kubernetes.client.openapi.models.V1DaemonSetUpdateStrategy;
import io.kubernetes.client.openapi.models.V1RollingUpdateDaemonSet;
import okhttp3.Call;
import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.openapi.models.V1DaemonSetList;
import java.lang.reflect.Type;

import java.util.List;

/**
 * DaemonSets: rolling-update knobs in {@code spec.updateStrategy.rollingUpdate} (maxSurge works since 1.22); the
 * workload's replica count is the number of nodes it should run on ({@code status.desiredNumberScheduled}).
 */
final class DaemonSetKind extends KindStrategy<V1DaemonSet> {

    DaemonSetKind(KubeCalls calls) {
        super(calls, WorkloadKind.DaemonSet, V1DaemonSet.class, DaemonSetKind::toWorkload, DaemonSetKind::rolloutRule);
    }

    @Override
    List<V1DaemonSet> listCall(String namespace) throws ApiException {
        return apps.listNamespacedDaemonSet(namespace).execute().getItems();
    }

    @Override
    Listed<V1DaemonSet> listWithVersion(String namespace) throws ApiException {
        V1DaemonSetList list = apps.listNamespacedDaemonSet(namespace).execute();
        return new Listed<>(list.getItems(), list.getMetadata() == null ? null : list.getMetadata().getResourceVersion());
    }

    @Override
    Paged.Page<V1DaemonSet> listAllPage(String continueToken, int limit) throws ApiException {
        V1DaemonSetList list = apps.listDaemonSetForAllNamespaces().limit(limit)._continue(continueToken).execute();
        return new Paged.Page<>(list.getItems(), list.getMetadata() == null ? null : list.getMetadata().getContinue());
    }

    @Override
    Call watchCall(String namespace, String resourceVersion) throws ApiException {
        return apps.listNamespacedDaemonSet(namespace).watch(true).allowWatchBookmarks(true).resourceVersion(resourceVersion)
                .timeoutSeconds(WorkloadWatch.WATCH_SECONDS).buildCall(null);
    }

    @Override
    Type watchType() {
        return new TypeToken<Watch.Response<V1DaemonSet>>() { }.getType();
    }

    @Override
    V1DaemonSet readCall(String namespace, String name) throws ApiException {
        return apps.readNamespacedDaemonSet(name, namespace).execute();
    }

    @Override
    Call patchCall(String namespace, String name, V1Patch body, String fieldManager, String dryRun) throws ApiException {
        return apps.patchNamespacedDaemonSet(name, namespace, body).fieldManager(fieldManager).dryRun(dryRun).buildCall(null);
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

    /** The replica count of a DaemonSet is the number of nodes it should run on, {@code status.desiredNumberScheduled}. */
    static Workload toWorkload(V1DaemonSet ds) {
        V1DaemonSetSpec spec = ds.getSpec();
        V1DaemonSetUpdateStrategy strategy = spec == null ? null : spec.getUpdateStrategy();
        V1RollingUpdateDaemonSet ru = strategy == null ? null : strategy.getRollingUpdate();
        return workload(WorkloadKind.DaemonSet, ds.getMetadata(), spec == null ? null : spec.getTemplate(),
                ds.getStatus() == null ? 0 : KubeObjects.orZero(ds.getStatus().getDesiredNumberScheduled()),
                strategy == null ? null : strategy.getType(),
                ru == null ? null : ru.getMaxUnavailable(), ru == null ? null : ru.getMaxSurge());
    }
}
