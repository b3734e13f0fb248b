package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1RollingUpdateStatefulSetStrategy;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StatefulSetStatus;
import io.kubernetes.client.openapi.models.V1StatefulSetUpdateStrategy;
import okhttp3.Call;
import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.openapi.models.V1StatefulSetList;
import java.lang.reflect.Type;

import java.util.List;

/**
 * StatefulSets. They have no surge: the controller replaces one pod at a time (maxUnavailable, default 1), which is
 * their make-before-break; {@code OnDelete} ones change only when their pods are deleted (the engine does that, one
 * pod at a time, each waited for). The {@link Workload} of a StatefulSet never has a maxSurge.
 */
final class StatefulSetKind extends KindStrategy<V1StatefulSet> {

    static final String ON_DELETE = "OnDelete";

    StatefulSetKind(KubeCalls calls) {
        super(calls, WorkloadKind.StatefulSet, V1StatefulSet.class, StatefulSetKind::toWorkload, StatefulSetKind::rolloutRule);
    }

    @Override
    List<V1StatefulSet> listCall(String namespace) throws ApiException {
        return apps.listNamespacedStatefulSet(namespace).execute().getItems();
    }

    @Override
    Listed<V1StatefulSet> listWithVersion(String namespace) throws ApiException {
        V1StatefulSetList list = apps.listNamespacedStatefulSet(namespace).execute();
        return new Listed<>(list.getItems(), list.getMetadata() == null ? null : list.getMetadata().getResourceVersion());
    }

    @Override
    Paged.Page<V1StatefulSet> listAllPage(String continueToken, int limit) throws ApiException {
        V1StatefulSetList list = apps.listStatefulSetForAllNamespaces().limit(limit)._continue(continueToken).execute();
        return new Paged.Page<>(list.getItems(), list.getMetadata() == null ? null : list.getMetadata().getContinue());
    }

    @Override
    Call watchCall(String namespace, String resourceVersion) throws ApiException {
        return apps.listNamespacedStatefulSet(namespace).watch(true).allowWatchBookmarks(true).resourceVersion(resourceVersion)
                .timeoutSeconds(WorkloadWatch.WATCH_SECONDS).buildCall(null);
    }

    @Override
    Type watchType() {
        return new TypeToken<Watch.Response<V1StatefulSet>>() { }.getType();
    }

    @Override
    V1StatefulSet readCall(String namespace, String name) throws ApiException {
        return apps.readNamespacedStatefulSet(name, namespace).execute();
    }

    @Override
    Call patchCall(String namespace, String name, V1Patch body, String fieldManager, String dryRun) throws ApiException {
        return apps.patchNamespacedStatefulSet(name, namespace, body).fieldManager(fieldManager).dryRun(dryRun).buildCall(null);
    }

    /**
     * kubectl's {@code StatefulSetStatusViewer} for RollingUpdate: observed generation, every replica ready, the
     * partition's share updated (or currentRevision == updateRevision without a rollingUpdate block). kubectl has no
     * rule for {@code OnDelete}; here one is done when observed, every replica ready and every replica updated (each
     * pod recreated at the update revision).
     */
    static RolloutState rolloutRule(V1StatefulSet sts) {
        String name = sts.getMetadata().getName();
        V1StatefulSetStatus status = sts.getStatus() == null ? new V1StatefulSetStatus() : sts.getStatus();
        long observed = KubeObjects.orZero(status.getObservedGeneration());
        if (observed == 0 || KubeObjects.generation(sts.getMetadata()) > observed) {
            return new RolloutState(false, false, "waiting for statefulset spec update to be observed");
        }
        Integer specReplicas = sts.getSpec() == null ? null : sts.getSpec().getReplicas();
        int ready = KubeObjects.orZero(status.getReadyReplicas());
        int updated = KubeObjects.orZero(status.getUpdatedReplicas());
        if (specReplicas != null && ready < specReplicas) {
            return new RolloutState(false, false, "waiting for " + (specReplicas - ready) + " pods of statefulset \"" + name + "\" to be ready");
        }
        if (ON_DELETE.equals(strategyType(sts))) {
            int replicas = specReplicas == null ? 1 : specReplicas;
            if (updated < replicas) {
                return new RolloutState(false, false, "waiting for OnDelete statefulset \"" + name + "\": " + updated + " out of "
                        + replicas + " pods recreated at revision " + status.getUpdateRevision());
            }
            return new RolloutState(true, false, "OnDelete statefulset \"" + name + "\": all " + updated + " pods at revision "
                    + status.getUpdateRevision());
        }
        V1StatefulSetUpdateStrategy strategy = sts.getSpec() == null ? null : sts.getSpec().getUpdateStrategy();
        V1RollingUpdateStatefulSetStrategy ru = strategy == null ? null : strategy.getRollingUpdate();
        if (ru != null) {
            if (specReplicas != null && ru.getPartition() != null && updated < specReplicas - ru.getPartition()) {
                return new RolloutState(false, false, "waiting for partitioned roll out of statefulset \"" + name + "\" to finish: "
                        + updated + " out of " + (specReplicas - ru.getPartition()) + " new pods have been updated");
            }
            return new RolloutState(true, false, "partitioned roll out of statefulset \"" + name + "\" complete: " + updated
                    + " new pods have been updated");
        }
        if (status.getUpdateRevision() != null && !status.getUpdateRevision().equals(status.getCurrentRevision())) {
            return new RolloutState(false, false, "waiting for statefulset \"" + name + "\" rolling update to complete " + updated
                    + " pods at revision " + status.getUpdateRevision());
        }
        return new RolloutState(true, false, "statefulset \"" + name + "\" rolling update complete "
                + KubeObjects.orZero(status.getCurrentReplicas()) + " pods at revision " + status.getCurrentRevision());
    }

    static String strategyType(V1StatefulSet sts) {
        V1StatefulSetUpdateStrategy strategy = sts.getSpec() == null ? null : sts.getSpec().getUpdateStrategy();
        return strategy == null || strategy.getType() == null ? "RollingUpdate" : strategy.getType();
    }

    /** A StatefulSet has no maxSurge: its {@link Workload} never has one. */
    static Workload toWorkload(V1StatefulSet sts) {
        V1StatefulSetSpec spec = sts.getSpec();
        V1StatefulSetUpdateStrategy strategy = spec == null ? null : spec.getUpdateStrategy();
        V1RollingUpdateStatefulSetStrategy ru = strategy == null ? null : strategy.getRollingUpdate();
        return workload(WorkloadKind.StatefulSet, sts.getMetadata(), spec == null ? null : spec.getTemplate(),
                spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas(),
                strategyType(sts),
                ru == null ? null : ru.getMaxUnavailable(), null);
    }
}
