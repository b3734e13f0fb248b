package dev.revroll.e2e;

import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The availability floor itself, without revroll: {@code kubectl rollout restart} of a make-before-break Deployment
 * keeps it at its replicas, the same restart of a {@code Recreate} Deployment drops it to zero, and the floor says so.
 */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class AvailabilityFloorIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void holdsForMakeBeforeBreakAndCatchesRecreate() {
        String ns = mesh.namespace("floor", Map.of());
        mesh.deployment(ns, "mbb", 2, "  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}");
        mesh.deployment(ns, "rec", 2, "  strategy: {type: Recreate}");

        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            mesh.world.kubectl("-n", ns, "rollout", "restart", "deployment/mbb", "deployment/rec");
            for (String d : new String[] {"mbb", "rec"}) {
                mesh.world.kubectl("-n", ns, "rollout", "status", "deployment/" + d, "--timeout=120s");
            }
            await("the floor saw both old pods of each deployment deleted", Duration.ofSeconds(30))
                    .until(() -> floor.replaced(ns, "Deployment/mbb") >= 2 && floor.replaced(ns, "Deployment/rec") >= 2);

            AvailabilityFloor.Low mbb = floor.low(ns, "Deployment/mbb");
            assertEquals(2, mbb.promised());
            assertEquals(2, mbb.minimum(), mbb.toString());
            AvailabilityFloor.Low rec = floor.low(ns, "Deployment/rec");
            assertEquals(0, rec.minimum(), rec.toString());
            assertTrue(rec.at() != null && rec.event().contains("pod "), rec.toString());
            AssertionError broken = assertThrows(AssertionError.class, floor::assertHeld);
            assertTrue(broken.getMessage().contains("Deployment/rec: lowest 0 serving pod(s), promised at least 2"), broken.getMessage());
            String breaches = broken.getMessage().substring(0, broken.getMessage().indexOf("\nall:"));
            assertTrue(!breaches.contains("Deployment/mbb"), broken.getMessage());
        }
    }
}
