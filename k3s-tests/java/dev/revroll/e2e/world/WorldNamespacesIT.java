package dev.revroll.e2e.world;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@link WorldNamespaces} against the real world: a test that fails, after deleting one of its namespaces itself and
 * setting a fault on another, leaves nothing behind, and its only failure is its own.
 */
class WorldNamespacesIT {

    static final List<String> MADE = new CopyOnWriteArrayList<>();

    @ExtendWith({WorldNamespacesTest.OnlyInTestKit.class, WorldNamespaces.class})
    static class FailsAfterDeletingOneOfItsNamespaces {
        @Test
        void fails(TestNamespaces namespaces) {
            SandboxWorld world = SandboxWorld.get();
            String gone = namespaces.create("e2e-gone", Map.of());
            String faulted = namespaces.create("e2e-faulted", Map.of("istio.io/rev", world.oldRevision()));
            MADE.addAll(List.of(gone, faulted));
            assertEquals("true", world.kubectl("get", "namespace", faulted, "-o", "jsonpath={.metadata.labels.revroll\\.dev/e2e}"));
            world.kubectl("delete", "namespace", gone, "--wait=false");
            world.setFault(Fault.errors(faulted, Optional.empty(), 0.5, 503, "-"));
            throw new AssertionError("the test's own failure");
        }
    }

    @Test
    void aFailedTestLeavesNoNamespaceNorFaultBehind() {
        MADE.clear();
        Events events = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("revroll.world-namespaces-fixture", "true")
                .selectors(selectClass(FailsAfterDeletingOneOfItsNamespaces.class))
                .execute()
                .testEvents();

        events.assertStatistics(s -> s.started(1).failed(1));
        Throwable failure = events.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertEquals("the test's own failure", failure.getMessage());
        assertEquals(0, failure.getSuppressed().length, "the deletion added no failure of its own: " + List.of(failure.getSuppressed()));

        SandboxWorld world = SandboxWorld.get();
        assertEquals(2, MADE.size(), MADE.toString());
        for (String ns : MADE) {
            String left = world.kubectl("get", "namespace", ns, "--ignore-not-found", "-o", "jsonpath={.metadata.deletionTimestamp}");
            String exists = world.kubectl("get", "namespace", ns, "--ignore-not-found", "-o", "name");
            assertTrue(exists.isBlank() || !left.isBlank(), ns + " is gone or being deleted");
        }
        assertFalse(world.httpGet(world.agentUrl() + "/faults?source=api").contains(MADE.get(1)), "the test's fault is cleared");
    }
}
