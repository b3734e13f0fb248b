package dev.revroll.e2e.world;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/**
 * JUnit 5 extension that gives each end-to-end test namespaces of its own in the test world and deletes them when
 * that test ends. A test, or its {@code @BeforeEach} method, takes a {@link TestNamespaces} parameter and makes its
 * namespaces with {@link TestNamespaces#create}:
 *
 * <pre>{@code
 * @ExtendWith(WorldNamespaces.class)
 * class SomeIT {
 *     @Test
 *     void something(TestNamespaces namespaces) {
 *         String ns = namespaces.create("shop", Map.of("istio.io/rev", world.oldRevision()));
 * }}</pre>
 *
 * <p>Namespaces made through a parameter of a test (or of its {@code @BeforeEach} / {@code @AfterEach} methods) are
 * deleted after that test's {@code @AfterEach} methods, whether it passed or failed; mesh-agent faults this JVM set on
 * them are cleared first. Namespaces made through a parameter of a {@code @BeforeAll} method belong to the class and
 * are deleted after its last test. A namespace that is already gone is no error. Each test's namespaces live in its own
 * JUnit context, so tests that run concurrently never share or delete each other's.
 */
public final class WorldNamespaces implements ParameterResolver, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(WorldNamespaces.class);

    /** What the extension needs of a world: the test world by default, a fake in the extension's own test. */
    interface Host {
        void createNamespace(String name, Map<String, String> labels);

        /** Deletes the namespaces (not waiting for them to be gone); one already gone is no error. */
        void deleteNamespaces(Collection<String> names);

        /** Removes this JVM's mesh-agent faults of these namespaces, if it set any. */
        void clearFaults(Collection<String> names);
    }

    private final Supplier<Host> host;

    public WorldNamespaces() {
        this(WorldNamespaces::theWorld);
    }

    WorldNamespaces(Supplier<Host> host) {
        this.host = host;
    }

    private static Host theWorld() {
        SandboxWorld world = SandboxWorld.get();
        return new Host() {
            @Override
            public void createNamespace(String name, Map<String, String> labels) {
                world.createNamespace(name, labels);
            }

            @Override
            public void deleteNamespaces(Collection<String> names) {
                world.deleteNamespaces(names);
            }

            @Override
            public void clearFaults(Collection<String> names) {
                world.clearFaults(names);
            }
        };
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestNamespaces.class;
    }

    @Override
    public TestNamespaces resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // keyed by the context's own id: a test's parameter never resolves to its class's namespaces, nor the reverse
        return context.getStore(STORE).getOrComputeIfAbsent(context.getUniqueId(),
                id -> new TestNamespaces(host.get(), context.getDisplayName()), TestNamespaces.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        deleteOf(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        deleteOf(context);
    }

    private static void deleteOf(ExtensionContext context) {
        TestNamespaces namespaces = context.getStore(STORE).remove(context.getUniqueId(), TestNamespaces.class);
        if (namespaces != null) {
            namespaces.delete();
        }
    }
}
