package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Another run holding the lock (the Lease) refuses a run with exit 6, touching nothing. */
@ExtendWith(WorldNamespaces.class)
@Isolated("writes the run lock (Lease revroll-lock) as another run would")
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class LockIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void heldLockRefuses() {
        String ns = mesh.meshedNamespace("lock", Map.of(), "web");
        var plan = mesh.plan("e2e-lock", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());
        String now = Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
        mesh.world.applyYaml("""
                apiVersion: coordination.k8s.io/v1
                kind: Lease
                metadata:
                  name: revroll-lock
                  namespace: %s
                spec:
                  holderIdentity: someone-elses-run
                  leaseDurationSeconds: 3600
                  acquireTime: "%s"
                  renewTime: "%s"
                """.formatted(mesh.world.controlPlaneNamespace(), now, now));
        try {
            RevrollProcess.Result run = RevrollProcess.runOnce(mesh.world, java.util.Map.of(), "run", plan.toString());

            assertEquals(6, run.exitCode(), run.toString());
            assertTrue(run.err().contains("someone-elses-run"), run.err());
            assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));
        } finally {
            mesh.world.kubectl("delete", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(), "--ignore-not-found");
        }
    }
}
