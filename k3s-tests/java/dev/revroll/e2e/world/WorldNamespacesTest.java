package dev.revroll.e2e.world;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@link WorldNamespaces} without a world: the fixture classes below run through JUnit's test kit with a fake host
 * that records what the extension asks of the world.
 */
class WorldNamespacesTest {

    /** What the extension asked, in order: "create NAME", "clear-faults [..]", "delete [..]", and the fixtures' own steps. */
    static final List<String> LOG = java.util.Collections.synchronizedList(new ArrayList<>());
    static final Set<String> EXISTING = ConcurrentHashMap.newKeySet();

    static final WorldNamespaces.Host FAKE = new WorldNamespaces.Host() {
        @Override
        public void createNamespace(String name, Map<String, String> labels) {
            if (!EXISTING.add(name)) {
                throw new WorldException("namespace " + name + " exists");
            }
            LOG.add("create " + name);
        }

        @Override
        public void deleteNamespaces(Collection<String> names) {
            EXISTING.removeAll(names);
            LOG.add("delete " + names);
        }

        @Override
        public void clearFaults(Collection<String> names) {
            LOG.add("clear-faults " + names);
        }
    };

    /** The fixtures run only inside {@link #run}, never on their own. */
    static final class OnlyInTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter("revroll.world-namespaces-fixture").isPresent()
                    ? ConditionEvaluationResult.enabled("run by WorldNamespacesTest")
                    : ConditionEvaluationResult.disabled("a fixture of WorldNamespacesTest");
        }
    }

    private static Events run(Class<?> fixture) {
        LOG.clear();
        EXISTING.clear();
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("revroll.world-namespaces-fixture", "true")
                .selectors(selectClass(fixture))
                .execute()
                .testEvents();
    }

    @ExtendWith(OnlyInTestKit.class)
    static class FailingFixture {
        @RegisterExtension
        static final WorldNamespaces NAMESPACES = new WorldNamespaces(() -> FAKE);

        @AfterEach
        void afterEach() {
            LOG.add("@AfterEach");
        }

        @Test
        void fails(TestNamespaces namespaces) {
            namespaces.create("shop", Map.of());
            namespaces.create("istio-system", Map.of());
            throw new AssertionError("the test failed");
        }
    }

    @Test
    void aFailedTestsNamespacesAreDeletedAfterItsAfterEachMethods() {
        Events events = run(FailingFixture.class);

        events.assertStatistics(s -> s.started(1).failed(1).succeeded(0));
        assertEquals(5, LOG.size(), LOG.toString());
        assertTrue(LOG.get(0).matches("create shop-[a-z0-9]{6}"), LOG.toString());
        assertTrue(LOG.get(1).matches("create istio-system-[a-z0-9]{6}"), LOG.toString());
        assertEquals("@AfterEach", LOG.get(2));
        String both = "[" + LOG.get(0).substring("create ".length()) + ", " + LOG.get(1).substring("create ".length()) + "]";
        assertEquals(List.of("clear-faults " + both, "delete " + both), LOG.subList(3, 5));
        assertTrue(EXISTING.isEmpty(), "both deleted: " + EXISTING);
    }

    @ExtendWith(OnlyInTestKit.class)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class ClassAndTestScopes {
        @RegisterExtension
        static final WorldNamespaces NAMESPACES = new WorldNamespaces(() -> FAKE);

        private String shared;
        private String perTest;

        @BeforeAll
        void beforeAll(TestNamespaces namespaces) {
            shared = namespaces.create("shared", Map.of());
        }

        @BeforeEach
        void beforeEach(TestNamespaces namespaces) {
            perTest = namespaces.create("each", Map.of());
        }

        @Test
        void first(TestNamespaces namespaces) {
            assertTrue(namespaces.names().contains(perTest), "the test's parameter is its @BeforeEach's: " + namespaces);
            assertFalse(namespaces.names().contains(shared), "a test's namespaces are not its class's");
            LOG.add("test sees " + EXISTING.contains(shared));
        }

        @Test
        void second() {
            LOG.add("test sees " + EXISTING.contains(shared));
        }
    }

    @Test
    void namespacesOfABeforeAllMethodLiveUntilTheClassEnds() {
        Events events = run(ClassAndTestScopes.class);

        events.assertStatistics(s -> s.started(2).succeeded(2));
        List<String> deletes = LOG.stream().filter(l -> l.startsWith("delete ")).toList();
        assertEquals(3, deletes.size(), LOG.toString());
        assertTrue(deletes.get(0).matches("delete \\[each-[a-z0-9]{6}]"), LOG.toString());
        assertTrue(deletes.get(1).matches("delete \\[each-[a-z0-9]{6}]"), LOG.toString());
        assertTrue(deletes.get(2).matches("delete \\[shared-[a-z0-9]{6}]"), LOG.toString());
        assertEquals(List.of("test sees true", "test sees true"), LOG.stream().filter(l -> l.startsWith("test sees")).toList(),
                "the class's namespace outlives each test");
        assertEquals(LOG.size() - 1, LOG.indexOf(deletes.get(2)), "the class's namespace goes last: " + LOG);
        assertTrue(EXISTING.isEmpty(), "everything made is deleted: " + EXISTING);
    }

    @ExtendWith(OnlyInTestKit.class)
    static class NoNamespaces {
        @RegisterExtension
        static final WorldNamespaces NAMESPACES = new WorldNamespaces(() -> {
            throw new AssertionError("a test without namespaces never reaches the world");
        });

        @Test
        void nothing() {
            LOG.add("ran");
        }
    }

    @Test
    void aTestThatMakesNoNamespaceAsksNothingOfTheWorld() {
        run(NoNamespaces.class).assertStatistics(s -> s.started(1).succeeded(1));
        assertEquals(List.of("ran"), LOG);
    }
}
