package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.MergePatch;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.util.PatchUtils;
import okhttp3.Call;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * One workload kind (Deployment, StatefulSet, DaemonSet) as client-java type {@code T}. Reading (a missing object is
 * empty), the JSON merge patch (field manager, server-side dry run) and "a workload that is gone is a failed rollout"
 * are the same for all three and written here once. What differs is given by each kind: its three AppsV1Api calls,
 * how its object maps to a {@link Workload} and kubectl's rule for "rollout done" (docs/kubernetes-rollouts.md). What a
 * patch says (where a kind keeps its rolling-update knobs) is the engine's business: it sends whole merge patches.
 */
abstract sealed class KindStrategy<T extends KubernetesObject> permits DeploymentKind, StatefulSetKind, DaemonSetKind {

    private final KubeCalls calls;
    private final WorkloadKind kind;
    private final Class<T> type;
    private final Function<T, Workload> toWorkload;
    private final Function<T, RolloutState> rolloutRule;
    private final ApiClient client;
    /** The API the per-kind calls go through. */
    final AppsV1Api apps;

    KindStrategy(KubeCalls calls, WorkloadKind kind, Class<T> type, Function<T, Workload> toWorkload,
                 Function<T, RolloutState> rolloutRule) {
        this.calls = calls;
        this.kind = kind;
        this.type = type;
        this.toWorkload = toWorkload;
        this.rolloutRule = rolloutRule;
        this.client = calls.connection().apiClient();
        this.apps = new AppsV1Api(client);
    }

    /** {@code apps.listNamespaced<Kind>(namespace)}, its items. */
    abstract List<T> listCall(String namespace) throws ApiException;

    /** A list's items and the resourceVersion a watch continues from. */
    record Listed<T>(List<T> items, String resourceVersion) {
    }

    /** {@code apps.listNamespaced<Kind>(namespace)} with the list's resourceVersion (what a watch starts from). */
    abstract Listed<T> listWithVersion(String namespace) throws ApiException;

    /** The watch of the namespace's objects of this kind from {@code resourceVersion} (bookmarks on, ended by the server). */
    abstract Call watchCall(String namespace, String resourceVersion) throws ApiException;

    /** {@code Watch.Response<T>}, for client-java's watch decoder. */
    abstract java.lang.reflect.Type watchType();

    /** The object as the engine sees it. */
    final Workload asWorkload(T object) {
        return toWorkload.apply(object);
    }

    /** kubectl's rollout-status rule on an object already read. */
    final RolloutState ruleOf(T object) {
        return rolloutRule.apply(object);
    }

    final KubeCalls calls() {
        return calls;
    }

    final Class<T> type() {
        return type;
    }

    /** {@code apps.readNamespaced<Kind>(name, namespace)}. */
    abstract T readCall(String namespace, String name) throws ApiException;

    /** {@code apps.patchNamespaced<Kind>(name, namespace, body)} with the given field manager and dry run, as a call. */
    abstract Call patchCall(String namespace, String name, V1Patch body, String fieldManager, String dryRun) throws ApiException;

    final WorkloadKind kind() {
        return kind;
    }

    /** One page of this kind in all namespaces ({@code continueToken} null for the first). */
    abstract Paged.Page<T> listAllPage(String continueToken, int limit) throws ApiException;

    /** This kind's workloads in the given namespaces, from a list over all namespaces in pages of {@code pageSize}. */
    final java.util.Map<String, List<Workload>> listIn(java.util.Set<String> namespaces, int pageSize) {
        return Paged.inNamespaces(calls, kind.name() + "s", namespaces, token -> listAllPage(token, pageSize), toWorkload);
    }

    final List<Workload> list(String namespace) {
        return calls.read("list", kind.name() + "s in namespace " + namespace, () -> listCall(namespace))
                .stream().map(toWorkload).toList();
    }

    final Optional<Workload> read(String namespace, String name) {
        return get(namespace, name).map(toWorkload);
    }

    /** The object, or empty when the API server says it does not exist (404); any other failure is thrown. */
    final Optional<T> get(String namespace, String name) {
        try {
            return Optional.of(calls.read("read", object(namespace, name), () -> readCall(namespace, name)));
        } catch (KubeApiException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sends a JSON merge patch to the workload (server-side dry run when asked); retried, as it is idempotent. */
    final void patch(String namespace, String name, MergePatch patch, boolean dryRun) {
        calls.idempotentWrite(dryRun ? "dry-run patch" : "patch", object(namespace, name), () -> PatchUtils.patch(type,
                () -> patchCall(namespace, name, new V1Patch(patch.json()), ClientJavaKubernetesGateway.FIELD_MANAGER,
                        dryRun ? ClientJavaKubernetesGateway.DRY_RUN_ALL : null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    }

    /** kubectl's {@code rollout status} rule for this kind; a workload that is gone is a failed rollout. */
    final RolloutState rolloutState(String namespace, String name) {
        return get(namespace, name).map(rolloutRule).orElseGet(() -> gone(namespace, name));
    }

    final RolloutState gone(String namespace, String name) {
        return new RolloutState(false, true, kind.name().toLowerCase(Locale.ROOT) + " " + namespace + "/" + name + " no longer exists");
    }

    /**
     * A {@link Workload} from what each kind reads off its own spec (replicas, strategy, rolling-update knobs); the
     * rest (reference, generation, annotations, pod template labels and annotations) is read the same way for all.
     * A strategy type that is not set is the API's default, {@code RollingUpdate}; a knob not set is empty.
     */
    static Workload workload(WorkloadKind kind, V1ObjectMeta metadata, V1PodTemplateSpec template, int replicas,
                             String strategyType, IntOrString maxUnavailable, IntOrString maxSurge) {
        return new Workload(
                new WorkloadRef(kind, metadata.getNamespace(), metadata.getName()),
                KubeObjects.generation(metadata),
                replicas,
                strategyType == null ? "RollingUpdate" : strategyType,
                KubeObjects.intOrString(maxUnavailable),
                KubeObjects.intOrString(maxSurge),
                KubeObjects.annotations(metadata),
                KubeObjects.templateLabels(template),
                KubeObjects.templateAnnotations(template));
    }

    /** The object as messages name it: {@code Kind namespace/name}. */
    final String object(String namespace, String name) {
        return kind.name() + " " + namespace + "/" + name;
    }
}
