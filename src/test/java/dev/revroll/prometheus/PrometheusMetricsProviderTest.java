package dev.revroll.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.revroll.errors.RevrollException;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsHistory;
import dev.revroll.ports.MetricsProvider.QueryResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adapter's HTTP behaviour against a real HTTP server standing in for answers a real Prometheus gives rarely or
 * never on demand (503s, proxies' HTML, hangs, credentials). The real Prometheus test is PrometheusMetricsProviderIT.
 */
class PrometheusMetricsProviderTest {

    record Answer(int status, String body, long delayMs) {
    }

    private HttpServer server;
    private final Deque<Answer> answers = new ArrayDeque<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> tenants = new CopyOnWriteArrayList<>();
    @TempDir
    Path dir;
    private PrometheusMetricsProvider provider;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestURI().getRawPath() + "?" + Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""));
        authorizations.add(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("-"));
        tenants.add(Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Scope-OrgID")).orElse("-"));
        Answer answer;
        synchronized (answers) {
            answer = answers.size() > 1 ? answers.poll() : answers.peek();
        }
        if (answer.delayMs() > 0) {
            try {
                Thread.sleep(answer.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", answer.body().startsWith("{") ? "application/json" : "text/html");
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private void answer(int status, String body) {
        answers.add(new Answer(status, body, 0));
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private PrometheusMetricsProvider provider(String url, Duration timeout, Optional<String> token) {
        provider = new PrometheusMetricsProvider(new Plan.PrometheusConfig(url, timeout), token);
        return provider;
    }

    private static String vector(String... valuesAndLabels) {
        StringBuilder sb = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
        for (int i = 0; i < valuesAndLabels.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"metric\":").append(valuesAndLabels[i + 1]).append(",\"value\":[1764075600.5,\"").append(valuesAndLabels[i]).append("\"]}");
        }
        return sb.append("]}}").toString();
    }

    @Test
    void vectorScalarAndSpecialValues() {
        answer(200, vector("0.25", "{\"destination_workload\":\"cart\"}", "NaN", "{\"destination_workload\":\"idle\"}",
                "+Inf", "{}", "-Inf", "{}", "1e-3", "{}"));
        answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1764075600.5,\"42\"]}}");
        PrometheusMetricsProvider p = provider(base() + "/", Duration.ofSeconds(2), Optional.empty());
        Instant at = Instant.parse("2025-11-25T13:00:00.500Z");

        QueryResult v = p.query("sum by (destination_workload) (rate(x{a=\"b c\"}[1m]))", at);
        assertTrue(v.error().isEmpty(), v.toString());
        assertEquals(5, v.samples().size());
        assertEquals(Map.of("destination_workload", "cart"), v.samples().get(0).labels());
        assertEquals(0.25, v.samples().get(0).value());
        assertTrue(Double.isNaN(v.samples().get(1).value()));
        assertEquals(Double.POSITIVE_INFINITY, v.samples().get(2).value());
        assertEquals(Double.NEGATIVE_INFINITY, v.samples().get(3).value());
        assertEquals(0.001, v.samples().get(4).value());

        QueryResult s = p.query("scalar(vector(42))", at);
        assertEquals(1, s.samples().size());
        assertEquals(42.0, s.samples().get(0).value());
        assertEquals(Map.of(), s.samples().get(0).labels());

        String first = requests.get(0);
        assertTrue(first.startsWith("/api/v1/query?"), first);
        String decoded = URLDecoder.decode(first.substring(first.indexOf('?') + 1), StandardCharsets.UTF_8);
        assertTrue(decoded.contains("query=sum by (destination_workload) (rate(x{a=\"b c\"}[1m]))"), decoded);
        assertTrue(decoded.contains("time=1764075600.500"), decoded);
        assertEquals("-", authorizations.get(0));
    }

    @Test
    void rangeQueriesAskQueryRangeAndReadTheMatrix() {
        answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"pod\":\"a\"},\"values\":[[1764075600,\"0.5\"],[1764075630,\"NaN\"],[1764075660.5,\"2\"]]},"
                + "{\"metric\":{},\"values\":[[1764075630,\"+Inf\"]]}]}}");
        for (int i = 0; i < PrometheusResilience.MAX_ATTEMPTS; i++) {
            answer(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"busy\"}");
        }
        PrometheusMetricsProvider p = provider(base(), Duration.ofSeconds(2), Optional.empty());
        Instant start = Instant.parse("2025-11-25T13:00:00Z");
        MetricsHistory.RangeResult r = p.queryRange("sum(x)", start, start.plusSeconds(60), Duration.ofSeconds(30), 10);
        assertTrue(r.error().isEmpty(), r.toString());
        assertEquals(2, r.series().size());
        assertEquals(Map.of("pod", "a"), r.series().get(0).labels());
        assertEquals(List.of(1764075600000L, 1764075630000L, 1764075660500L), java.util.Arrays.stream(r.series().get(0).times()).boxed().toList());
        assertEquals(0.5, r.series().get(0).values()[0]);
        assertTrue(Double.isNaN(r.series().get(0).values()[1]));
        assertEquals(Double.POSITIVE_INFINITY, r.series().get(1).values()[0]);
        String decoded = URLDecoder.decode(requests.get(0), StandardCharsets.UTF_8);
        assertTrue(decoded.startsWith("/api/v1/query_range?"), decoded);
        assertTrue(decoded.contains("query=sum(x)") && decoded.contains("start=1764075600.000") && decoded.contains("end=1764075660.000")
                && decoded.contains("step=30.000"), decoded);

        // more series than the caller keeps: a failed result that says so; 503s are retried, then a failed result
        answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"a\":\"1\"},\"values\":[]},{\"metric\":{\"a\":\"2\"},\"values\":[]}]}}");
        MetricsHistory.RangeResult busy = p.queryRange("sum(x)", start, start.plusSeconds(60), Duration.ofSeconds(30), 10);
        assertTrue(busy.error().orElseThrow().contains("unavailable: busy"), busy.toString());
        MetricsHistory.RangeResult wide = p.queryRange("x", start, start.plusSeconds(60), Duration.ofSeconds(30), 1);
        assertEquals("the query answers 2 series; a backtest keeps at most 1 per query (aggregate it, e.g. with sum by or topk)", wide.error().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> p.queryRange("x", start, start.plusSeconds(11_000), Duration.ofSeconds(1), 1));
    }

    @Test
    void prometheusErrorsAreFailedResultsWithTheirTypeAndNotRetried() {
        answer(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:4: parse error: unexpected <op:*>\"}");
        QueryResult r = provider(base(), Duration.ofSeconds(2), Optional.empty()).query("sum(*)", Instant.now());
        assertEquals(Optional.of("bad_data: 1:4: parse error: unexpected <op:*> (HTTP 400)"), r.error());
        assertEquals(1, requests.size(), "a rejected query is not retried");
    }

    @Test
    void matrixResultIsRefusedWithAHint() {
        answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
        QueryResult r = provider(base(), Duration.ofSeconds(2), Optional.empty()).query("x[1m]", Instant.now());
        assertTrue(r.error().orElseThrow().contains("matrix"), r.toString());
    }

    @Test
    void unavailableIsRetriedWithBackoffThenAnswered() {
        answer(503, "<html>Service Unavailable</html>");
        answer(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"starting\"}");
        answer(200, vector("1", "{}"));
        QueryResult r = provider(base(), Duration.ofSeconds(20), Optional.empty()).query("up", Instant.now());
        assertTrue(r.error().isEmpty(), r.toString());
        assertEquals(3, requests.size());
    }

    @Test
    void unavailableAfterAllAttemptsIsAFailedResult() {
        answer(502, "<html><body>Bad Gateway</body></html>");
        QueryResult r = provider(base(), Duration.ofSeconds(20), Optional.empty()).query("up", Instant.now());
        assertEquals(Optional.of("HTTP 502 without a Prometheus API answer: <html><body>Bad Gateway</body></html> (3 attempts)"), r.error());
        assertEquals(PrometheusResilience.MAX_ATTEMPTS, requests.size());
    }

    @Test
    void slowAnswersTimeOut() {
        answers.add(new Answer(200, vector("1", "{}"), 1500));
        long start = System.nanoTime();
        QueryResult r = provider(base(), Duration.ofMillis(300), Optional.empty()).query("up", Instant.now());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(r.error().isPresent(), r.toString());
        assertTrue(r.error().get().startsWith("no answer from " + base() + " within 300ms (3 attempts)"), r.error().get());
        assertTrue(tookMs < 4_000, "three attempts of 300ms plus backoff, took " + tookMs + "ms");
    }

    @Test
    void connectionRefusedIsAFailedResultAndUnreachable() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PrometheusMetricsProvider p = provider("http://127.0.0.1:" + port, Duration.ofSeconds(1), Optional.empty());
        QueryResult r = p.query("up", Instant.now());
        assertTrue(r.error().orElseThrow().startsWith("cannot query http://127.0.0.1:" + port), r.toString());
        assertFalse(p.reachable());
    }

    @Test
    void bearerTokenIsSentAndNeverShown() {
        answer(200, vector("1", "{}"));
        PrometheusMetricsProvider p = provider(base() + "/prom", Duration.ofSeconds(2), Optional.of("s3cret-token"));
        assertTrue(p.reachable());
        assertEquals("Bearer s3cret-token", authorizations.get(0));
        assertTrue(requests.get(0).startsWith("/prom/api/v1/query?"), requests.get(0));
        assertFalse(p.describe().contains("s3cret"), p.describe());
        assertTrue(p.describe().contains("REVROLL_PROMETHEUS_TOKEN"), p.describe());
    }

    @Test
    void basicAuthFromTheUrlIsSentAndRedacted() {
        answer(200, vector("1", "{}"));
        PrometheusMetricsProvider p = provider("http://gate%40ops:pa%3Ass@127.0.0.1:" + server.getAddress().getPort(),
                Duration.ofSeconds(2), Optional.empty());
        assertTrue(p.reachable());
        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("gate@ops:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, authorizations.get(0));
        assertEquals("Prometheus at http://127.0.0.1:" + server.getAddress().getPort() + " (basic auth from the URL, redacted)", p.describe());
        assertFalse(p.describe().contains("pa"), p.describe());
    }

    private PrometheusMetricsProvider provider(Plan.PrometheusConfig config, Map<String, String> environment) {
        provider = new PrometheusMetricsProvider(config, environment::get);
        return provider;
    }

    private static String basic(String userAndPassword) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void headersAndABearerTokenFileThatRotates() throws IOException {
        answer(200, vector("1", "{}"));
        Path token = Files.writeString(dir.resolve("token"), "first-token\n");
        PrometheusMetricsProvider p = provider(new Plan.PrometheusConfig(base(), Duration.ofSeconds(2), Optional.empty(),
                Map.of("X-Scope-OrgID", "tenant-a"), Optional.of(token), Optional.empty()), Map.of("REVROLL_PROMETHEUS_TOKEN", "env-token"));
        assertTrue(p.reachable());
        Files.writeString(token, "second-token-longer");
        assertTrue(p.reachable());
        Files.writeString(token, "third-token-longer!");  // same size: the modification time tells
        Files.setLastModifiedTime(token, FileTime.from(Instant.now().plusSeconds(5)));
        assertTrue(p.reachable());
        assertEquals(List.of("Bearer first-token", "Bearer second-token-longer", "Bearer third-token-longer!"), authorizations,
                "the file wins over the environment and is read again when it changes");
        assertEquals(List.of("tenant-a", "tenant-a", "tenant-a"), tenants);
        assertEquals("Prometheus at " + base() + " (bearer token from " + token + ", re-read when it changes, headers X-Scope-OrgID)", p.describe());

        Files.delete(token);
        QueryResult gone = p.query("up", Instant.now());
        assertEquals(Optional.of("spec.prometheus.bearerTokenFile " + token + ": no such file"), gone.error());
        assertEquals(3, requests.size(), "nothing is sent without the credential");
        Files.writeString(token, "two\nlines");
        assertEquals(Optional.of("spec.prometheus.bearerTokenFile " + token + " does not hold one token (it has spaces, line breaks or other "
                + "characters a token has not; its content is not shown)"), p.query("up", Instant.now()).error());
        Files.writeString(token, "  \n");
        assertEquals(Optional.of("spec.prometheus.bearerTokenFile " + token + " is empty"), p.whyUnreachable());
    }

    @Test
    void basicAuthPasswordFromAFileOrTheEnvironment() throws IOException {
        answer(200, vector("1", "{}"));
        Path password = Files.writeString(dir.resolve("password"), "pa:ss w0rd\n");
        PrometheusMetricsProvider fromFile = provider(new Plan.PrometheusConfig(base(), Duration.ofSeconds(2), Optional.empty(), Map.of(),
                Optional.empty(), Optional.of(new Plan.BasicAuth("revroll", Optional.of(password), Optional.empty()))), Map.of());
        assertTrue(fromFile.reachable());
        assertEquals(basic("revroll:pa:ss w0rd"), authorizations.get(0));
        assertEquals("Prometheus at " + base() + " (basic auth as revroll, password from " + password + ")", fromFile.describe());
        fromFile.close();

        Plan.PrometheusConfig fromEnv = new Plan.PrometheusConfig(base(), Duration.ofSeconds(2), Optional.empty(), Map.of(),
                Optional.empty(), Optional.of(new Plan.BasicAuth("revroll", Optional.empty(), Optional.of("PROM_PW"))));
        PrometheusMetricsProvider p = provider(fromEnv, Map.of("PROM_PW", "env-s3cret"));
        assertTrue(p.reachable());
        assertEquals(basic("revroll:env-s3cret"), authorizations.get(1));
        assertEquals("Prometheus at " + base() + " (basic auth as revroll, password from $PROM_PW)", p.describe());
        p.close();

        PrometheusMetricsProvider unset = provider(fromEnv, Map.of());
        assertEquals(Optional.of("the environment variable PROM_PW (spec.prometheus.basicAuth.passwordEnv) is not set or empty"), unset.whyUnreachable());
        assertEquals(2, requests.size());
    }

    @Test
    void unusableTlsFilesAreNamedAndNothingIsSent() throws IOException {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "hello");
        Path missing = dir.resolve("missing.pem");
        Path rsaKey = Files.writeString(dir.resolve("key.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        String https = "https://127.0.0.1:" + server.getAddress().getPort();
        assertEquals(Optional.of("spec.prometheus.tls.caFile " + missing + ": no such file"), provider(tls(https, Optional.of(missing),
                Optional.empty(), Optional.empty()), Map.of()).whyUnreachable());
        provider.close();
        String notCertificate = provider(tls(https, Optional.of(notPem), Optional.empty(), Optional.empty()), Map.of()).whyUnreachable().orElseThrow();
        assertTrue(notCertificate.startsWith("spec.prometheus.tls.caFile " + notPem + " "), notCertificate);
        provider.close();
        assertEquals(Optional.of("spec.prometheus.tls.certFile " + missing + ": no such file"), provider(tls(https, Optional.empty(),
                Optional.of(missing), Optional.of(rsaKey)), Map.of()).whyUnreachable());
        assertEquals(List.of(), requests);
    }

    private static Plan.PrometheusConfig tls(String url, Optional<Path> ca, Optional<Path> cert, Optional<Path> key) {
        return new Plan.PrometheusConfig(url, Duration.ofSeconds(2), Optional.of(new Plan.PrometheusTls(ca, cert, key, Optional.empty(), false)),
                Map.of(), Optional.empty(), Optional.empty());
    }

    @Test
    void unusableUrlIsAUserErrorWithoutCredentials() {
        RevrollException e = assertThrows(RevrollException.class,
                () -> new PrometheusMetricsProvider(new Plan.PrometheusConfig("ftp://user:pw@host", Duration.ofSeconds(1)), Optional.empty()));
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
        assertTrue(e.getMessage().contains("spec.prometheus.url"), e.getMessage());
    }
}
