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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outside the maintenance window the run pauses before its first step (exit 5), touching nothing; status shows it. */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class WindowIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void closedWindowPausesBeforeTheFirstStep() {
        String ns = mesh.meshedNamespace("window", Map.of(), "web");
        Map<String, String> pods = mesh.podRevisions(ns);
        Path plan = mesh.plan("e2e-window", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates() + """
                window:
                  cron: "0 3 1 1 *"
                  duration: 1m
                  timeZone: UTC
                """);

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(5, run.exitCode(), run.toString());
        assertTrue(run.err().contains("maintenance window closed"), run.err());
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));
        assertEquals(pods, mesh.podRevisions(ns));
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", MeshFixture.runId(run.out()));
        assertTrue(status.out().contains("PAUSED"), status.out());
    }
}
