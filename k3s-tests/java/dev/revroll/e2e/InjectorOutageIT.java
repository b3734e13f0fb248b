package dev.revroll.e2e;

import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target revision's istiod (its injector) down: preflight refuses; down between relabel and restart: the stalled step names FailedCreate and rolls back. */
@ExtendWith(WorldNamespaces.class)
@Isolated("stops the target revision's istiod")
@Needs({WorldFeature.ISTIOD_STOP_START, WorldFeature.PODS_OF_ANY_IMAGE})
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
     * The injector goes down after the preflight passed and the namespace was relabelled, just before the restart
     * (held there by a failpoint, docs/architecture.md#failpoints-a-test-hook): the new pods cannot be created, the
     * step stalls naming FailedCreate, rolls back onto the previous revision (whose injector is up), and the next
     * wave is never touched. (An istiod that dies during a bake is the bake-health watch's case: BakeHealthIT.)
     */
    @Test
    void injectorDownMidRunStallsTheStepWhichNamesFailedCreateAndRollsBack() throws Exception {
        String first = mesh.meshedNamespace("out-a", Map.of(), "web");
        String second = mesh.meshedNamespace("out-b", Map.of(), "api");
        Map<String, String> firstBefore = mesh.labels(first);
        Map<String, String> secondBefore = mesh.labels(second);
        Path plan = mesh.plan("e2e-outage", """
                - name: first
                  namespaces: [%s]
                - name: second
                  namespaces: [%s]
                """.formatted(first, second), RunIT.gates().replace("timeout: 3m", "timeout: 25s"));
        Path release = Files.createTempDirectory("revroll-outage").resolve("release");
        RevrollProcess.Running run = RevrollProcess.start(mesh.world,
                Map.of("REVROLL_FAILPOINT", "before:restart", "REVROLL_FAILPOINT_HOLD", release.toString()), "run", plan.toString());
        RevrollProcess.Result result;
        // no pod can be created while the injector is down: the old ones must keep serving (make-before-break)
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, first, second)) {
            assertTrue(run.awaitFailpoint("before:restart", Duration.ofMinutes(3)).isPresent(), run.errors());
            assertEquals(mesh.world.newRevision(), mesh.labels(first).get("istio.io/rev"), "relabelled before the restart");
            mesh.world.stopIstiod(mesh.world.newRevision());
            await("istiod " + mesh.world.newRevision() + " unready", Duration.ofSeconds(60)).until(() -> !istiodReady(mesh.world.newRevision()));
            Files.createFile(release);
            result = run.finish(Duration.ofMinutes(5));
            floor.assertHeld();
        } finally {
            run.destroyIfAlive();
            mesh.world.startIstiod(mesh.world.newRevision());
        }

        assertEquals(1, result.exitCode(), result.toString());
        assertTrue(result.err().contains("FailedCreate"), result.err());
        assertEquals(firstBefore, mesh.labels(first), "the first namespace's labels are put back");
        mesh.podRevisions(first).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        assertEquals(secondBefore, mesh.labels(second), "the second wave is never touched");
        mesh.podRevisions(second).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
    }
}
