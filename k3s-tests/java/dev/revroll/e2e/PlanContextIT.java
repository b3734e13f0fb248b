package dev.revroll.e2e;

import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plan's cluster context is checked before any request: a kubeconfig with two contexts, the plan's (the world) and
 * the current one pointing at a closed port. Every command refuses with the context mismatch naming both (exit 3), not
 * with a connection error (exit 7), so nothing was sent to the wrong cluster; with --context the plan's own works.
 */
@ExtendWith(WorldNamespaces.class)
class PlanContextIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void aWrongContextIsRefusedBeforeAnyRequestNamingBothContexts() throws IOException {
        SandboxWorld world = mesh.world;
        String ns = mesh.namespace("ctx", Map.of("istio.io/rev", world.oldRevision()));
        Path plan = mesh.plan("e2e-ctx", "- name: only\n  namespaces: [" + ns + "]\n", "");
        Path kubeconfig = twoContexts(world, closedPort());

        for (List<String> command : List.of(List.of("run", plan.toString()), List.of("preview", plan.toString()),
                List.of("resume", "--plan", plan.toString()), List.of("rollback", "--plan", plan.toString()))) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--kubeconfig", kubeconfig.toString()));
            RevrollProcess.Result r = RevrollProcess.runWith(world, Map.of(), args);
            assertEquals(3, r.exitCode(), command + ": " + r);
            String all = r.out() + r.err();
            assertTrue(all.contains("kube context is 'elsewhere' but the plan is for '" + world.context() + "'"), command + ": " + r);
            assertTrue(all.contains("nothing was read from or written to 'elsewhere'"), command + ": " + r);
            assertFalse(all.toLowerCase().contains("connect"), "no connection was tried: " + r);
        }
        assertEquals(world.oldRevision(), mesh.labels(ns).get("istio.io/rev"), "nothing changed");

        RevrollProcess.Result own = RevrollProcess.runWith(world, Map.of(), List.of("preview", plan.toString(), "--kubeconfig", kubeconfig.toString(),
                "--context", world.context()));
        assertEquals(0, own.exitCode(), "the plan's own context is served: " + own);
    }

    /** The world's kubeconfig plus a context 'elsewhere' (same user) at a closed port, made the current context. */
    @SuppressWarnings("unchecked")
    private static Path twoContexts(SandboxWorld world, int closedPort) throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(world.kubeconfig()));
        List<Map<String, Object>> contexts = (List<Map<String, Object>>) config.get("contexts");
        Map<String, Object> worldContext = contexts.stream().filter(c -> world.context().equals(c.get("name"))).findFirst().orElseThrow();
        String user = (String) ((Map<String, Object>) worldContext.get("context")).get("user");
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("name", "closed-port");
        cluster.put("cluster", Map.of("server", "https://127.0.0.1:" + closedPort, "insecure-skip-tls-verify", true));
        ((List<Object>) config.get("clusters")).add(cluster);
        Map<String, Object> elsewhere = new LinkedHashMap<>();
        elsewhere.put("name", "elsewhere");
        elsewhere.put("context", Map.of("cluster", "closed-port", "user", user));
        contexts.add(elsewhere);
        config.put("current-context", "elsewhere");
        Path file = Files.createTempDirectory("revroll-ctx").resolve("kubeconfig");
        Files.writeString(file, new Yaml().dump(config));
        return file;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
