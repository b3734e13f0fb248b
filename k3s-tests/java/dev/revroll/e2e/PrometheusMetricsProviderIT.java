package dev.revroll.e2e;

import com.sun.net.httpserver.HttpServer;
import dev.revroll.gates.GateClock;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.GateResult;
import dev.revroll.gates.MetricGateRunner;
import dev.revroll.plan.Condition;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsProvider.QueryResult;
import dev.revroll.prometheus.PrometheusMetricsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Prometheus adapter and the metric gates against a real Prometheus 3 (the test world's binary) scraping, every
 * second, an in-JVM endpoint that serves Istio's {@code istio_requests_total} counters for a few namespaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusMetricsProviderIT {

    /** Istio-style error rate; {@code or vector(0)} because the 5xx series only exist once a 5xx was seen. */
    private static final String ERROR_RATE =
            "(sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"{{namespace}}\",response_code=~\"5..\"}[5s])) or vector(0))"
                    + " / sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"{{namespace}}\"}[5s]))";
    private static final String REQUEST_RATE =
            "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"{{namespace}}\"}[5s]))";

    private final MeshTraffic traffic = new MeshTraffic();
    private Path work;
    private Process prometheus;
    private String prometheusUrl;
    private PrometheusMetricsProvider provider;
    private MetricGateRunner gates;

    @BeforeAll
    void startPrometheusScrapingTheMesh() throws Exception {
        Path bin = worldBin();
        Path binary = bin.resolve("prometheus");
        if (!Files.isExecutable(binary)) {
            fail("no prometheus binary in " + bin + ": build the test world first (k3s-tests/world/build.sh)");
        }
        traffic.start();
        work = Files.createTempDirectory("revroll-prometheus-it");
        Path config = work.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: mesh
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(traffic.port()));
        int port = freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        Path log = Path.of("target", "prometheus-it.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        prometheus = new ProcessBuilder(binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        await("Prometheus ready (log: " + log + ")", Duration.ofSeconds(60)).until(() -> ready(prometheusUrl));

        provider = new PrometheusMetricsProvider(new Plan.PrometheusConfig(prometheusUrl, Duration.ofSeconds(5)), Optional.empty());
        gates = new MetricGateRunner(provider, GateClock.system());
        // rates are steady once every series has a full 5s window of samples behind it
        await("5s of scraped istio_requests_total for shop and cart in Prometheus", Duration.ofSeconds(60)).until(() -> {
            QueryResult r = provider.query("min(count_over_time(istio_requests_total[5s]))", Instant.now());
            return hasValue(r) && r.samples().get(0).value() >= 5
                    && provider.query("count(count by (destination_workload_namespace) (istio_requests_total))", Instant.now())
                    .samples().stream().anyMatch(x -> x.value() == 2);
        });
    }

    @AfterAll
    void stop() throws Exception {
        if (provider != null) {
            provider.close();
        }
        if (prometheus != null && prometheus.isAlive()) {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
        traffic.stop();
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void reachableAndRateQuery() {
        assertTrue(provider.reachable(), provider.describe());
        assertEquals("Prometheus at " + prometheusUrl, provider.describe());

        QueryResult rate = provider.query(render(REQUEST_RATE, "shop"), Instant.now());
        assertTrue(rate.error().isEmpty(), rate.toString());
        assertEquals(1, rate.samples().size());
        double perSecond = rate.samples().get(0).value();
        assertTrue(perSecond > 10 && perSecond < 30, "shop serves 20 requests per second, Prometheus says " + perSecond);

        QueryResult perCode = provider.query(
                "sum by (destination_workload, response_code) (rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"shop\"}[5s]))",
                Instant.now());
        assertEquals(1, perCode.samples().size(), perCode.toString());
        assertEquals(Map.of("destination_workload", "web", "response_code", "200"), perCode.samples().get(0).labels());
    }

    @Test
    @Order(2)
    void scalarAndNaNAsPrometheusWritesThem() {
        QueryResult scalar = provider.query("scalar(" + render(REQUEST_RATE, "shop") + ")", Instant.now());
        assertTrue(scalar.error().isEmpty(), scalar.toString());
        assertEquals(Map.of(), scalar.samples().get(0).labels());
        assertTrue(scalar.samples().get(0).value() > 10, scalar.toString());

        // scalar() of an empty vector is NaN: a gate treats it as no data
        Plan.MetricGateSpec nan = gate("silent-scalar", "scalar(" + REQUEST_RATE + ")", 1, 0);
        GateEvaluation e = gates.evaluateOnce(nan, vars("silent"));
        assertEquals(GateOutcome.NO_DATA, e.outcome(), e.toString());
        assertEquals("query returned no finite value (NaN)", e.detail());

        QueryResult inf = provider.query("1/0", Instant.now());
        assertEquals(Double.POSITIVE_INFINITY, inf.samples().get(0).value(), inf.toString());
    }

    @Test
    @Order(3)
    void errorRateGatePassesOnHealthyTraffic() {
        List<GateEvaluation> heard = new ArrayList<>();
        GateResult result = gates.run(gate("error-rate", ERROR_RATE, 3, 0), vars("cart"), Duration.ofSeconds(2), heard::add);

        assertEquals(GateOutcome.PASS, result.outcome(), result.summary());
        assertEquals(3, result.evaluations().size());
        assertEquals(result.evaluations(), heard);
        for (GateEvaluation e : result.evaluations()) {
            assertEquals(render(ERROR_RATE, "cart"), e.query());
            assertEquals(0.0, e.value().orElseThrow());
        }
        assertTrue(result.summary().startsWith("error-rate: PASS — 3 of 3 samples passed (0, 0, 0 not > 0.05)"), result.summary());
    }

    @Test
    @Order(4)
    void errorRateGateFailsOnceTheServiceAnswers503() throws InterruptedException {
        traffic.setErrorsPerSecond("cart", 10);
        await("503s of cart in Prometheus", Duration.ofSeconds(30)).until(() -> {
            QueryResult r = provider.query(render(ERROR_RATE, "cart"), Instant.now());
            return hasValue(r) && r.samples().get(0).value() > 0.2;
        });

        GateResult result = gates.run(gate("error-rate", ERROR_RATE, 4, 1), vars("cart"), Duration.ZERO, e -> { });

        assertEquals(GateOutcome.FAIL, result.outcome(), result.summary());
        assertEquals(2, result.evaluations().size(), "stops as soon as failures exceed the limit: " + result.summary());
        for (GateEvaluation e : result.evaluations()) {
            assertEquals(GateOutcome.FAIL, e.outcome(), e.toString());
            double v = e.value().orElseThrow();
            assertTrue(v > 0.2 && v < 0.5, "10 of 30 requests fail: " + v);
        }
        assertTrue(result.summary().startsWith("error-rate: FAIL — 2 of 2 samples > 0.05 ("), result.summary());
        assertTrue(result.summary().endsWith("; failure limit 1; stopped after 2 of 4 planned samples"), result.summary());

        GateEvaluation healthy = gates.evaluateOnce(gate("error-rate", ERROR_RATE, 1, 0), vars("shop"));
        assertEquals(GateOutcome.PASS, healthy.outcome(), "only cart answers 503: " + healthy);
    }

    @Test
    @Order(5)
    void namespaceWithoutTrafficIsNoData() {
        GateResult result = gates.run(gate("error-rate", ERROR_RATE, 3, 1), vars("silent"), Duration.ZERO, e -> { });
        assertEquals(GateOutcome.NO_DATA, result.outcome(), result.summary());
        assertEquals(2, result.evaluations().size());
        result.evaluations().forEach(e -> assertEquals("query returned no series", e.detail()));
        assertTrue(result.summary().startsWith("error-rate: NO_DATA — 2 of 2 samples without data"), result.summary());
    }

    @Test
    @Order(6)
    void tooFewRequestsByTheDefaultVolumeQueryIsNoData() {
        Plan.MetricGateSpec demanding = new Plan.MetricGateSpec("error-rate", ERROR_RATE, new Condition(Condition.Operator.GT, 0.05),
                Duration.ofSeconds(5), 1, 0, OnNoData.FAIL, Optional.of(1_000_000.0), Optional.empty(), Optional.empty());
        GateEvaluation few = gates.evaluateOnce(demanding, vars("shop"));
        assertEquals(GateOutcome.NO_DATA, few.outcome(), few.toString());
        assertTrue(few.detail().contains("backed by only"), few.detail());

        Plan.MetricGateSpec modest = new Plan.MetricGateSpec("error-rate", ERROR_RATE, new Condition(Condition.Operator.GT, 0.05),
                Duration.ofSeconds(5), 1, 0, OnNoData.FAIL, Optional.of(20.0), Optional.empty(), Optional.empty());
        GateEvaluation enough = gates.evaluateOnce(modest, vars("shop"));
        assertEquals(GateOutcome.PASS, enough.outcome(), enough.toString());
        assertTrue(enough.detail().matches("\\d+(\\.\\d+)? requests; 0 not > 0.05"), enough.detail());
    }

    @Test
    @Order(7)
    void syntaxErrorIsInconclusive() {
        String broken = "sum(rate(istio_requests_total{destination_workload_namespace=\"{{namespace}}\"}[5s])";
        GateEvaluation e = gates.evaluateOnce(gate("broken", broken, 1, 0), vars("shop"));
        assertEquals(GateOutcome.INCONCLUSIVE, e.outcome(), e.toString());
        assertTrue(e.detail().startsWith("query failed: bad_data: "), e.detail());

        GateResult result = gates.run(gate("broken", broken, 3, 0), vars("shop"), Duration.ZERO, x -> { });
        assertEquals(GateOutcome.INCONCLUSIVE, result.outcome(), result.summary());
        assertEquals(1, result.evaluations().size());
    }

    @Test
    @Order(100)
    void stoppedPrometheusIsUnreachableAndQueriesFail() throws Exception {
        prometheus.destroy();
        assertTrue(prometheus.waitFor(20, TimeUnit.SECONDS), "Prometheus stops");

        QueryResult r = provider.query(render(REQUEST_RATE, "shop"), Instant.now());
        assertTrue(r.error().isPresent(), r.toString());
        assertTrue(r.error().get().startsWith("cannot query " + prometheusUrl), r.error().get());
        assertFalse(provider.reachable());

        GateEvaluation e = gates.evaluateOnce(gate("error-rate", ERROR_RATE, 1, 0), vars("shop"));
        assertEquals(GateOutcome.INCONCLUSIVE, e.outcome(), e.toString());
    }

    // ------------------------------------------------------------------------------------------------

    private static Plan.MetricGateSpec gate(String name, String query, int samples, int failureLimit) {
        return new Plan.MetricGateSpec(name, query, new Condition(Condition.Operator.GT, 0.05), Duration.ofSeconds(1), samples, failureLimit,
                OnNoData.FAIL, Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static Map<String, String> vars(String namespace) {
        return Map.of("namespace", namespace, "revision", "1-28-0", "plan", "it");
    }

    private static String render(String template, String namespace) {
        return template.replace("{{namespace}}", namespace);
    }

    private static boolean hasValue(QueryResult r) {
        return r.error().isEmpty() && !r.samples().isEmpty() && Double.isFinite(r.samples().get(0).value());
    }

    private static boolean ready(String url) {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/-/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path worldBin() throws IOException, InterruptedException {
        String fromEnv = System.getenv("REVROLL_BIN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Process p = new ProcessBuilder("bash", "k3s-tests/world/build.sh", "--print-bin").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            fail("k3s-tests/world/build.sh --print-bin failed: " + out);
        }
        return Path.of(out);
    }

    /**
     * {@code istio_requests_total} as Istio's destination reporter writes it, one workload {@code web} per namespace,
     * counters advanced every second: 20 requests with 200, plus the 503s a test asks for.
     */
    static final class MeshTraffic {
        private static final List<String> NAMESPACES = List.of("shop", "cart");
        private static final double OK_PER_SECOND = 20;
        private final Map<String, Double> counters = new ConcurrentHashMap<>();
        private final Map<String, Double> errorsPerSecond = new ConcurrentHashMap<>();
        private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesh-traffic");
            t.setDaemon(true);
            return t;
        });
        private HttpServer server;

        void start() throws IOException {
            tick();
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/metrics", exchange -> {
                byte[] body = exposition().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void setErrorsPerSecond(String namespace, double perSecond) {
            errorsPerSecond.put(namespace, perSecond);
        }

        void stop() {
            ticker.shutdownNow();
            if (server != null) {
                server.stop(0);
            }
        }

        private void tick() {
            for (String ns : NAMESPACES) {
                counters.merge(series(ns, "200", "-"), OK_PER_SECOND, Double::sum);
                double errors = errorsPerSecond.getOrDefault(ns, 0.0);
                if (errors > 0) {
                    counters.merge(series(ns, "503", "UH"), errors, Double::sum);
                }
            }
        }

        private static String series(String ns, String code, String flags) {
            return "istio_requests_total{reporter=\"destination\",source_workload=\"loadgen\",source_workload_namespace=\"" + ns + "\","
                    + "destination_workload=\"web\",destination_workload_namespace=\"" + ns + "\",destination_service_name=\"web\","
                    + "destination_canonical_revision=\"v1\",response_code=\"" + code + "\",response_flags=\"" + flags + "\"}";
        }

        private String exposition() {
            StringBuilder sb = new StringBuilder("# TYPE istio_requests_total counter\n");
            new TreeMap<>(counters).forEach((series, value) -> sb.append(series).append(' ').append(value).append('\n'));
            return sb.toString();
        }
    }
}
