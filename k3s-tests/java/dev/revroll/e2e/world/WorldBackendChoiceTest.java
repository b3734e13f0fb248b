package dev.revroll.e2e.world;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.revroll.e2e.world.WorldBackendChoice.Backend.K3S;
import static dev.revroll.e2e.world.WorldBackendChoice.Backend.LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend choice without Docker: the engine's answer is given, and counted to show when it is asked. */
class WorldBackendChoiceTest {

    private final AtomicInteger asked = new AtomicInteger();
    private final DockerEngine answers = () -> {
        asked.incrementAndGet();
        return Optional.empty();
    };
    private final DockerEngine silent = () -> {
        asked.incrementAndGet();
        return Optional.of("docker info failed");
    };

    @Test
    void autoIsLocalWhenGoIsHereWithoutAskingDocker() {
        for (String requested : new String[] {null, "", "  ", "auto", "AUTO"}) {
            assertEquals(LOCAL, WorldBackendChoice.decide(requested, true, answers).backend(), "requested=" + requested);
        }
        assertEquals(0, asked.get());
    }

    @Test
    void autoIsK3sOnlyWhenGoIsMissingAndDockerAnswers() {
        WorldBackendChoice.Decision d = WorldBackendChoice.decide("auto", false, answers);
        assertEquals(K3S, d.backend());
        assertTrue(d.reason().contains("no Go"), d.reason());
        assertEquals(1, asked.get());
    }

    @Test
    void autoFallsBackToLocalWhenNeitherGoNorDocker() {
        WorldBackendChoice.Decision d = WorldBackendChoice.decide(null, false, silent);
        assertEquals(LOCAL, d.backend());
        assertTrue(d.reason().contains("docker info failed"), d.reason());
    }

    @Test
    void localIsLocalWhateverTheMachineHas() {
        assertEquals(LOCAL, WorldBackendChoice.decide("local", false, answers).backend());
        assertEquals(LOCAL, WorldBackendChoice.decide(" Local ", true, silent).backend());
        assertEquals(0, asked.get());
    }

    @Test
    void k3sWhenAskedAndDockerAnswersEvenWithGo() {
        assertEquals(K3S, WorldBackendChoice.decide("k3s", true, answers).backend());
        assertEquals(K3S, WorldBackendChoice.decide("K3S", false, answers).backend());
    }

    @Test
    void k3sWithoutDockerFailsWithAClearMessage() {
        WorldException e = assertThrows(WorldException.class, () -> WorldBackendChoice.decide("k3s", true, silent));
        assertEquals("REVROLL_WORLD_BACKEND=k3s needs a Docker engine; none answers here (docker info failed). Use local.", e.getMessage());
    }

    @Test
    void anUnknownValueIsRefused() {
        WorldException e = assertThrows(WorldException.class, () -> WorldBackendChoice.decide("kind", true, answers));
        assertEquals("REVROLL_WORLD_BACKEND must be local, k3s or auto, not 'kind'", e.getMessage());
    }

