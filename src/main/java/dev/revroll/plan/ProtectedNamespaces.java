package dev.revroll.plan;

import java.util.Set;

/** Namespaces revroll never relabels or restarts: Kubernetes' own and the mesh's control plane. */
public final class ProtectedNamespaces {

    /** Protected in every cluster, whatever the plan says. */
    public static final Set<String> ALWAYS = Set.of("kube-system", "kube-public", "kube-node-lease");

    private ProtectedNamespaces() {
    }

    public static boolean isProtected(String namespace, String controlPlaneNamespace) {
        return ALWAYS.contains(namespace) || namespace.equals(controlPlaneNamespace);
    }

    public static boolean isProtected(String namespace, Plan plan) {
        return isProtected(namespace, plan.spec().controlPlane().namespace());
    }

    /** Why the namespace is protected, for messages; {@code null} when it is not. */
    public static String reason(String namespace, String controlPlaneNamespace) {
        if (ALWAYS.contains(namespace)) {
            return "'" + namespace + "' is a Kubernetes system namespace and is never a target";
        }
        if (namespace.equals(controlPlaneNamespace)) {
            return "'" + namespace + "' is the control-plane namespace (spec.controlPlane.namespace) and is never a target";
        }
        return null;
    }
}
