package dev.revroll.e2e;

import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target revision's istiod (its injector) down: preflight refuses; down mid-run: the stalled step names FailedCreate and rolls back. */
@ExtendWith(WorldNamespaces.class)
class InjectorOutageIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    boolean istiodReady(String revision) {
        String ready = mesh.world.kubectl("get", "pods", "-n", mesh.world.controlPlaneNamespace(), "-l", "app=istiod,istio.io/rev=" + revision,
                "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}");
        return ready.contains("True");
    }

    @Test
    void targetIstiodDownRefusesTheRun() {
        String ns = mesh.meshedNamespace("down", Map.of(), "web");
        Path plan = mesh.plan("e2e-down", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());
        mesh.world.stopIstiod(mesh.world.newRevision());
        try {
            await("istiod " + mesh.world.newRevision() + " unready", Duration.ofSeconds(60)).until(() -> !istiodReady(mesh.world.newRevision()));

            RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

            assertEquals(3, run.exitCode(), run.toString());
            assertTrue(run.err().contains("istiod of revision " + mesh.world.newRevision() + " has no Ready pod"), run.err());
            assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));
        } finally {
            mesh.world.startIstiod(mesh.world.newRevision());
        }
    }

    /**
     * The target injector (webhook {@code failurePolicy: Fail}) down mid-run: the second step's new pods are refused,
     * its rollout stalls, the step fails by its restart deadline and is rolled back, checked in the cluster, the journal
     * and Git; the availability floor holds throughout (make-before-break: the old pods stay until new ones serve).
     */
    @Test
    void injectorDownMidRunStallsTheStepWhichNamesFailedCreateAndRollsBack() throws Exception {
        mesh.world.assumeOwnWorld("stopping the target istiod");
        String first = mesh.meshedNamespace("out-a", Map.of(), "web");
        String second = mesh.meshedNamespace("out-b", Map.of(), "api");
        assertEquals("Fail", mesh.world.kubectl("get", "mutatingwebhookconfiguration", "istio-sidecar-injector-" + mesh.world.newRevision(),
                "-o", "jsonpath={.webhooks[0].failurePolicy}").trim(), "the injector refuses pods when it is down");
        FaultOutcome outcome = new FaultOutcome(mesh).before(first, "web").before(second, "api");
        Path gitops = mesh.gitopsClone("gitops", java.util.List.of(first, second));
        Path plan = mesh.plan("e2e-outage", """
                - name: first
                  namespaces: [%s]
                - name: second
                  namespaces: [%s]
                """.formatted(first, second), RunIT.gates().replace("timeout: 3m", "timeout: 25s") + """
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                """.formatted(gitops));
        Path logs = Files.createTempDirectory("revroll-outage");
        int exit;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, first, second)) {
            Process p = RevrollProcess.builder(mesh.world, logs, "run", plan.toString()).start();
            try {
                await("the first step's metric gates", Duration.ofMinutes(3)).until(() -> {
                    try {
                        return Files.readString(logs.resolve("out.txt")).contains("\"step\":\"first/" + first + "\",\"action\":\"metric-gates\"");
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
                mesh.world.stopIstiod(mesh.world.newRevision());
                assertTrue(p.waitFor(5, TimeUnit.MINUTES), "run finished");
            } finally {
                p.destroyForcibly();
                mesh.world.startIstiod(mesh.world.newRevision());
            }
            exit = p.exitValue();
            floor.assertHeld();
        }
        String out = Files.readString(logs.resolve("out.txt"));
        String err = Files.readString(logs.resolve("err.txt"));
        System.err.println("[outage run] \n" + out + "\n" + err);

        assertEquals(1, exit, "the stalled step failed and was rolled back:\n" + err);
        assertTrue(err.contains("FailedCreate"), err);
        assertEquals(mesh.world.newRevision(), mesh.labels(first).get("istio.io/rev"));
        String runId = MeshFixture.runId(out);
        // cluster and journal: the first step moved once, the second is back exactly
        outcome.assertEnded(runId);
        com.google.gson.JsonObject run = outcome.status(runId);
        assertEquals("ROLLED_BACK", run.get("state").getAsString());
        assertEquals("DONE", FaultOutcome.step(run, "first/" + first).get("state").getAsString());
        assertEquals("ROLLED_BACK", FaultOutcome.step(run, "second/" + second).get("state").getAsString());
        // Git: one commit per step, one revert for the failed one, none for the first
        java.util.List<String> log = mesh.remoteLog();
        for (String ns : java.util.List.of(first, second)) {
            assertEquals(1, log.stream().filter(("e2e-outage: move " + ns + " to revision " + mesh.world.newRevision())::equals).count(), ns + ":\n" + log);
        }
        assertEquals(1, log.stream().filter(("e2e-outage: revert move of " + second + " to " + mesh.world.newRevision())::equals).count(), log.toString());
        assertEquals(0, log.stream().filter(("e2e-outage: revert move of " + first + " to " + mesh.world.newRevision())::equals).count(), log.toString());
    }
}
