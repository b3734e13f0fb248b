package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill the run (the process, SIGKILL) at different points, found from its JSON event lines, then {@code resume}: it
 * ends where an uninterrupted run ends, without restarting any workload twice. A run killed while it rolls back is
 * refused by {@code resume} and finished by {@code rollback}.
 */
@ExtendWith(WorldNamespaces.class)
@Order(3) // among the longest classes: started first (pom.xml, e2e concurrency)
@Needs({WorldFeature.MESH_AGENT_FAULTS, WorldFeature.PODS_OF_ANY_IMAGE})
class ResumeIT {

    MeshFixture mesh;
    RevrollProcess.Running running;
    String runId;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @AfterEach
    void cleanUp() {
        if (running != null) {
            running.destroyIfAlive();
        }
        mesh.releaseLockOf(runId);
    }

    @Test
    void killedRunResumesWithoutSecondRestart() throws Exception {
        String ns = mesh.meshedNamespace("resume", Map.of(), "web", "api");
        Path plan = mesh.plan("e2e-resume", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());
        int rsBefore = mesh.replicaSets(ns, "web") + mesh.replicaSets(ns, "api");

        running = RevrollProcess.start(mesh.world, "run", plan.toString());
        await("both deployments restarted by the run", Duration.ofMinutes(3))
                .until(() -> !mesh.restartedAt(ns, "web").isEmpty() && !mesh.restartedAt(ns, "api").isEmpty());
        String printed = running.kill();
        String webRestartedAt = mesh.restartedAt(ns, "web");
        String apiRestartedAt = mesh.restartedAt(ns, "api");

        runId = MeshFixture.runId(printed);
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

    /** Killed while the first of several slow rollouts (minReadySeconds, one pod at a time) is still in progress. */
    @Test
    void killedWhileTheFirstRolloutIsInProgress() {
        String ns = mesh.namespace("resume-roll", Map.of("istio.io/rev", mesh.world.oldRevision()));
        // no strategy of their own (25%/25%): surge enforce sets 0/1 for the restart and the resumed run puts it back
        mesh.deployment(ns, "web", 4, "  minReadySeconds: 5");
        mesh.deployment(ns, "api", 2, "  minReadySeconds: 5");
        mesh.deployment(ns, "worker", 2, "  minReadySeconds: 5");
        List<String> deployments = List.of("web", "api", "worker");
        mesh.waitPods(ns, mesh.world.oldRevision());
        deployments.forEach(d -> await(d + " available", Duration.ofMinutes(2)).until(() -> mesh.rolloutComplete(ns, d)));
        Map<String, Integer> rsBefore = replicaSets(ns, deployments);
        Path plan = mesh.plan("e2e-resume-roll", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());

        running = RevrollProcess.start(mesh.world, "run", plan.toString());
        running.awaitLine("the run waiting for the rollouts", Duration.ofMinutes(3),
                l -> l.contains("\"type\":\"ACTION_STARTED\"") && l.contains("\"action\":\"wait-rollouts\""));
        String printed = running.kill();
        assertFalse(mesh.rolloutComplete(ns, "web"), "killed while the rollout of web (4 pods, one at a time) was in progress");
        assertEquals("0", rollingUpdate(ns, "web", "maxUnavailable"), "surge enforced when killed");
        Map<String, String> restartedAtKill = restartedAt(ns, deployments);
        runId = MeshFixture.runId(printed);

        RevrollProcess.Result resume = RevrollProcess.run(mesh.world, "resume", runId);

        assertEquals(0, resume.exitCode(), resume.toString());
        assertTrue(MeshFixture.jsonLines(resume.out(), "ACTION_SKIPPED").stream().anyMatch(l -> l.contains("\"action\":\"restart\"")),
                "the resumed run skips the restart it had done:\n" + resume.out());
        assertMovedOnce(ns, runId, deployments, rsBefore, restartedAtKill);
        for (String d : deployments) {
            assertEquals("25%", rollingUpdate(ns, d, "maxUnavailable"), d + ": its own rolling-update values are back");
            assertEquals("25%", rollingUpdate(ns, d, "maxSurge"), d);
            assertTrue(mesh.world.kubectl("get", "deployment", d, "-n", ns, "-o",
                    "jsonpath={.metadata.annotations.revroll\\.dev/saved-rolling-update}").isBlank(), d);
        }
    }

    /** Killed during the metric-gate bake: the resumed run bakes again and restarts nothing. */
    @Test
    void killedDuringTheBake() {
        String ns = mesh.meshedNamespace("resume-bake", Map.of(), "web", "api");
        List<String> deployments = List.of("web", "api");
        Map<String, Integer> rsBefore = replicaSets(ns, deployments);
        Path plan = mesh.plan("e2e-resume-bake", "- name: only\n  namespaces: [" + ns + "]\n",
                RunIT.gates().replace("bake: 6s", "bake: 40s"));

        running = RevrollProcess.start(mesh.world, "run", plan.toString());
        running.awaitLine("the first error-rate evaluation of the bake", Duration.ofMinutes(4),
                l -> l.contains("\"type\":\"GATE_EVALUATION\"") && l.contains("\"action\":\"error-rate\""));
        String printed = running.kill();
        assertTrue(MeshFixture.jsonLines(printed, "STEP_DONE").isEmpty(), "killed before the step was done:\n" + printed);
        deployments.forEach(d -> assertTrue(mesh.rolloutComplete(ns, d), d + " rolled out before the bake"));
        Map<String, String> restartedAtKill = restartedAt(ns, deployments);
        runId = MeshFixture.runId(printed);

        RevrollProcess.Result resume = RevrollProcess.run(mesh.world, "resume", runId);

        assertEquals(0, resume.exitCode(), resume.toString());
        assertFalse(MeshFixture.jsonLines(resume.out(), "GATE_EVALUATION").isEmpty(), "the resumed run evaluates the gates again");
        assertMovedOnce(ns, runId, deployments, rsBefore, restartedAtKill);
    }

    /** Killed as the undo of a failed gate starts: {@code resume} refuses (use rollback), {@code rollback RUN} finishes it. */
    @Test
    void killedDuringRollbackIsFinishedByRollbackNotResume() {
        String ns = mesh.meshedNamespace("resume-undo", Map.of("team", "e2e"), "pay", "web");
        mesh.world.setFault(Fault.errors(ns, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        List<String> deployments = List.of("pay", "web");
        Map<String, Integer> rsBefore = replicaSets(ns, deployments);
        Map<String, String> labelsBefore = mesh.labels(ns);
        Path plan = mesh.plan("e2e-resume-undo", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());

        running = RevrollProcess.start(mesh.world, "run", plan.toString());
        running.awaitLine("the undo of the failed step", Duration.ofMinutes(4), l -> l.contains("\"type\":\"UNDO_STARTED\""));
        String printed = running.kill();
        runId = MeshFixture.runId(printed);
        Map<String, String> forward = restartedAt(ns, deployments);
        // The label patch is the undo's first write and may land in the milliseconds before the kill; what matters is
        // that the process died mid-rollback, before the step was recorded rolled back.
        assertFalse(printed.contains("\"type\":\"STEP_ROLLED_BACK\""), "killed before the rollback finished:\n" + printed);

        RevrollProcess.Result resume = RevrollProcess.run(mesh.world, "resume", runId);

        assertEquals(2, resume.exitCode(), resume.toString());
        assertTrue(resume.err().contains("revroll rollback " + runId), resume.err());
        assertEquals(forward, restartedAt(ns, deployments), "the refused resume restarted nothing");
        assertEquals("ROLLING_BACK", step(status(runId)).get("state").getAsString());

        RevrollProcess.Result rollback = RevrollProcess.run(mesh.world, "rollback", runId);

        assertEquals(0, rollback.exitCode(), rollback.toString());
        assertEquals(labelsBefore, mesh.labels(ns), "labels restored exactly");
        assertNull(mesh.annotation(ns, "revroll.dev/previous-labels"));
        Map<String, String> pods = mesh.podRevisions(ns);
        assertFalse(pods.isEmpty());
        pods.forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        JsonObject run = status(runId);
        assertEquals("ROLLED_BACK", run.get("state").getAsString());
        JsonObject step = step(run);
        assertEquals("ROLLED_BACK", step.get("state").getAsString());
        for (String d : deployments) {
            assertEquals(rsBefore.get(d) + 2, mesh.replicaSets(ns, d), d + ": one restart forward, one back");
            assertEquals(step.get("rollbackRestartedAt").getAsString(), mesh.restartedAt(ns, d), d + " restarted back once");
            assertNotEquals(forward.get(d), mesh.restartedAt(ns, d), d);
        }
        assertLockReleased(runId);
    }

    // ---- what the cluster and the journal show

    private void assertMovedOnce(String ns, String runId, List<String> deployments, Map<String, Integer> rsBefore,
                                 Map<String, String> restartedAtKill) {
        JsonObject run = status(runId);
        assertEquals("DONE", run.get("state").getAsString(), run.toString());
        JsonObject step = step(run);
        assertEquals("DONE", step.get("state").getAsString());
        String stepRestartedAt = step.get("restartedAt").getAsString();
        for (String d : deployments) {
            assertEquals(rsBefore.get(d) + 1, mesh.replicaSets(ns, d), d + ": exactly one new ReplicaSet");
            assertEquals(restartedAtKill.get(d), mesh.restartedAt(ns, d), d + " was not restarted again by resume");
            assertEquals(stepRestartedAt, mesh.restartedAt(ns, d), d + " carries the step's one restartedAt");
            assertTrue(mesh.rolloutComplete(ns, d), d);
        }
        Map<String, String> labels = mesh.labels(ns);
        assertEquals(mesh.world.newRevision(), labels.get("istio.io/rev"));
        assertFalse(labels.containsKey("istio-injection"));
        assertEquals("{\"istio.io/rev\":\"" + mesh.world.oldRevision() + "\",\"istio-injection\":null}",
                mesh.annotation(ns, "revroll.dev/previous-labels"));
        Map<String, String> pods = mesh.podRevisions(ns);
        assertFalse(pods.isEmpty());
        pods.forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
        assertLockReleased(runId);
    }

    /** This run let go of the lock (another test's run may hold it by now: the classes run concurrently). */
    private void assertLockReleased(String runId) {
        assertFalse(runId.equals(mesh.world.kubectl("get", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(),
                "--ignore-not-found", "-o", "jsonpath={.spec.holderIdentity}").trim()), "the run lock (Lease revroll-lock) is released by " + runId);
    }

    private JsonObject status(String runId) {
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", runId, "-o", "json");
        assertEquals(0, status.exitCode(), status.toString());
        return JsonParser.parseString(status.out()).getAsJsonObject();
    }

    private static JsonObject step(JsonObject run) {
        com.google.gson.JsonArray steps = run.getAsJsonArray("steps");
        assertEquals(1, steps.size());
        return steps.get(0).getAsJsonObject();
    }

    private Map<String, Integer> replicaSets(String ns, List<String> deployments) {
        Map<String, Integer> m = new LinkedHashMap<>();
        deployments.forEach(d -> m.put(d, mesh.replicaSets(ns, d)));
        return m;
    }

    private Map<String, String> restartedAt(String ns, List<String> deployments) {
        Map<String, String> m = new LinkedHashMap<>();
        deployments.forEach(d -> m.put(d, mesh.restartedAt(ns, d)));
        m.forEach((d, v) -> assertFalse(v.isEmpty(), d + " was restarted by the run"));
        return m;
    }

    private String rollingUpdate(String ns, String deployment, String field) {
        return mesh.world.kubectl("get", "deployment", deployment, "-n", ns, "-o",
                "jsonpath={.spec.strategy.rollingUpdate." + field + "}").trim();
    }

}
