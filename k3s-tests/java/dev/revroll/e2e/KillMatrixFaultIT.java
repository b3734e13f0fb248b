package dev.revroll.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of revroll at exact places of the loop, found by a failpoint ({@code REVROLL_FAILPOINT},
 * docs/architecture.md#failpoints-a-test-hook) instead of by timing; then {@code resume RUN} (forward) or
 * {@code rollback RUN} (a run killed while it rolled back). Each case ends, checked in the cluster, on the Git remote
 * and in the journal, exactly as the unfaulted run would: a step going forward ends DONE with each workload restarted
 * once and one commit; a step whose gate fails ends ROLLED_BACK with each workload restarted once forward and once
 * back, one commit and one revert. The lock is free at the end and the availability floor held throughout.
 */
@ExtendWith(WorldNamespaces.class)
@Order(1) // among the longest classes: started first (pom.xml, e2e concurrency)
@Needs({WorldFeature.MESH_AGENT_FAULTS, WorldFeature.PODS_OF_ANY_IMAGE})
class KillMatrixFaultIT {

    private static final List<String> DEPLOYMENTS = List.of("web", "api");

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

    /**
     * {@code before:X}: X's intent journaled, its work not begun. {@code after:X}: its work done, its completion not
     * journaled. {@code journaled:X}: its completion journaled, the next action not begun. {@code in:restart}: the
     * first workload restarted, not the second. {@code in:proxy-sync}: its evaluation journaled, not its verdict.
     * {@code in:metric-gates}: the first gate evaluation journaled.
     * {@code step-failed}: the gate's failure journaled, onFailure not decided. {@code undo-...}: the same places in
     * the rollback of the failed step.
     */
    @ParameterizedTest(name = "kill -9 at {0}")
    @ValueSource(strings = {
            "after:git-commit", "after:relabel", "in:restart", "journaled:restart", "before:wait-rollouts", "after:wait-rollouts",
            "in:proxy-sync", "in:metric-gates", "step-failed", "undo-after:relabel", "undo-in:restart", "undo-after:git-commit"})
    void killedAtTheFailpointEndsAsTheUnfaultedRun(String point) {
        boolean undo = point.startsWith("undo-");
        boolean gateFails = undo || point.equals("step-failed");
        String ns = mesh.namespace("kill", Map.of("istio.io/rev", mesh.world.oldRevision()));
        // one pod each, available only 6 s after it is ready: a rollout killed at before:wait-rollouts is still in progress
        DEPLOYMENTS.forEach(d -> mesh.deployment(ns, d, 1, "  minReadySeconds: 6"));
        mesh.waitPods(ns, mesh.world.oldRevision());
        if (gateFails) {
            mesh.world.setFault(Fault.errors(ns, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        }
        FaultOutcome outcome = new FaultOutcome(mesh).before(ns, DEPLOYMENTS.toArray(String[]::new));
        Map<String, Integer> rsBefore = outcome.replicaSetsBefore.get(ns);
        Path gitops = mesh.gitopsClone("gitops", List.of(ns));
        // the same gates at half the interval and bake: each case is a run and its resume or rollback (suite time)
        String gates = RunIT.gates().replace("interval: 2s", "interval: 1s").replace("bake: 6s", "bake: 3s");
        Path plan = mesh.plan("e2e-kill", "- name: only\n  namespaces: [" + ns + "]\n", gates + MeshFixture.gitRecord(gitops));

        RevrollProcess.Result finished;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            String printed = runUntilKilledAt(point, plan);
            if (point.equals("before:wait-rollouts")) {
                assertFalse(DEPLOYMENTS.stream().allMatch(d -> mesh.rolloutComplete(ns, d)), "killed while the rollouts were in progress");
            }
            runId = MeshFixture.runId(printed);
            Map<String, String> atKill = restartedAt(ns);
            JsonObject killed = outcome.status(runId);
            assertEquals(undo ? "ROLLING_BACK" : gateFails ? "FAILED" : "IN_PROGRESS", step(killed).get("state").getAsString(),
                    "the journal at the kill: " + killed);
            if (point.equals("in:restart")) {
                assertEquals(1, atKill.values().stream().filter(v -> !v.isEmpty()).count(), "killed between the two restarts: " + atKill);
            }

            finished = RevrollProcess.run(mesh.world, undo ? "rollback" : "resume", runId);

            // a rollout finished forward and the forward restarts not touched again by the second process
            atKill.forEach((d, at) -> {
                if (!at.isEmpty() && !gateFails) {
                    assertEquals(at, mesh.restartedAt(ns, d), d + " was not restarted again");
                }
            });
            floor.assertHeld();
        }

        // moved (one new ReplicaSet each, the step's restartedAt, labels and pods on the new revision) or rolled back
        // (labels exactly as before, pods on the old revision), and the lock released
        outcome.assertEnded(runId);
        JsonObject run = outcome.status(runId);
        JsonObject step = step(run);
        if (point.equals("step-failed")) {
            assertTrue(finished.out().contains("decides now"), "resume says the failure stands:\n" + finished.out());
            assertTrue(MeshFixture.jsonLines(finished.out(), "GATE_EVALUATION").isEmpty(), "the failed gate is not tried again");
        }
        if (gateFails) {
            // rollback RUN ends 0 (it did what was asked); a resumed run whose step failed ends 1, as the unfaulted run
            assertEquals(undo ? 0 : 1, finished.exitCode(), finished.toString());
            assertEquals("ROLLED_BACK", run.get("state").getAsString(), run.toString());
            assertEquals("ROLLED_BACK", step.get("state").getAsString());
            assertPodsOn(ns, mesh.world.oldRevision());
            for (String d : DEPLOYMENTS) {
                assertEquals(rsBefore.get(d) + 2, mesh.replicaSets(ns, d), d + ": one restart forward, one back");
                assertEquals(step.get("rollbackRestartedAt").getAsString(), mesh.restartedAt(ns, d), d + " carries the one rollback restartedAt");
                assertTrue(mesh.rolloutComplete(ns, d), d);
            }
            assertEquals(List.of(1, 1), commitsAndReverts(), "one commit and one revert of it on the remote");
        } else {
            assertEquals(0, finished.exitCode(), finished.toString());
            assertEquals("DONE", run.get("state").getAsString(), run.toString());
            assertEquals("DONE", step.get("state").getAsString());
            assertPodsOn(ns, mesh.world.newRevision());
            DEPLOYMENTS.forEach(d -> assertTrue(mesh.rolloutComplete(ns, d), d));
            assertEquals(List.of(1, 0), commitsAndReverts(), "exactly one commit on the remote, no revert");
        }
    }

    private static JsonObject step(JsonObject run) {
        JsonArray steps = run.getAsJsonArray("steps");
        assertEquals(1, steps.size(), run.toString());
        return steps.get(0).getAsJsonObject();
    }

    /**
     * {@code revroll run PLAN} with the failpoint armed, SIGKILLed once it is there; returns what it printed. Started
     * again while another test's run holds the cluster's lock (exit 6 before anything is done).
     */
    private String runUntilKilledAt(String point, Path plan) {
        Duration within = Duration.ofMinutes(5);
        running = RevrollProcess.start(mesh.world, Map.of("REVROLL_FAILPOINT", point), "run", plan.toString());
        if (running.awaitFailpoint(point, within).isPresent()) {
            String printed = running.kill();
            assertEquals(128 + 9, running.exitCode(), "ended by SIGKILL");
            return printed;
        }
        int code = running.exitCode();
        if (code == 0 && (point.startsWith("undo-") || point.equals("step-failed"))) {
            // the gate passed: the mesh agent's fault was not in effect (on a shared world another test JVM can
            // replace the agent's fault list); not what this case is about
            throw new AssertionError("the run ended DONE before failpoint " + point + ": the error-rate fault on the new revision was not in effect");
        }
        throw new AssertionError("revroll ended (exit " + code + ") before failpoint " + point + ":\n" + running.errors());
    }

    /** This run's commits and reverts on the Git remote (found by their trailers). */
    private List<Integer> commitsAndReverts() {
        String log = MeshFixture.git(null, "--git-dir", mesh.world.gitBare().toString(), "log", "--format=%H %(trailers:key=Revroll-Revert-Of,valueonly,separator=%x2C)",
                "--grep=Revroll-Run: " + runId).trim();
        List<String> lines = log.isEmpty() ? List.of() : Arrays.asList(log.split("\n"));
        List<String> reverts = lines.stream().filter(l -> l.trim().contains(" ")).toList();
        List<String> commits = lines.stream().filter(l -> !l.trim().contains(" ")).toList();
        reverts.forEach(r -> assertEquals(commits.get(0).trim(), r.substring(r.indexOf(' ') + 1).trim(), "the revert reverts the step's commit: " + log));
        return List.of(commits.size(), reverts.size());
    }

    private void assertPodsOn(String ns, String revision) {
        Map<String, String> pods = mesh.podRevisions(ns);
        assertEquals(DEPLOYMENTS.size(), pods.size(), pods.toString());
        pods.forEach((pod, rev) -> assertEquals(revision, rev, pod));
    }

    private Map<String, String> restartedAt(String ns) {
        Map<String, String> m = new LinkedHashMap<>();
        DEPLOYMENTS.forEach(d -> m.put(d, mesh.restartedAt(ns, d)));
        return m;
    }
}
