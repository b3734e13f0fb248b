package dev.revroll.e2e.world;

import java.util.EnumSet;
import java.util.Set;

/**
 * What an end-to-end test may need of the world beyond a Kubernetes API server with two istiod revisions, Prometheus
 * and a Git remote. A test says which with {@link Needs}; a backend that lacks one skips the test, saying why.
 */
public enum WorldFeature {

    /** The mesh agent's faults ({@link SandboxWorld#setFault}: 5xx, latency, stale or never-ACKing proxies per revision). */
    MESH_AGENT_FAULTS("the mesh agent's faults (setFault: errors, latency, stale proxies); the k3s world runs real Envoys and no mesh agent"),
    /** Stopping and starting one revision's istiod process ({@link SandboxWorld#stopIstiod}): an injector outage. */
    ISTIOD_STOP_START("stopping and starting an istiod (stopIstiod/startIstiod); the k3s world's istiods are pods it does not stop"),
    /**
     * Workloads of any image become Ready pods with a proxy and traffic (kwok nodes and the mesh agent); on a real
     * kubelet an image must exist and traffic comes only to Services labelled revroll.dev/traffic=true.
     */
    PODS_OF_ANY_IMAGE("pods of made-up images (example.com/...) that become Ready with a proxy and traffic; a real kubelet needs images that exist"),
    /**
     * Prometheus history written by the test: blocks made with the world's promtool, moved into the world's
     * Prometheus data directory on this machine (it loads new blocks within a minute, without a restart).
     */
    PROMETHEUS_BACKFILL("backfilled Prometheus history (promtool blocks moved into the data directory); the k3s world's Prometheus is a pod in a container");

    private final String why;

    WorldFeature(String why) {
        this.why = why;
    }

    /** What the feature is, and why a backend may lack it. */
    public String why() {
        return why;
    }

    /** What each backend offers. */
    public static Set<WorldFeature> of(WorldBackendChoice.Backend backend) {
        return switch (backend) {
            case LOCAL -> EnumSet.allOf(WorldFeature.class);
            case K3S -> EnumSet.noneOf(WorldFeature.class);
        };
    }
}
