package dev.revroll.e2e;

import com.google.gson.JsonObject;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A proxy is judged by its worst xDS connection (docs/proxy-sync.md#what-revroll-requires): an old stream that lingers
 * STALE beside a SYNCED new one, or listeners never requested or never ACKed, fail the proxy-sync gate on the real
 * istiod; the step is rolled back and the pods are back on the old revision. The mesh agent plays the proxies
 * (k3s-tests/agent: faults lingering, notsent, neverack); a test whose fault the running agent does not know yet is
 * skipped, saying so.
 */
@ExtendWith(WorldNamespaces.class)
@Order(5) // among the longest classes: started first (pom.xml, e2e concurrency)
@Needs({WorldFeature.MESH_AGENT_FAULTS, WorldFeature.PODS_OF_ANY_IMAGE})
class ProxyConnectionsIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void aLingeringStaleStreamBesideASyncedOneFailsTheGateNamingTheWorstConnection() {
        String istiod = mesh.world.istiodPod(mesh.world.newRevision());
        // the old stream's CLUSTER is STALE, "(never ACKed)" once it asked for clusters again: istiod names both STALE
        String problem = assertGateFails("lingering", ns -> Fault.proxy(ns, Optional.of(mesh.world.newRevision()), "lingering"),
                ": 2 xDS connections; worst: CLUSTER STALE");
        assertTrue(problem.contains(": 2 xDS connections; worst: LISTENER STALE") && problem.contains(" (" + istiod + ")"), problem);
    }

    @Test
    void listenersNeverRequestedFailTheGate() {
        assertGateFails("no-lds", ns -> Fault.proxy(ns, Optional.of(mesh.world.newRevision()), "notsent", List.of("lds")), ": LISTENER NOT SENT");
    }

    @Test
    void listenersNeverAckedFailTheGate() {
        assertGateFails("unacked-lds", ns -> Fault.proxy(ns, Optional.of(mesh.world.newRevision()), "neverack", List.of("lds")),
                ": LISTENER STALE (never ACKed)");
    }

    /**
     * One namespace, the fault on its pods once they run the new revision, a run that must fail its proxy-sync gate
     * with {@code problem}; returns what revroll printed on stderr.
     */
    private String assertGateFails(String prefix, java.util.function.Function<String, Fault> fault, String problem) {
        Fault probe = fault.apply("probe");
        mesh.world.agentRefuses(probe).ifPresent(why -> Assumptions.abort("the running mesh agent does not play " + probe.proxy().orElseThrow()
                + " yet (it is built from k3s-tests/agent when the world starts; rebuild and restart it to run this test): " + why));
        String ns = mesh.meshedNamespace(prefix, Map.of(), "web");
        mesh.world.setFault(fault.apply(ns));
        Map<String, String> before = mesh.labels(ns);
        Path plan = mesh.plan("e2e-" + prefix, "- name: only\n  namespaces: [" + ns + "]\n", BakeHealthIT.options(BakeHealthIT.proxySyncOnly("20s"), "0s"));

        RevrollProcess.Result run;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            run = RevrollProcess.run(mesh.world, "run", plan.toString());
            floor.assertHeld();
        }

        Assumptions.assumeTrue(mesh.world.agentHoldsFaultsOf(ns), "another test JVM replaced the mesh agent's fault list during the run");
        assertEquals(1, run.exitCode(), "the step failed and was rolled back:\n" + run);
        assertTrue(run.err().contains("proxy-sync gate: not SYNCED on " + mesh.world.newRevision()) && run.err().contains(problem), run.err());
        assertEquals(before, mesh.labels(ns), "labels restored exactly");
        Map<String, String> pods = mesh.podRevisions(ns);
        assertEquals(2, pods.size(), pods.toString());
        pods.forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        JsonObject status = new FaultOutcome(mesh).status(MeshFixture.runId(run.out()));
        assertEquals("ROLLED_BACK", status.get("state").getAsString());
        JsonObject step = status.getAsJsonArray("steps").get(0).getAsJsonObject();
        List<JsonObject> verdicts = MeshFixture.gateEntries(step, "verdicts", "proxy-sync");
        assertEquals(1, verdicts.size(), step.toString());
        assertEquals("FAIL", verdicts.get(0).get("outcome").getAsString());
        assertTrue(verdicts.get(0).get("summary").getAsString().contains(problem), verdicts.get(0).toString());
        return run.err();
    }
}
