package dev.revroll.e2e;

import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code KUBECONFIG=a:b:c} is merged as kubectl merges it (docs/kubeconfig.md), on the world's own credentials split
 * over files in different directories: the cluster and user in one (their certificate paths made relative to it), the
 * context and current-context in another, a decoy defining the same names at a closed port after them. In that order
 * (with a missing file and an empty entry in the list) preview reaches the world; with the decoy first it wins and
 * the CLI names its server; a file that does not parse is named with its line and column.
 */
@ExtendWith(WorldNamespaces.class)
class KubeconfigListIT {

    private static final String DECOY_SERVER = "https://127.0.0.1:1";

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void theFirstFileToDefineANameWinsAndRelativePathsBelongToTheirFile() throws IOException {
        SandboxWorld world = mesh.world;
        String ns = mesh.namespace("kcl", Map.of("istio.io/rev", world.oldRevision()));
        Path plan = mesh.plan("e2e-kcl", "- name: only\n  namespaces: [" + ns + "]\n", "");
        Path base = Files.createTempDirectory("revroll-kubeconfigs");
        Split split = split(world, base);

        String inOrder = String.join(File.pathSeparator, split.credentials().toString(), base.resolve("missing").toString(), "",
                split.context().toString(), split.decoy().toString());
        RevrollProcess.Result reached = RevrollProcess.runWith(world, Map.of("KUBECONFIG", inOrder), List.of("preview", plan.toString()));
        assertEquals(0, reached.exitCode(), "the world is reached through the merged list: " + reached);
        assertTrue(reached.out().contains(ns), reached.toString());

        String decoyFirst = String.join(File.pathSeparator, split.decoy().toString(), split.credentials().toString(), split.context().toString());
        RevrollProcess.Result decoyed = RevrollProcess.runWith(world, Map.of("KUBECONFIG", decoyFirst), List.of("preview", plan.toString()));
        assertEquals(7, decoyed.exitCode(), "the decoy's context and cluster win when it comes first: " + decoyed);
        assertTrue(decoyed.err().contains("cannot reach the Kubernetes API at " + DECOY_SERVER + " (context " + world.context() + ")"), decoyed.toString());

        Path broken = Files.writeString(base.resolve("broken"), "apiVersion: v1\nclusters: [name: x\n");
        String withBroken = String.join(File.pathSeparator, split.credentials().toString(), broken.toString(), split.context().toString());
        RevrollProcess.Result refused = RevrollProcess.runWith(world, Map.of("KUBECONFIG", withBroken), List.of("preview", plan.toString()));
        assertEquals(2, refused.exitCode(), refused.toString());
        assertTrue(refused.err().startsWith("revroll: cannot read kubeconfig " + broken + ":3:1: "), refused.toString());
        assertFalse(refused.err().contains("\tat "), "no stack trace: " + refused);
        assertEquals(world.oldRevision(), mesh.labels(ns).get("istio.io/rev"), "preview changed nothing");
    }

    record Split(Path credentials, Path context, Path decoy) {
    }

    /** The world's kubeconfig split over three directories under {@code base}, as described on the class. */
    @SuppressWarnings("unchecked")
    private static Split split(SandboxWorld world, Path base) throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(world.kubeconfig()));
        Map<String, Object> context = named((List<Object>) config.get("contexts"), world.context());
        Map<String, Object> body = (Map<String, Object>) context.get("context");
        Map<String, Object> cluster = named((List<Object>) config.get("clusters"), (String) body.get("cluster"));
        Map<String, Object> user = named((List<Object>) config.get("users"), (String) body.get("user"));

        Path credentials = Files.createDirectories(base.resolve("credentials/nested")).resolve("kubeconfig");
        Path pki = base.resolve("credentials/pki");
        int relative = relativeFiles((Map<String, Object>) cluster.get("cluster"), credentials.getParent(), world.kubeconfig().getParent(), pki)
                + relativeFiles((Map<String, Object>) user.get("user"), credentials.getParent(), world.kubeconfig().getParent(), pki);
        assertTrue(relative > 0, "the world's credentials are named by relative paths (user " + user.get("name") + ")");
        write(credentials, Map.of("apiVersion", "v1", "kind", "Config", "clusters", List.of(cluster), "users", List.of(user)));

        Path contextFile = Files.createDirectories(base.resolve("context")).resolve("kubeconfig");
        write(contextFile, Map.of("apiVersion", "v1", "kind", "Config", "current-context", world.context(), "contexts", List.of(context)));

        Map<String, Object> decoyBody = new LinkedHashMap<>(body);
        decoyBody.put("cluster", "decoy");
        Map<String, Object> wrongServer = Map.of("server", DECOY_SERVER, "insecure-skip-tls-verify", true);
        Path decoy = Files.createDirectories(base.resolve("decoy")).resolve("kubeconfig");
        write(decoy, Map.of("apiVersion", "v1", "kind", "Config", "current-context", world.context(),
                "contexts", List.of(Map.of("name", world.context(), "context", decoyBody)),
                "clusters", List.of(Map.of("name", "decoy", "cluster", wrongServer), Map.of("name", cluster.get("name"), "cluster", wrongServer))));
        return new Split(credentials, contextFile, decoy);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> named(List<Object> entries, String name) {
        return entries.stream().map(e -> (Map<String, Object>) e).filter(e -> name.equals(e.get("name"))).findFirst().orElseThrow();
    }

    /**
     * Every credential of {@code fields} as a file named relative to {@code dir} (the split file's directory, not the
     * working directory): file references are rewritten, inline {@code *-data} and {@code token} values are written to
     * files in {@code pki}. The run then only works when each file's paths are resolved against that file.
     */
    private static int relativeFiles(Map<String, Object> fields, Path dir, Path originalDir, Path pki) throws IOException {
        int n = 0;
        for (String key : List.of("certificate-authority", "client-certificate", "client-key", "tokenFile")) {
            if (fields.get(key) instanceof String path) {
                fields.put(key, dir.relativize(originalDir.resolve(path).toAbsolutePath().normalize()).toString());
                n++;
            }
            if (fields.remove(key + "-data") instanceof String data) {
                Files.write(Files.createDirectories(pki).resolve(key), Base64.getDecoder().decode(data));
                fields.put(key, dir.relativize(pki.resolve(key)).toString());
                n++;
            }
        }
        if (fields.remove("token") instanceof String token) {
            Files.writeString(Files.createDirectories(pki).resolve("token"), token);
            fields.put("tokenFile", dir.relativize(pki.resolve("token")).toString());
            n++;
        }
        return n;
    }

    private static void write(Path file, Map<String, Object> doc) throws IOException {
        Files.writeString(file, new Yaml().dump(doc));
    }
}