    @Test
    void goOnPathNeedsAnExecutableFileNamedGo(@TempDir Path tmp) throws IOException {
        Path withGo = Files.createDirectories(tmp.resolve("with"));
        Path notExecutable = Files.createDirectories(tmp.resolve("plain"));
        Path goDirectory = Files.createDirectories(tmp.resolve("dir").resolve("go")).getParent();
        Files.writeString(withGo.resolve("go"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(withGo.resolve("go"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(notExecutable.resolve("go"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(notExecutable.resolve("go"), PosixFilePermissions.fromString("rw-r--r--"));

        assertTrue(WorldBackendChoice.goOnPath(notExecutable + File.pathSeparator + withGo));
        assertFalse(WorldBackendChoice.goOnPath(notExecutable.toString()));
        assertFalse(WorldBackendChoice.goOnPath(goDirectory.toString()));
        assertFalse(WorldBackendChoice.goOnPath(""));
        assertFalse(WorldBackendChoice.goOnPath(null));
    }

    @Test
    void theK3sEnvFileIsReadBySandboxWorld(@TempDir Path tmp) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBECONFIG", tmp.resolve("kubeconfig").toString());
        env.put("REVROLL_CONTEXT", "default");
        env.put("REVROLL_PROMETHEUS_URL", "http://localhost:49153");
        env.put("REVROLL_OLD_REVISION", "1-27-0");
        Files.writeString(tmp.resolve("env"), K3sContainerWorld.envFile(env));

        SandboxWorld world = new SandboxWorld(tmp, tmp, 0, false);
        assertEquals(tmp.resolve("kubeconfig"), world.kubeconfig());
        assertEquals("default", world.context());
        assertEquals("http://localhost:49153", world.prometheusUrl());
        assertEquals("1-27-0", world.oldRevision());
        assertThrows(WorldException.class, world::agentUrl);
    }

    @Test
    void eachRevisionRunsTheIstioImagesOfItsVersion() {
        assertEquals("1.27.0", K3sContainerWorld.istioTag("1-27-0"));
        assertEquals("1.28.0", K3sContainerWorld.istioTag("1-28-0"));
    }

    @Test
    void theCachedIstioctlRendersEachRevisionWithItsOwnPilotImage() throws Exception {
        Process print = new ProcessBuilder("k3s-tests/world/build.sh", "--print-bin").redirectErrorStream(true).start();
        Path istioctl = Path.of(new String(print.getInputStream().readAllBytes()).trim()).resolve("istioctl");
        print.waitFor();
        Assumptions.assumeTrue(Files.isExecutable(istioctl), "no cached istioctl at " + istioctl);
        for (String revision : List.of(K3sContainerWorld.OLD_REVISION, K3sContainerWorld.NEW_REVISION)) {
            List<String> cmd = new ArrayList<>(List.of(istioctl.toString(), "manifest", "generate"));
            cmd.addAll(K3sContainerWorld.installFlags(revision, K3sContainerWorld.ISTIO_HUB, K3sContainerWorld.istioTag(revision)));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<Map<String, Object>> docs = loadAll(new String(p.getInputStream().readAllBytes()));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "istioctl manifest generate " + cmd);
            Map<String, Object> istiod = docs.stream().filter(d -> d != null && "Deployment".equals(d.get("kind"))).findFirst().orElseThrow();
            assertEquals("istiod-" + revision, cast(istiod.get("metadata")).get("name"));
            Map<String, Object> container = cast(((List<?>) cast(cast(cast(istiod.get("spec")).get("template")).get("spec")).get("containers")).get(0));
            assertEquals("docker.io/istio/pilot:" + K3sContainerWorld.istioTag(revision), container.get("image"));
            assertEquals(Map.of("cpu", "100m", "memory", "256Mi"), cast(container.get("resources")).get("requests"));
        }
    }

    @Test
    void prometheusAndTrafficManifestsAreValid() throws Exception {
        Yaml yaml = new Yaml(new LoaderOptions());
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : yaml.loadAll(K3sContainerWorld.observability())) {
            docs.add(cast(doc));
        }
        List<String> kinds = docs.stream().map(d -> d.get("kind") + "/" + cast(d.get("metadata")).get("name")).toList();
        assertTrue(kinds.containsAll(List.of("Deployment/prometheus", "Service/prometheus", "ConfigMap/prometheus",
                "Deployment/traffic", "Namespace/revroll-traffic")), kinds.toString());

        Map<String, Object> service = docs.stream().filter(d -> "Service".equals(d.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> port = cast(((List<?>) cast(service.get("spec")).get("ports")).get(0));
        assertEquals(K3sContainerWorld.PROMETHEUS_NODE_PORT, port.get("nodePort"));

        Map<String, Object> config = docs.stream().filter(d -> "ConfigMap".equals(d.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> prometheus = cast(yaml.load((String) cast(config.get("data")).get("prometheus.yml")));
        List<String> jobs = ((List<?>) prometheus.get("scrape_configs")).stream().map(j -> (String) cast(j).get("job_name")).toList();
        assertEquals(List.of("istiod", "envoy-stats"), jobs);

        Map<String, Object> traffic = cast(docs.stream().filter(d -> "Namespace".equals(d.get("kind"))
                && "revroll-traffic".equals(cast(d.get("metadata")).get("name"))).findFirst().orElseThrow().get("metadata"));
        assertEquals(Map.of("istio.io/rev", K3sContainerWorld.OLD_REVISION), traffic.get("labels"));

        String script = trafficScript(docs);
        assertTrue(script.contains("labelSelector=revroll.dev%2Ftraffic%3Dtrue"), script);
        Process sh = new ProcessBuilder("sh", "-n", "-c", script).redirectErrorStream(true).start();
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, sh.exitValue(), new String(sh.getInputStream().readAllBytes()));
    }

    @Test
    void theTrafficSourceFindsLabelledServicesInTheApiServersAnswer() throws Exception {
        String script = trafficScript(loadAll(K3sContainerWorld.observability()));
        // the service-name extraction of the script, run on a list answer as the API server writes it (compact JSON)
        int from = script.indexOf("| grep");
        String pipeline = script.substring(from + 1, script.indexOf(")\n", from)).replace("\\\n", " ");
        String answer = "{\"kind\":\"ServiceList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"812\"},\"items\":["
                + "{\"metadata\":{\"name\":\"frontend\",\"namespace\":\"shop-a1b2c3\",\"uid\":\"u1\",\"labels\":{\"revroll.dev/traffic\":\"true\"}},\"spec\":{}},"
                + "{\"metadata\":{\"name\":\"cart\",\"namespace\":\"shop-a1b2c3\",\"uid\":\"u2\"},\"spec\":{}}]}";
        Process sh = new ProcessBuilder("sh", "-c", pipeline).redirectErrorStream(true).start();
        sh.getOutputStream().write(answer.getBytes());
        sh.getOutputStream().close();
        String out = new String(sh.getInputStream().readAllBytes());
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        assertEquals("frontend.shop-a1b2c3\ncart.shop-a1b2c3\n", out);
    }

    private static List<Map<String, Object>> loadAll(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(64 * 1024 * 1024);
        for (Object doc : new Yaml(options).loadAll(text)) {
            docs.add(cast(doc));
        }
        return docs;
    }

    private static String trafficScript(List<Map<String, Object>> docs) {
        Map<String, Object> deployment = docs.stream().filter(d -> "Deployment".equals(d.get("kind"))
                && "traffic".equals(cast(d.get("metadata")).get("name"))).findFirst().orElseThrow();
        Map<String, Object> pod = cast(cast(cast(deployment.get("spec")).get("template")).get("spec"));
        Map<String, Object> container = cast(((List<?>) pod.get("containers")).get(0));
        return (String) ((List<?>) container.get("args")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }
}
