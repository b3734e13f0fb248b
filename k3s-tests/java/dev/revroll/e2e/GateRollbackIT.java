package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

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
        String failing = mesh.meshedNamespace("gate-bad", Map.of("team", "e2e"), "pay");
        mesh.world.setFault(Fault.errors(failing, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        Path plan = mesh.plan("e2e-gate", """
                - name: first
                  namespaces: [%s]
                - name: second
                  namespaces: [%s]
                """.formatted(good, failing), RunIT.gates());
        Map<String, String> before = mesh.labels(failing);

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

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
