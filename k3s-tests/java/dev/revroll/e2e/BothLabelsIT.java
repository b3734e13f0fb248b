package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A namespace labelled both {@code istio-injection=enabled} and {@code istio.io/rev}: the default injector wins
 * before the step; the step removes istio-injection; {@code revroll rollback} restores both labels exactly.
 */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class BothLabelsIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void bothLabelsMoveAndRollBackExactly() {
        String ns = mesh.meshedNamespace("both", Map.of("istio-injection", "enabled"), "web");
        Map<String, String> before = mesh.labels(ns);
        assertEquals("enabled", before.get("istio-injection"));
        Path plan = mesh.plan("e2e-both", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertFalse(mesh.labels(ns).containsKey("istio-injection"));
        assertEquals(mesh.world.newRevision(), mesh.labels(ns).get("istio.io/rev"));
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));

        RevrollProcess.Result back = RevrollProcess.run(mesh.world, "rollback", MeshFixture.runId(run.out()));

        assertEquals(0, back.exitCode(), back.toString());
        assertEquals(before, mesh.labels(ns), "both labels back exactly");
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", MeshFixture.runId(run.out()), "-o", "json");
        assertTrue(status.out().contains("\"state\" : \"ROLLED_BACK\""), status.out());
    }
}
