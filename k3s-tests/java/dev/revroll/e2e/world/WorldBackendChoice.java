package dev.revroll.e2e.world;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that picks the world's backend, from {@code REVROLL_WORLD_BACKEND=local|k3s|auto} (default auto):
 * <ul>
 *   <li>{@code local}: the local sandbox, whatever else the machine has;</li>
 *   <li>{@code k3s}: the K3s container world; fails with a clear message when no Docker engine answers;</li>
 *   <li>{@code auto}: local when Go is on the PATH (its binaries can be built here, which is always the case on the
 *       machines this project is developed on); K3s only when Go is missing and a Docker engine answers; otherwise
 *       local, whose start says what is missing.</li>
 * </ul>
 * Docker is asked only when the answer matters.
 */
public final class WorldBackendChoice {

    public static final String ENV = "REVROLL_WORLD_BACKEND";

    public enum Backend { LOCAL, K3S }

    /** The backend and why it was chosen (printed at world start). */
    public record Decision(Backend backend, String reason) {
    }

    private WorldBackendChoice() {
    }

    /** Reads the environment, decides, prints one line on stderr and returns the backend to start. */
    public static WorldBackend fromEnvironment() {
        Decision decision = decide(System.getenv(ENV), goOnPath(System.getenv("PATH")), DockerEngine.probe());
        WorldBackend backend = decision.backend() == Backend.K3S ? new K3sContainerWorld() : new LocalSandboxBackend();
        System.err.printf("[world] backend %s (%s): %s%n", backend.name(), decision.reason(), backend.whatRuns());
        return backend;
    }

    /** The decision for a requested value (null or blank = auto), whether Go is on the PATH, and the Docker engine. */
    public static Decision decide(String requested, boolean goOnPath, DockerEngine docker) {
        String request = requested == null || requested.isBlank() ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        switch (request) {
            case "local":
                return new Decision(Backend.LOCAL, ENV + "=local");
            case "k3s": {
                Optional<String> why = docker.whyNotAnswering();
                if (why.isPresent()) {
                    throw new WorldException(ENV + "=k3s needs a Docker engine; none answers here (" + why.get() + "). Use local.");
                }
                return new Decision(Backend.K3S, ENV + "=k3s");
            }
            case "auto": {
                if (goOnPath) {
                    return new Decision(Backend.LOCAL, "auto: Go is here, the local world can be built");
                }
                Optional<String> why = docker.whyNotAnswering();
                if (why.isEmpty()) {
                    return new Decision(Backend.K3S, "auto: no Go here and a Docker engine answers");
                }
                return new Decision(Backend.LOCAL, "auto: no Go and no Docker engine (" + why.get() + "); the local world runs only if its binaries are cached");
            }
            default:
                throw new WorldException(ENV + " must be local, k3s or auto, not '" + requested + "'");
        }
    }

    /** Whether an executable {@code go} is in one of the PATH's directories. */
    public static boolean goOnPath(String path) {
        if (path == null || path.isBlank()) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "go")) && !Files.isDirectory(Path.of(dir, "go"))) {
                return true;
            }
        }
        return false;
    }
}
