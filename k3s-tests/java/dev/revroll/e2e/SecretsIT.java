package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static dev.revroll.e2e.MeshFixture.git;
import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets never appear: a run on the world with planted credentials everywhere revroll takes them from — a bearer
 * token next to the client certificate in the kubeconfig (and the client key itself), a Git smart-HTTP remote behind
 * basic auth with the token in the clone's URL and in REVROLL_GIT_TOKEN (which revroll uses), Prometheus basic auth in the plan's URL, a
 * bearer token in REVROLL_PROMETHEUS_TOKEN and a header value in spec.prometheus.headers — and then every artifact is searched for them: stdout and stderr of
 * validate, preview, run and status, the run's journal ConfigMap (decompressed), the Events of the namespace and of
 * the control plane, and every commit on the Git remote.
 */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class SecretsIT {

    private static final String KUBE_TOKEN = "planted-kube-token-7f3a9c1e";
    private static final String GIT_TOKEN = "planted-git-token-9b1d44";
    private static final String PROM_PASSWORD = "planted-prom-pass-51e2d0";
    private static final String PROM_TOKEN = "planted-prom-bearer-c0ffee";
    /** A header value (spec.prometheus.headers): some carry keys, so none is ever shown. */
    private static final String PROM_HEADER = "planted-prom-header-a11ce";

    @TempDir
    Path tmp;

    MeshFixture mesh;
    private GitDaemonRemote remote;
    private Process http;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.destroy();
            http.waitFor(10, TimeUnit.SECONDS);
        }
        if (remote != null) {
            remote.close();
        }
    }

    @Test
    void plantedCredentialsAppearInNoArtifact() throws Exception {
        SandboxWorld world = mesh.world;
        String ns = mesh.meshedNamespace("sec", Map.of(), "web");
        List<String> secrets = new ArrayList<>(List.of(KUBE_TOKEN, GIT_TOKEN, PROM_PASSWORD, PROM_TOKEN, PROM_HEADER));
        Path kubeconfig = withToken(world, secrets);

        remote = GitDaemonRemote.start(tmp, Map.of("clusters/e2e/namespaces/" + ns + ".yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n    istio.io/rev: " + world.oldRevision() + "\n"));
        int port = GitDaemonRemote.freePort();
        http = new ProcessBuilder("python3", Path.of("k3s-tests/git/smart-http.py").toAbsolutePath().toString(),
                Integer.toString(port), remote.bare().getParent().toString(), "revroll", GIT_TOKEN)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("smart-http.log").toFile()).start();
        await("smart-http listening on 127.0.0.1:" + port, Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> GitDaemonRemote.listens(port));
        Path clone = tmp.resolve("gitops");
        git(tmp, "clone", "-q", "http://revroll:" + GIT_TOKEN + "@127.0.0.1:" + port + "/gitops.git", clone.toString());
        git(clone, "config", "user.name", "revroll e2e");
        git(clone, "config", "user.email", "e2e@revroll.invalid");

        String promWithAuth = world.prometheusUrl().replaceFirst("^http://", "http://revroll:" + PROM_PASSWORD + "@");
        Path plan = mesh.plan("e2e-secrets", "- name: only\n  namespaces: [" + ns + "]\n", """
                restart:
                  kinds: [Deployment]
                  timeout: 3m
                gates:
                  proxySync: {timeout: 90s}
                  metrics:
                    - name: traffic
                      query: sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}"}[15s]))
                      failWhen: "< 0"
                      interval: 1s
                      samples: 2
                      onNoData: wait
                bake: 2s
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                """.formatted(clone));
        Files.writeString(plan, Files.readString(plan).replace("url: " + world.prometheusUrl(), "url: " + promWithAuth
                + "\n    headers:\n      X-Api-Key: " + PROM_HEADER));
        assertTrue(Files.readString(plan).contains(PROM_PASSWORD), "the plan carries the planted password");

        Map<String, String> env = Map.of("REVROLL_PROMETHEUS_TOKEN", PROM_TOKEN,
                "REVROLL_GIT_TOKEN", GIT_TOKEN, "REVROLL_GIT_USERNAME", "revroll");
        List<String> kube = List.of("--kubeconfig", kubeconfig.toString(), "--context", world.context());
        List<RevrollProcess.Result> results = new ArrayList<>();
        results.add(RevrollProcess.runWith(world, env, List.of("validate", plan.toString())));
        results.add(RevrollProcess.runWith(world, env, List.of(args(kube, "preview", plan.toString()))));
        results.add(RevrollProcess.runWith(world, env, List.of(args(kube, "preview", plan.toString(), "-o", "json"))));
        RevrollProcess.Result run = RevrollProcess.runWith(world, env, List.of(args(kube, "run", plan.toString(), "--verbose")));
        results.add(run);
        assertEquals(0, run.exitCode(), "the planted credentials are the ones used, and they work: " + run);
        String runId = MeshFixture.runId(run.out());
        results.add(RevrollProcess.runWith(world, env, List.of(args(kube, "status", runId))));
        results.add(RevrollProcess.runWith(world, env, List.of(args(kube, "status", runId, "-o", "json"))));
        results.add(RevrollProcess.runWith(world, env, List.of(args(kube, "drift", plan.toString()))));

        Map<String, String> artifacts = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            artifacts.put("command " + i + " stdout", results.get(i).out());
            artifacts.put("command " + i + " stderr", results.get(i).err());
        }
        String cp = world.controlPlaneNamespace();
        artifacts.put("journal ConfigMap", world.kubectl("get", "configmap", "revroll-run-" + runId, "-n", cp, "-o", "yaml"));
        artifacts.put("journal document", gunzip(world.kubectl("get", "configmap", "revroll-run-" + runId, "-n", cp,
                "-o", "jsonpath={.binaryData.journal\\.json\\.gz}").trim()));
        artifacts.put("events of " + ns, world.kubectl("get", "events", "-n", ns, "-o", "yaml"));
        artifacts.put("events of " + cp, world.kubectl("get", "events", "-n", cp, "-o", "yaml"));
        artifacts.put("namespace " + ns, world.kubectl("get", "namespace", ns, "-o", "yaml"));
        artifacts.put("Git remote history", git(remote.bare(), "log", "-p", "--all", "--format=%H%n%an <%ae>%n%B"));
        assertTrue(artifacts.get("Git remote history").contains("Revroll-Run: " + runId), "the step was committed and pushed");
        assertTrue(artifacts.get("journal document").contains("traffic"), "the journal was read back");

        for (Map.Entry<String, String> a : artifacts.entrySet()) {
            for (String secret : secrets) {
                assertFalse(a.getValue().contains(secret), "a planted secret appears in " + a.getKey() + ":\n" + a.getValue());
            }
        }
    }

    private static String[] args(List<String> kube, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(kube);
        return all.toArray(String[]::new);
    }

    /** The world's kubeconfig with a bearer token added to its user; the client key's base64 lines join the secrets. */
    @SuppressWarnings("unchecked")
    private Path withToken(SandboxWorld world, List<String> secrets) throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(world.kubeconfig()));
        for (Map<String, Object> u : (List<Map<String, Object>>) config.get("users")) {
            Map<String, Object> user = (Map<String, Object>) u.get("user");
            user.put("token", KUBE_TOKEN);
            Object keyFile = user.get("client-key");
            if (keyFile != null) {
                Path key = world.kubeconfig().getParent().resolve(keyFile.toString());
                for (String line : Files.readAllLines(key)) {
                    if (!line.startsWith("-----") && line.length() >= 40) {
                        secrets.add(line); // a line of the private key's body
                    }
                }
            }
            Object keyData = user.get("client-key-data");
            if (keyData != null) {
                secrets.add(keyData.toString().substring(0, Math.min(60, keyData.toString().length())));
            }
        }
        Path file = tmp.resolve("kubeconfig");
        Files.writeString(file, new Yaml().dump(config));
        return file;
    }

    private static String gunzip(String base64) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
