package dev.revroll.e2e;

import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The world's own Kubernetes fails under a run, mid-step (while revroll waits for the rollouts): the kube-apiserver
 * stopped and started again; etcd frozen until the API server stops being ready; the API server frozen long enough
 * that the controller manager loses its leader lease and exits. revroll rides it out or stops with a message naming
 * the outage, and {@code resume} / {@code rollback} finishes the job; the world comes back by itself (world/supervise),
 * and no workload ever has fewer serving pods than make-before-break promises. These faults hit the whole world: the
 * tests run only on a world of this run's own, never a shared one.
 */
@Isolated("stops the world's API server and etcd")
@ExtendWith(WorldNamespaces.class)
class ApiServerOutageFaultIT {

    MeshFixture mesh;
    RevrollProcess.Running running;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
        mesh.world.assumeWorldWideFaults();
    }

    @AfterEach
    void worldBack() {
        if (running != null) {
            running.destroyIfAlive();
        }
        // whatever the test did, the next one gets a running world
        mesh.world.etcd("thaw");
        mesh.world.apiServer("thaw");
        mesh.world.apiServer("start");
        mesh.world.kubectl("delete", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(), "--ignore-not-found");
    }

    @Test
    void apiServerStoppedAndStartedMidStep() throws Exception {
        outageMidStep("apiserver", () -> {
            mesh.world.apiServer("stop");
            mesh.world.apiServer("start");
        });
    }

    @Test
    void etcdFrozenUntilTheApiServerIsNotReady() throws Exception {
        outageMidStep("etcd", () -> {
            mesh.world.etcd("freeze");
            try {
                await("the API server to stop being ready without etcd", Duration.ofSeconds(60)).until(() -> !mesh.world.apiServerReady());
            } finally {
                mesh.world.etcd("thaw");
            }
        });
    }

    /** The user's report: a frozen API server left the world without its controllers, so nothing rolled out after it. */
    @Test
    void apiServerFrozenUntilTheControllerManagerLosesItsLease() throws Exception {
        int before = mesh.world.restarts("kube-controller-manager");
        outageMidStep("apiserver-freeze", () -> {
            mesh.world.apiServer("freeze");
            try {
                await("the controller manager to lose its leader lease and be started again by its supervisor", Duration.ofSeconds(90))
                        .until(() -> mesh.world.restarts("kube-controller-manager") > before);
            } finally {
                mesh.world.apiServer("thaw");
            }
        });
    }

    private void outageMidStep(String name, Runnable outage) throws Exception {
        String ns = mesh.namespace("outage-" + name, Map.of("istio.io/rev", mesh.world.oldRevision()));
        // slow rollouts (minReadySeconds), so the outage lands while revroll waits for them
        mesh.deployment(ns, "web", 3, "  minReadySeconds: 4");
        mesh.deployment(ns, "api", 2, "  minReadySeconds: 4");
        mesh.waitPods(ns, mesh.world.oldRevision());
        FaultOutcome outcome = new FaultOutcome(mesh).before(ns, "web", "api");
        Path plan = mesh.plan("e2e-outage-" + name, "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());

        String runId;
        String printed;
        String err;
        int exit;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            Path logs = Files.createTempDirectory("revroll-outage");
            Process p = RevrollProcess.builder(mesh.world, logs, "run", plan.toString()).start();
            await("the run waiting for the rollouts", Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !p.isAlive() || Files.readString(logs.resolve("out.txt")).contains("\"action\":\"wait-rollouts\""));
            assertTrue(p.isAlive(), "the run still goes when the outage starts:\n" + Files.readString(logs.resolve("err.txt")));
            outage.run();
            assertTrue(p.waitFor(8, TimeUnit.MINUTES), "the run ended after the outage");
            exit = p.exitValue();
            printed = Files.readString(logs.resolve("out.txt"));
            err = Files.readString(logs.resolve("err.txt"));
            System.err.printf("[%s outage] run exit %d%n%s%n%s%n", name, exit, printed, err);
            runId = MeshFixture.runId(printed);
            if (exit != 0) {
                // stopped: it must say why, naming the outage, without a stack trace
                assertTrue(err.contains("Kubernetes API") || err.contains("API server") || err.contains("kube-apiserver")
                        || err.contains("127.0.0.1:"), "the message names the outage:\n" + err);
                assertTrue(!err.contains("\tat "), "no stack trace:\n" + err);
                String how = outcome.finish(runId);
                System.err.printf("[%s outage] finished with %s%n", name, how);
            }
            floor.assertHeld();
        }
        outcome.assertEnded(runId);
    }
}
