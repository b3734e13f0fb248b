package dev.revroll.e2e;

import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two runs of two plans started at the same moment (both processes launched before either is waited for, not one
 * after the other as in LockIT): exactly one takes the lock (the Lease) and moves its namespace, the other exits 6
 * naming the lock and changes nothing. Repeated, as the race lands differently each time.
 */
@ExtendWith(WorldNamespaces.class)
@Isolated("races two runs for the run lock and deletes it after")
class ConcurrentStartFaultIT {

    /** Only the proxy-sync gate, no bake: the winner's run is short. */
    static final String QUICK = """
            restart:
              kinds: [Deployment]
              surge: enforce
              timeout: 2m
            gates:
              proxySync:
                timeout: 60s
            onFailure: rollback-step
            """;

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @AfterEach
    void releaseLock() {
        mesh.world.kubectl("delete", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(), "--ignore-not-found");
    }

    @RepeatedTest(3)
    void exactlyOneOfTwoSimultaneousRunsProceeds() throws Exception {
        String a = mesh.meshedNamespace("race-a", Map.of(), "web");
        String b = mesh.meshedNamespace("race-b", Map.of(), "web");
        // plan names unique to this repetition: the refused run's journal is looked up by its plan label below
        Path planA = mesh.plan(a, "- name: only\n  namespaces: [" + a + "]\n", QUICK);
        Path planB = mesh.plan(b, "- name: only\n  namespaces: [" + b + "]\n", QUICK);
        Map<String, String> labelsA = mesh.labels(a);
        Map<String, String> labelsB = mesh.labels(b);
        Path logsA = Files.createTempDirectory("revroll-race-a");
        Path logsB = Files.createTempDirectory("revroll-race-b");

        int exitA;
        int exitB;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, a, b)) {
            ProcessBuilder pa = RevrollProcess.builder(mesh.world, logsA, "run", planA.toString());
            ProcessBuilder pb = RevrollProcess.builder(mesh.world, logsB, "run", planB.toString());
            Process runA = pa.start();
            Process runB = pb.start();
            assertTrue(runA.waitFor(5, TimeUnit.MINUTES) && runB.waitFor(5, TimeUnit.MINUTES), "both runs ended");
            exitA = runA.exitValue();
            exitB = runB.exitValue();
            floor.assertHeld();
        }
        String errA = Files.readString(logsA.resolve("err.txt"));
        String errB = Files.readString(logsB.resolve("err.txt"));
        System.err.printf("[race] A exit %d: %s%n[race] B exit %d: %s%n", exitA, errA, exitB, errB);

        assertEquals(List.of(0, 6), exitA < exitB ? List.of(exitA, exitB) : List.of(exitB, exitA),
                "one run proceeds, the other is refused by the lock:\nA: " + errA + "\nB: " + errB);
        String winner = exitA == 0 ? a : b;
        String loser = exitA == 0 ? b : a;
        String loserErr = exitA == 0 ? errB : errA;
        assertTrue(loserErr.contains("another run holds the lock") || loserErr.contains("the run lock"), loserErr);
        assertFalse(loserErr.contains("Exception"), "a clear message, no stack trace: " + loserErr);
        assertEquals(exitA == 0 ? labelsB : labelsA, mesh.labels(loser), "the refused run changed nothing");
        mesh.podRevisions(loser).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        assertEquals(mesh.world.newRevision(), mesh.labels(winner).get("istio.io/rev"));
        mesh.podRevisions(winner).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
        assertTrue(mesh.world.kubectl("get", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(),
                "--ignore-not-found", "-o", "name").isBlank(), "the winner released the lock");
        // the refused run left no journal behind
        assertEquals("", mesh.world.kubectl("get", "configmap", "-n", mesh.world.controlPlaneNamespace(), "-o", "name",
                "-l", "revroll.dev/plan=" + loser, "--ignore-not-found").trim(), "the refused run left no journal");
    }
}
