package dev.revroll.ports;

/**
 * One thing revroll may or may not be allowed to do, as the API server's authorizer sees it: the resource attributes of
 * a SelfSubjectAccessReview (docs/in-cluster.md#preflight). {@code group} is {@code ""} for the core API;
 * {@code subresource} is {@code ""} when none; {@code namespace} is {@code ""} for a cluster-scoped resource or for
 * "in every namespace".
 */
public record Access(String verb, String group, String resource, String subresource, String namespace) {

    public Access {
        group = group == null ? "" : group;
        subresource = subresource == null ? "" : subresource;
        namespace = namespace == null ? "" : namespace;
    }

    /** The resource as RBAC and kubectl write it: {@code deployments.apps}, {@code pods/portforward}, {@code leases.coordination.k8s.io}. */
    public String resourceName() {
        return resource + (subresource.isEmpty() ? "" : "/" + subresource) + (group.isEmpty() ? "" : "." + group);
    }

    /** {@code patch deployments.apps in namespace shop}, as {@code kubectl auth can-i} would ask it. */
    public String describe() {
        return verb + " " + resourceName() + (namespace.isEmpty() ? "" : " in namespace " + namespace);
    }
}
