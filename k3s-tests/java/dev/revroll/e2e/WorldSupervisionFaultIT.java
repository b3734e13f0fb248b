package dev.revroll.e2e;

import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.revroll.e2e.world.Await.await;

/**
 * The world supervises itself (world/supervise): the controller manager, the scheduler and kwok, SIGKILLed, are
 * started again by their supervisors, and a Deployment created afterwards gets Ready, injected pods (which needs all
 * three). Without supervision the world would be left with none of them, as after an API-server freeze.
 */
@Isolated("kills the world's controllers")
@ExtendWith(WorldNamespaces.class)
class WorldSupervisionFaultIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
        mesh.world.assumeWorldWideFaults();
    }

    @Test
    void killedControllersComeBackAndTheWorldStillRollsOut() {
        List<String> components = List.of("kube-controller-manager", "kube-scheduler", "kwok-controller");
        Map<String, Integer> before = new java.util.HashMap<>();
        components.forEach(c -> before.put(c, mesh.world.restarts(c)));
        components.forEach(mesh.world::killComponent);
        components.forEach(c -> await(c + " started again by its supervisor", Duration.ofSeconds(60))
                .until(() -> mesh.world.restarts(c) > before.get(c)));

        String ns = mesh.namespace("supervised", Map.of("istio.io/rev", mesh.world.oldRevision()));
        mesh.deployment(ns, "web", 2, null);
        mesh.waitPods(ns, mesh.world.oldRevision());
        await("both pods of the new Deployment Ready", Duration.ofMinutes(2)).until(() ->
                mesh.world.kubectl("get", "pods", "-n", ns, "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}")
                        .trim().equals("True True"));
    }
}
