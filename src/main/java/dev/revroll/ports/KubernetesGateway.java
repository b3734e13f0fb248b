package dev.revroll.ports;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.ClusterEvent;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.IstiodPod;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.ReportedEvent;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the engine does to and reads from the cluster. The client-java adapter is the production one; writes
 * take {@code dryRun} and are then sent with server-side dry run ({@code dryRun=All}) so admission answers without
 * anything being written. Writes use field manager {@code revroll}.
 */
public interface KubernetesGateway {

    /** The kube context in use ("in-cluster" inside a pod). */
    String contextName();

    Optional<NamespaceState> namespace(String name);

    /** Namespaces matching a label selector string ({@code team=shop,tier!=x}). */
    List<NamespaceState> namespaces(String labelSelector);

    /**
     * One JSON merge patch on the object (docs/kubernetes-rollouts.md#json-merge-patch); every change revroll makes
     * to the cluster is one of these. {@code dryRun}: server-side dry run, admission answers and nothing is written.
     */
    void patch(ObjectRef target, MergePatch patch, boolean dryRun);

    /** Deletes the pod (an OnDelete workload's pod being replaced); one that is already gone is fine. */
    void delete(PodRef pod, boolean dryRun);

    /**
     * Creates one Kubernetes Event (events.k8s.io/v1, docs/kubernetes-events.md), reported by controller
     * {@code revroll.dev/revroll}. An Event is a record of what happened, not a change revroll undoes; it is sent once.
     */
    void createEvent(ReportedEvent event);

    List<Workload> workloads(String namespace, Set<WorkloadKind> kinds);

    /**
     * The pods of many namespaces at once (a fleet's survey), each namespace's as {@link #pods} gives them; a namespace
     * without pods maps to an empty list. An adapter may read them with fewer requests than one list per namespace.
     */
    default Map<String, List<PodState>> podsIn(List<String> namespaces) {
        Map<String, List<PodState>> by = new java.util.LinkedHashMap<>();
        namespaces.forEach(ns -> by.put(ns, pods(ns)));
        return by;
    }

    /**
     * The workloads of many namespaces at once (a fleet's survey), each namespace's sorted as {@link #workloads} sorts
     * them; a namespace without workloads maps to an empty list. An adapter may read them with fewer requests than one
     * list per namespace and kind.
     */
    default Map<String, List<Workload>> workloadsIn(List<String> namespaces, Set<WorkloadKind> kinds) {
        Map<String, List<Workload>> by = new java.util.LinkedHashMap<>();
        namespaces.forEach(ns -> by.put(ns, workloads(ns, kinds)));
        return by;
    }

    Optional<Workload> workload(WorkloadRef ref);

    /** kubectl's rollout-status rule for the workload's kind. */
    RolloutState rolloutState(WorkloadRef ref);

    List<PodState> pods(String namespace);

    /**
     * The workloads of one namespace as a waiting step reads them again and again (rollout status): the adapter lists
     * them once and then follows a watch, as {@code kubectl rollout status} does, so a wait costs a list and a watch per
     * kind instead of two reads per workload per look, and it sees a change when it happens. This default reads
     * through on every call and waits by sleeping (fakes, and adapters without watches).
     */
    default WorkloadView watchWorkloads(String namespace, Set<WorkloadKind> kinds) {
        KubernetesGateway self = this;
        return new WorkloadView() {
            @Override
            public Optional<Workload> workload(WorkloadRef ref) {
                return self.workload(ref);
            }

            @Override
            public RolloutState rolloutState(WorkloadRef ref) {
                return self.rolloutState(ref);
            }

            @Override
            public void awaitChange(Duration max) throws InterruptedException {
                Thread.sleep(Math.max(1, max.toMillis()));
            }

            @Override
            public void close() {
            }
        };
    }

    /** What {@link #watchWorkloads} hands out; closed when the wait ends. */
    interface WorkloadView extends AutoCloseable {
        Optional<Workload> workload(WorkloadRef ref);

        /** kubectl's rollout-status rule on the workload as last seen; a workload that is gone has failed. */
        RolloutState rolloutState(WorkloadRef ref);

        /** Returns when something of the namespace's watched workloads changed, or after {@code max} at the latest. */
        void awaitChange(Duration max) throws InterruptedException;

        @Override
        void close();
    }

    /** Warning events in a namespace newer than {@code since} seconds ago (FailedCreate and the like). */
    List<ClusterEvent> warningEvents(String namespace, Duration since);

    /** Every sidecar-injector webhook configuration (revisions and tags), with their entries' selectors. */
    List<InjectorWebhook> injectorWebhooks();

    /** Pods of {@code istiod-<revision>} in the control-plane namespace (label {@code istio.io/rev=<revision>, app=istiod}). */
    List<IstiodPod> istiodPods(String controlPlaneNamespace, String revision);

    /** HTTP GET on a pod's port through an API-server port-forward (how istioctl reaches istiod); returns the body. */
    String podHttpGet(String namespace, String pod, int port, String path, Duration timeout);

    /** A ConfigMap's data key, when present (mesh config {@code istio-<rev>}: key {@code mesh}). */
    Optional<String> configMapValue(String namespace, String name, String key);

    /**
     * Whether the identity revroll runs as may do this, as the API server answers a SelfSubjectAccessReview for it
     * (docs/in-cluster.md#preflight). Writes nothing. A refused review (the identity may not even ask) is a read
     * failure naming {@code create selfsubjectaccessreviews.authorization.k8s.io}.
     */
    boolean allowed(Access access);
}
