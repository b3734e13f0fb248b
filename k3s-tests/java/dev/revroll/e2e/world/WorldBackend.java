package dev.revroll.e2e.world;

import java.nio.file.Path;

/**
 * Where the test world runs. {@link WorldBackendChoice} picks one per JVM (env {@code REVROLL_WORLD_BACKEND}); every
 * backend hands back the same {@link SandboxWorld} view (kubeconfig, Prometheus URL, revisions, kubectl, ...).
 */
public interface WorldBackend {

    /** {@code local} or {@code k3s}, as in {@code REVROLL_WORLD_BACKEND}. */
    String name();

    /** One line: what runs where. */
    String whatRuns();

    /** Starts the world (or attaches to one that is up) and returns it. */
    SandboxWorld start(Path checkout);
}
