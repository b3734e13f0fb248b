package dev.revroll.e2e;

import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failing error-rate gate (errors only on the new revision) rolls its step back; the earlier step stays moved. */
@ExtendWith(WorldNamespaces.class)
@Needs({WorldFeature.MESH_AGENT_FAULTS, WorldFeature.PODS_OF_ANY_IMAGE})
class GateRollbackIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void failingGateRollsTheStepBackExactly() {
        String good = mesh.meshedNamespace("gate-ok", Map.of(), "web");
        String failing = mesh.namespace("gate-bad", Map.of("istio.io/rev", mesh.world.oldRevision(), "team", "e2e"));
        mesh.deployment(failing, "pay", 2, null);
        mesh.statefulSet(failing, "cache", 2);
        mesh.daemonSet(failing, "agent", "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}");
        mesh.waitPods(failing, mesh.world.oldRevision());
        mesh.world.setFault(Fault.errors(failing, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        Path plan = mesh.plan("e2e-gate", """
                - name: first
                  namespaces: [%s]
                - name: second
                  namespaces: [%s]
                """.formatted(good, failing), RunIT.gates().replace("kinds: [Deployment]", "kinds: [Deployment, StatefulSet, DaemonSet]"));
        Map<String, String> before = mesh.labels(failing);

        RevrollProcess.Result run;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, good, failing)) {
            run = RevrollProcess.run(mesh.world, "run", plan.toString());
            // restarted forward and back: every pod replaced twice, and never fewer serving than make-before-break promises
            await("the floor saw every pod replaced forward and back", Duration.ofSeconds(30)).until(() ->
                    floor.replaced(failing, "Deployment/pay") >= 4 && floor.replaced(failing, "StatefulSet/cache") >= 4
                            && floor.replaced(failing, "DaemonSet/agent") >= 4 && floor.replaced(good, "Deployment/web") >= 2);
            floor.assertHeld();
        }

        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(before, mesh.labels(failing), "labels restored exactly");
        mesh.podRevisions(failing).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        assertEquals(mesh.world.newRevision(), mesh.labels(good).get("istio.io/rev"), "earlier step untouched");
        mesh.podRevisions(good).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
        assertTrue(run.err().contains("error-rate"), run.err());
        assertFalse(MeshFixture.jsonLines(run.out(), "STEP_ROLLED_BACK").isEmpty(), run.out());
    }

    @Test
    void staleProxiesOnTheNewRevisionFailTheProxySyncGate() {
        String failing = mesh.meshedNamespace("stale", Map.of(), "web");
        mesh.world.setFault(Fault.proxy(failing, Optional.of(mesh.world.newRevision()), "stale"));
        Map<String, String> before = mesh.labels(failing);
        Path plan = mesh.plan("e2e-stale", "- name: only\n  namespaces: [" + failing + "]\n",
                RunIT.gates().replace("timeout: 90s", "timeout: 15s"));

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("proxy-sync gate") && run.err().contains("STALE"), run.err());
        assertEquals(before, mesh.labels(failing));
        mesh.podRevisions(failing).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
    }
}
