package dev.revroll.ports;

import dev.revroll.plan.WorkloadKind;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the engine reads from the cluster: plain records, no client-java types. */
public final class ClusterModel {

    private ClusterModel() {
    }

    public record NamespaceState(String name, Map<String, String> labels, Map<String, String> annotations) {
    }

    public record NamespaceRef(String name) implements ObjectRef {
        @Override
        public String describe() {
            return "Namespace " + name;
        }
    }

    public record WorkloadRef(WorkloadKind kind, String namespace, String name) implements ObjectRef {
        /** {@code Deployment/web}: how a step's record names its workloads. */
        public String key() {
            return kind + "/" + name;
        }

        @Override
        public String describe() {
            return kind + " " + namespace + "/" + name;
        }

        @Override
        public String toString() {
            return kind + "/" + namespace + "/" + name;
        }
    }

    public record PodRef(String namespace, String name) implements ObjectRef {
        @Override
        public String describe() {
            return "Pod " + namespace + "/" + name;
        }
    }

    /**
     * A Deployment, StatefulSet or DaemonSet. {@code strategyType}: RollingUpdate / Recreate / OnDelete.
     * {@code maxUnavailable}/{@code maxSurge} as written in the spec ("0", "1", "25%"), empty when not set.
     */
    public record Workload(
            WorkloadRef ref,
            long generation,
            int replicas,
            String strategyType,
            Optional<String> maxUnavailable,
            Optional<String> maxSurge,
            Map<String, String> annotations,
            Map<String, String> podTemplateLabels,
            Map<String, String> podTemplateAnnotations) {
    }

    /** kubectl's rollout rule applied: done, failed (progress deadline exceeded), or still going, with a message. */
    public record RolloutState(boolean done, boolean failed, String message) {
    }

    /**
     * A pod; {@code owner} is the top-level workload it belongs to (ReplicaSet resolved to its Deployment), when any;
     * {@code restarts} is the sum of its containers' (init containers' too) restart counts; {@code controller} is its
     * controlling owner reference as {@code Kind/name} ({@code Job/backup}, {@code ReplicaSet/web-5d4f}), empty for a
     * bare pod.
     */
    public record PodState(
            String namespace,
            String name,
            Map<String, String> labels,
            Map<String, String> annotations,
            String phase,
            boolean ready,
            boolean deleting,
            boolean hasIstioProxy,
            Optional<WorkloadRef> owner,
            Instant created,
            int restarts,
            Optional<String> controller) {

        /** A pod whose controller is its workload itself (or, without an owner, a bare pod). */
        public PodState(String namespace, String name, Map<String, String> labels, Map<String, String> annotations, String phase,
                        boolean ready, boolean deleting, boolean hasIstioProxy, Optional<WorkloadRef> owner, Instant created, int restarts) {
            this(namespace, name, labels, annotations, phase, ready, deleting, hasIstioProxy, owner, created, restarts,
                    owner.map(WorkloadRef::key));
        }

        /** The kind of its controller ({@code Job}, {@code ReplicaSet}, ...), empty for a bare pod. */
        public Optional<String> controllerKind() {
            return controller.map(c -> c.substring(0, c.indexOf('/')));
        }
    }

    /** One webhook entry of an injector configuration. */
    public record WebhookEntry(String name, LabelSelector namespaceSelector, LabelSelector objectSelector) {
    }

    /**
     * A sidecar-injector MutatingWebhookConfiguration: a revision's ({@code tag} empty) or a tag's
     * ({@code revision} is the revision the tag points at).
     */
    public record InjectorWebhook(String name, Optional<String> revision, Optional<String> tag, List<WebhookEntry> entries) {
    }

    /** An istiod pod of one revision. */
    public record IstiodPod(String namespace, String name, String revision, boolean ready) {
    }

    /** A warning event on an object (FailedCreate from a ReplicaSet whose injector is down, ...). */
    public record ClusterEvent(String involvedKind, String involvedName, String reason, String message, Instant last) {
    }

    /**
     * A Kubernetes Event (events.k8s.io/v1) revroll reports about an object it works on (docs/kubernetes-events.md):
     * written in {@code namespace}, about {@code regarding} (the step's Namespace, or one of its workloads), with a
     * stable {@code reason} a person filters on, a machine-readable {@code action}, a {@code note} a person reads, and
     * the run as {@code reportingInstance}.
     */
    public record ReportedEvent(String namespace, ObjectRef regarding, EventType type, String reason, String action,
                                String note, String reportingInstance, Instant at) {
    }

    /** An Event's type, as the API server accepts it. */
    public enum EventType {
        Normal, Warning
    }
}
