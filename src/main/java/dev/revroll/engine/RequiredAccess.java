package dev.revroll.engine;

import dev.revroll.plan.Plan;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.Access;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one list of what revroll needs to be allowed to do for a plan (docs/in-cluster.md#permissions): preflight asks
 * the API server for exactly these (SelfSubjectAccessReviews), and {@code revroll manifests} grants exactly these (a
 * ClusterRole for the cluster-wide rules, a Role in the control-plane namespace for the journal and the lock), so the
 * two cannot drift apart. Every verb says why; nothing is a wildcard. Derived from the calls the adapters make
 * ({@code kube/ClientJavaKubernetesGateway}, its kind strategies, {@code ConfigMapJournalStore}, {@code LeaseRunLock}).
 */
public final class RequiredAccess {

    private RequiredAccess() {
    }

    /** Where a rule applies. */
    public enum Scope {
        /** A cluster-scoped resource (namespaces, webhook configurations, access reviews). */
        CLUSTER,
        /** A namespaced resource in every namespace the plan moves (selector waves find them at run time). */
        TARGET_NAMESPACES,
        /** A namespaced resource in the plan's control-plane namespace only (journal, lock, istiod). */
        CONTROL_PLANE
    }

    /**
     * One RBAC rule: a resource ({@code pods/portforward} for a subresource) of an API group ({@code ""} core) and the
     * verbs on it, each with the reason revroll needs it.
     */
    public record Rule(Scope scope, String group, String resource, Map<String, String> verbs) {

        public Rule {
            verbs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(verbs));
        }

        /** The resource without its subresource ({@code pods} for {@code pods/portforward}). */
        public String baseResource() {
            int slash = resource.indexOf('/');
            return slash < 0 ? resource : resource.substring(0, slash);
        }

        public String subresource() {
            int slash = resource.indexOf('/');
            return slash < 0 ? "" : resource.substring(slash + 1);
        }

        /** The access review for one verb of this rule in a namespace ({@code ""}: cluster-scoped or all namespaces). */
        public Access access(String verb, String namespace) {
            return new Access(verb, group, baseResource(), subresource(), namespace);
        }
    }

    /** Every rule the plan needs, in a stable order (cluster-scoped, then target namespaces, then control plane). */
    public static List<Rule> of(Plan plan) {
        Plan.Spec spec = plan.spec();
        List<WorkloadKind> kinds = spec.restart().kinds();
        List<Rule> rules = new ArrayList<>();

        rules.add(new Rule(Scope.CLUSTER, "", "namespaces", verbs(
                "get", "read a listed namespace's labels and annotations (waves, drift, rollback)",
                "list", "find the namespaces a wave's selector matches; read many listed namespaces at once",
                "patch", "relabel a namespace (istio.io/rev, istio-injection, revroll.dev/previous-labels), put its labels back on rollback, the break-glass mark")));
        rules.add(new Rule(Scope.CLUSTER, "admissionregistration.k8s.io", "mutatingwebhookconfigurations", verbs(
                "list", "find the sidecar injectors of each revision and tag (which istiod a namespace's labels select)")));
        rules.add(new Rule(Scope.CLUSTER, "authorization.k8s.io", "selfsubjectaccessreviews", verbs(
                "create", "ask the API server whether every permission in this list is granted (preflight)")));

        for (WorkloadKind kind : WorkloadKind.values()) {
            if (kinds.contains(kind)) {
                String plural = kind.name().toLowerCase(java.util.Locale.ROOT) + "s";
                rules.add(new Rule(Scope.TARGET_NAMESPACES, "apps", plural, verbs(
                        "get", "read a " + kind + " again before each change and while its rollout is watched",
                        "list", "find the " + kind + "s of a namespace to restart (of many namespaces at once, in pages, when granted in all), and start following them while their rollout is waited for",
                        "watch", "follow a namespace's " + kind + "s while their rollout is waited for, as kubectl rollout status does",
                        "patch", "restart a " + kind + " (pod template restartedAt), set and restore its surge (maxUnavailable 0 / maxSurge 1, revroll.dev/saved-rolling-update)")));
            }
        }
        if (kinds.contains(WorkloadKind.Deployment)) {
            rules.add(new Rule(Scope.TARGET_NAMESPACES, "apps", "replicasets", verbs(
                    "list", "tell which Deployment a pod belongs to (pod -> ReplicaSet -> Deployment)")));
        }
        Map<String, String> pods = new LinkedHashMap<>();
        pods.put("list", "check every restarted pod: Ready, injected by the target revision, not terminating");
        if (kinds.contains(WorkloadKind.StatefulSet)) {
            pods.put("delete", "replace the pods of an OnDelete StatefulSet one at a time");
        }
        rules.add(new Rule(Scope.TARGET_NAMESPACES, "", "pods", pods));
        rules.add(new Rule(Scope.TARGET_NAMESPACES, "", "events", verbs(
                "list", "report warning events (FailedCreate and the like) when a rollout does not finish")));
        rules.add(new Rule(Scope.TARGET_NAMESPACES, "events.k8s.io", "events", verbs(
                "create", "record what revroll did on each namespace (step started, gate results, step result, rollback)")));

        rules.add(new Rule(Scope.CONTROL_PLANE, "", "configmaps", verbs(
                "get", "read a run's journal (revroll-run-<id>) and the revision's mesh config (istio-<revision>)",
                "list", "find the runs (status, resume, rollback without a run id)",
                "create", "write a new run's journal",
                "update", "write the journal before and after every action (compare-and-swap on resourceVersion)")));
        rules.add(new Rule(Scope.CONTROL_PLANE, "coordination.k8s.io", "leases", verbs(
                "get", "read the run lock (Lease revroll-lock)",
                "create", "take the run lock when no one holds it",
                "update", "renew the run lock, or take over one that expired",
                "delete", "release the run lock at the end of a run")));
        rules.add(new Rule(Scope.CONTROL_PLANE, "", "pods", verbs(
                "list", "find the target revision's istiod pods (app=istiod, istio.io/rev) and check one is Ready")));
        if (spec.gates().proxySync().enabled()) {
            rules.add(new Rule(Scope.CONTROL_PLANE, "", "pods/portforward", verbs(
                    "get", "reach istiod's /debug/syncz through an API-server port-forward: client-java opens it as a WebSocket upgrade, a GET, which API servers before 1.35 authorize as get",
                    "create", "open that port-forward on API servers from 1.35 on, which authorize the WebSocket upgrade as create (as a SPDY POST always was)")));
        }
        return List.copyOf(rules);
    }

    /** Every verb of every rule as the access review preflight sends; target-namespace rules asked cluster-wide. */
    public static List<Access> clusterWideReviews(Plan plan) {
        List<Access> all = new ArrayList<>();
        for (Rule r : of(plan)) {
            String ns = r.scope() == Scope.CONTROL_PLANE ? plan.spec().controlPlane().namespace() : "";
            r.verbs().keySet().forEach(v -> all.add(r.access(v, ns)));
        }
        return all;
    }

    private static Map<String, String> verbs(String... verbAndWhy) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < verbAndWhy.length; i += 2) {
            m.put(verbAndWhy[i], verbAndWhy[i + 1]);
        }
        return m;
    }
}
