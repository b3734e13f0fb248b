package dev.revroll.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Kill the run mid-step (the process, hard), then {@code resume}: it completes without restarting workloads twice. */
class ResumeIT {

    final MeshFixture mesh = new MeshFixture();

    @Test
    void killedRunResumesWithoutSecondRestart() throws Exception {
        String ns = mesh.meshedNamespace("resume", Map.of(), "web", "api");
        Path plan = mesh.plan("e2e-resume", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());
        int rsBefore = mesh.replicaSets(ns, "web") + mesh.replicaSets(ns, "api");

        Path logs = Files.createTempDirectory("revroll-kill");
        Process p = RevrollProcess.builder(mesh.world, logs, "run", plan.toString()).start();
        MeshFixture.waitFor("both deployments restarted by the run", Duration.ofMinutes(3),
                () -> !mesh.restartedAt(ns, "web").isEmpty() && !mesh.restartedAt(ns, "api").isEmpty());
        p.destroyForcibly().waitFor();
        String webRestartedAt = mesh.restartedAt(ns, "web");
        String apiRestartedAt = mesh.restartedAt(ns, "api");
        System.err.println("[killed run] " + Files.readString(logs.resolve("out.txt")));

        String runId = MeshFixture.runId(Files.readString(logs.resolve("out.txt")));
        RevrollProcess.Result resume = RevrollProcess.run(mesh.world, "resume", runId);

        assertEquals(0, resume.exitCode(), resume.toString());
        assertEquals(webRestartedAt, mesh.restartedAt(ns, "web"), "web was not restarted again");
        assertEquals(apiRestartedAt, mesh.restartedAt(ns, "api"), "api was not restarted again");
        assertEquals(rsBefore + 2, mesh.replicaSets(ns, "web") + mesh.replicaSets(ns, "api"), "one new ReplicaSet per deployment");
        assertEquals(mesh.world.newRevision(), mesh.labels(ns).get("istio.io/rev"));
        Map<String, String> pods = mesh.podRevisions(ns);
        assertFalse(pods.isEmpty());
        pods.forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
    }
}
