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

/** Preflight refusals touch nothing and exit 3. */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class PreflightIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void surgeRequireRefusesAndTouchesNothing() {
        String ns = mesh.meshedNamespace("surge", Map.of(), "web");
        mesh.deployment(ns, "safe", 1, "  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}");
        mesh.waitPods(ns, mesh.world.oldRevision());
        Map<String, String> pods = mesh.podRevisions(ns);
        Path plan = mesh.plan("e2e-surge", "- name: only\n  namespaces: [" + ns + "]\n",
                RunIT.gates().replace("surge: enforce", "surge: require"));

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().contains(ns + "/Deployment/web"), run.err());
        assertTrue(!run.err().contains(ns + "/Deployment/safe"), run.err());
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));
        assertEquals(pods, mesh.podRevisions(ns), "no pod was replaced");
        assertEquals("", mesh.restartedAt(ns, "web"));
    }

    @Test
    void wrongContextRefuses() {
        String ns = mesh.meshedNamespace("ctx", Map.of(), "web");
        Path plan = mesh.plan("e2e-ctx", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());
        String text = readString(plan).replace("context: " + mesh.world.context(), "context: prod-eu-1");
        writeString(plan, text);

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().contains("prod-eu-1"), run.err());
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));
    }

    static String readString(Path p) {
        try {
            return java.nio.file.Files.readString(p);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeString(Path p, String s) {
        try {
            java.nio.file.Files.writeString(p, s);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
