package dev.revroll.e2e.world;

import org.testcontainers.DockerClientFactory;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Whether a Docker engine answers here, asked the way Testcontainers (which starts the K3s container) asks. */
@FunctionalInterface
public interface DockerEngine {

    /** Empty when an engine answers; otherwise why not, for the message a person reads. */
    Optional<String> whyNotAnswering();

    /** Testcontainers' own probe; on failure {@code docker info} says why in words. */
    static DockerEngine probe() {
        return () -> {
            boolean answers;
            try {
                answers = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                answers = false;
            }
            return answers ? Optional.empty() : Optional.of(dockerInfoVerdict());
        };
    }

    private static String dockerInfoVerdict() {
        try {
            Process p = new ProcessBuilder("docker", "info").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "docker info did not answer within 15 s";
            }
            return p.exitValue() == 0 ? "docker info answers, but Testcontainers cannot reach the engine" : "docker info failed";
        } catch (IOException e) {
            return "no docker CLI either";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking docker info";
        }
    }
}
