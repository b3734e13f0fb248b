package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rollback --break-glass}: the cluster is undone without Git; the namespace records it for {@code reconcile}. */
@ExtendWith(WorldNamespaces.class)
@Order(6) // among the longest classes: started first (pom.xml, e2e concurrency)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class BreakGlassIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void breakGlassUndoesTheClusterAndLeavesTheRecordForReconcile() {
        String ns = mesh.meshedNamespace("glass", Map.of(), "web");
        Path gitops = mesh.gitopsClone("gitops", List.of(ns));
        Path plan = mesh.plan("e2e-glass", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates() + """
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                """.formatted(gitops));
        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());
        assertEquals(0, run.exitCode(), run.toString());
        String runId = MeshFixture.runId(run.out());

        RevrollProcess.Result back = RevrollProcess.run(mesh.world, "rollback", runId, "--break-glass");

        assertEquals(0, back.exitCode(), back.toString());
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        String record = mesh.annotation(ns, "revroll.dev/break-glass");
        assertNotNull(record, "break-glass annotation");
        assertTrue(record.contains("\"run\":\"" + runId + "\"") && record.contains("\"step\":\"only/" + ns + "\"") && record.contains("\"commit\":\""), record);
        String commits = MeshFixture.git(null, "--git-dir", mesh.world.gitBare().toString(), "log", "--format=%H",
                "--grep=Revroll-Run: " + runId, "--all-match").trim();
        assertFalse(commits.isEmpty(), "the step's commit is on the remote");
        String reverts = MeshFixture.git(null, "--git-dir", mesh.world.gitBare().toString(), "log", "--format=%H",
                "--grep=Revroll-Run: " + runId, "--grep=Revroll-Revert-Of", "--all-match").trim();
        assertEquals("", reverts, "break-glass pushes no revert");
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", runId, "-o", "json");
        assertTrue(status.out().contains("\"breakGlass\" : \"{"), status.out());

        RevrollProcess.Result again = RevrollProcess.run(mesh.world, "run", plan.toString());
        assertEquals(3, again.exitCode(), "a later run is refused until Git is back in line: " + again);
        assertTrue(again.err().contains("namespace " + ns + " was rolled back with --break-glass")
                && again.err().contains("run 'revroll reconcile PLAN' first"), again.err());
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"), "the refused run touched nothing");

        RevrollProcess.Result reconcile = RevrollProcess.run(mesh.world, "reconcile", plan.toString());
        assertEquals(0, reconcile.exitCode(), reconcile.toString());
        RevrollProcess.Result after = RevrollProcess.run(mesh.world, "run", plan.toString());
        assertEquals(0, after.exitCode(), "after reconcile the run goes: " + after);
        assertEquals(mesh.world.newRevision(), mesh.labels(ns).get("istio.io/rev"));
    }
}
