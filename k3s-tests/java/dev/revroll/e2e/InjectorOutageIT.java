package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
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

    @Test
    void injectorDownMidRunStallsTheStepWhichNamesFailedCreateAndRollsBack() throws Exception {
        String first = mesh.meshedNamespace("out-a", Map.of(), "web");
        String second = mesh.meshedNamespace("out-b", Map.of(), "api");
        Map<String, String> before = mesh.labels(second);
        Path plan = mesh.plan("e2e-outage", """
                - name: first
                  namespaces: [%s]
                - name: second
                  namespaces: [%s]
                """.formatted(first, second), RunIT.gates().replace("timeout: 3m", "timeout: 25s"));
        Path logs = Files.createTempDirectory("revroll-outage");
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
            mesh.world.startIstiod(mesh.world.newRevision());
        }
        String out = Files.readString(logs.resolve("out.txt"));
        String err = Files.readString(logs.resolve("err.txt"));
        System.err.println("[outage run] exit " + p.exitValue() + "\n" + out + "\n" + err);

        assertEquals(1, p.exitValue(), err);
        assertTrue(err.contains("FailedCreate"), err);
        assertEquals(before, mesh.labels(second));
        mesh.podRevisions(second).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        assertEquals(mesh.world.newRevision(), mesh.labels(first).get("istio.io/rev"));
    }
}
