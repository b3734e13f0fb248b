package dev.revroll.e2e;

import com.google.gson.JsonObject;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of revroll at every action boundary and inside actions, driven by its JSON event stream: the test
 * kills the process the moment event X of action Y of step Z appears, then starts {@code resume} (forward) or
 * {@code rollback} (once the step failed) and kills that at the next point, and so on down a table of kill points.
 * One run with one step per kill point keeps the matrix inside the suite's time budget. At the end: every workload
 * restarted once per direction (one new ReplicaSet, the step's restartedAt), one commit per step on the remote and at
 * most one revert, labels as the end state says, the journal DONE / ROLLED_BACK, and the availability floor held.
 */
@ExtendWith(WorldNamespaces.class)
class KillMatrixFaultIT {

    /** A kill point: the event line that triggers the kill, in the output of the process that is running then. */
    record KillPoint(String where, String type, String step, String action) {
        Predicate<String> line() {
            return l -> l.startsWith("{") && l.contains("\"type\":\"" + type + "\"")
                    && (step == null || l.contains("\"step\":\"" + step + "\""))
                    && (action == null || l.contains("\"action\":\"" + action + "\""));
        }
    }

    MeshFixture mesh;
    RevrollProcess.Running running;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @AfterEach
    void cleanUp() {
        if (running != null) {
            running.destroyIfAlive();
        }
        mesh.world.kubectl("delete", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(), "--ignore-not-found");
    }

    @Test
    void killedAtEveryForwardPointThenResumedMovesEachWorkloadOnce() {
        List<String> names = List.of("s1", "s2", "s3", "s4", "s5", "s6");
        List<String> nss = new ArrayList<>();
        StringBuilder waves = new StringBuilder();
        for (String s : names) {
            String ns = mesh.meshedNamespace("kill-" + s, Map.of(), "web", "api");
            nss.add(ns);
            waves.append("- name: ").append(s).append("\n  namespaces: [").append(ns).append("]\n");
        }
        Path gitops = mesh.gitopsClone("gitops", nss);
        Path plan = mesh.plan("e2e-kill-fwd", waves.toString(), RunIT.gates().replace("bake: 6s", "bake: 4s") + git(gitops));
        FaultOutcome outcome = new FaultOutcome(mesh);
        nss.forEach(ns -> outcome.before(ns, "web", "api"));
        List<KillPoint> points = List.of(
                new KillPoint("after the commit", "ACTION_DONE", step(names, nss, 0), "git-commit"),
                new KillPoint("after the relabel", "ACTION_DONE", step(names, nss, 1), "relabel"),
                new KillPoint("inside the restart", "ACTION_STARTED", step(names, nss, 2), "restart"),
                new KillPoint("mid-wait for the rollouts", "ACTION_STARTED", step(names, nss, 3), "wait-rollouts"),
                new KillPoint("mid proxy-sync gate", "ACTION_STARTED", step(names, nss, 4), "proxy-sync"),
                new KillPoint("mid metric gate (bake)", "GATE_EVALUATION", step(names, nss, 5), "error-rate"));

        String runId;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, nss.toArray(String[]::new))) {
            runId = killAlong(points, "run", plan.toString());
            RevrollProcess.Result last = RevrollProcess.run(mesh.world, "resume", runId);
            assertEquals(0, last.exitCode(), last.toString());
            floor.assertHeld();
        }

        outcome.assertEnded(runId);
        assertEquals("DONE", outcome.status(runId).get("state").getAsString());
        List<String> log = mesh.remoteLog();
        for (int i = 0; i < names.size(); i++) {
            String subject = "e2e-kill-fwd: move " + nss.get(i) + " to revision " + mesh.world.newRevision();
            assertEquals(1, log.stream().filter(subject::equals).count(), "one commit for " + nss.get(i) + " on the remote:\n" + log);
        }
    }

    @Test
    void killedBetweenTheFailureAndTheRollbackAndMidRollbackThenRolledBackOnce() {
        String ns = mesh.meshedNamespace("kill-undo", Map.of("team", "e2e"), "pay", "web");
        mesh.world.setFault(Fault.errors(ns, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        Path gitops = mesh.gitopsClone("gitops", List.of(ns));
        Path plan = mesh.plan("e2e-kill-undo", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates() + git(gitops));
        FaultOutcome outcome = new FaultOutcome(mesh).before(ns, "pay", "web");
        String stepId = "only/" + ns;

        String runId;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            // killed as the step's failure is reported, before the rollback decision is journaled
            running = RevrollProcess.start(mesh.world, "run", plan.toString());
            running.awaitLine("the step failing its gate", Duration.ofMinutes(4), new KillPoint("", "STEP_FAILED", stepId, null).line());
            String printed = running.kill();
            runId = MeshFixture.runId(printed);
            assertFalse(printed.contains("\"type\":\"UNDO_STARTED\""), "killed before the undo:\n" + printed);
            // the rollback killed while it restarts the workloads back (the relabel's undo: labels back, then each
            // workload restarted, one WAITING event per restart)
            running = RevrollProcess.start(mesh.world, "rollback", runId);
            running.awaitLine("the undo restarting the workloads", Duration.ofMinutes(3),
                    new KillPoint("", "WAITING", stepId, "relabel").line());
            printed = running.kill();
            assertFalse(printed.contains("\"type\":\"STEP_ROLLED_BACK\""), "killed mid-rollback:\n" + printed);

            RevrollProcess.Result resume = RevrollProcess.run(mesh.world, "resume", runId);
            assertEquals(2, resume.exitCode(), "resume refuses a run being rolled back:\n" + resume);
            assertTrue(resume.err().contains("revroll rollback " + runId), resume.err());
            RevrollProcess.Result rollback = RevrollProcess.run(mesh.world, "rollback", runId);
            assertEquals(0, rollback.exitCode(), rollback.toString());
            floor.assertHeld();
        }

        outcome.assertEnded(runId);
        JsonObject run = outcome.status(runId);
        assertEquals("ROLLED_BACK", run.get("state").getAsString());
        JsonObject step = FaultOutcome.step(run, stepId);
        for (String d : List.of("pay", "web")) {
            assertEquals(outcome.replicaSetsBefore.get(ns).get(d) + 2, mesh.replicaSets(ns, d), d + ": one restart forward, one back");
            assertEquals(step.get("rollbackRestartedAt").getAsString(), mesh.restartedAt(ns, d), d + " restarted back once");
        }
        List<String> log = mesh.remoteLog();
        assertEquals(1, log.stream().filter(("e2e-kill-undo: move " + ns + " to revision " + mesh.world.newRevision())::equals).count(),
                "one forward commit on the remote:\n" + log);
        assertEquals(1, log.stream().filter(("e2e-kill-undo: revert move of " + ns + " to " + mesh.world.newRevision())::equals).count(),
                "one revert on the remote:\n" + log);
    }

    /** Kills the process at each point in turn (the first process runs {@code first}, later ones resume or roll back). */
    private String killAlong(List<KillPoint> points, String... first) {
        String runId = null;
        for (KillPoint point : points) {
            running = runId == null ? RevrollProcess.start(mesh.world, first) : RevrollProcess.start(mesh.world, "resume", runId);
            running.awaitLine("kill point: " + point.where(), Duration.ofMinutes(4), point.line());
            String printed = running.kill();
            System.err.println("[kill matrix] killed " + point.where() + " (" + point.type() + " " + point.action() + " of " + point.step() + ")");
            if (runId == null) {
                runId = MeshFixture.runId(printed);
            }
        }
        return runId;
    }

    private static String step(List<String> names, List<String> nss, int i) {
        return names.get(i) + "/" + nss.get(i);
    }

    private static String git(Path gitops) {
        return """
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                """.formatted(gitops);
    }
}
