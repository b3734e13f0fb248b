package dev.revroll.e2e;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prometheus answering badly, through whole runs on the real world (docs/gates.md#a-sample): every answer that is not
 * one finite number — no series, NaN, +Inf, a range vector, several series where one was expected, a query it
 * refuses (rate() of an instant vector; a query that does not parse is refused by validate already), HTTP 503, no answer within the timeout, a connection dropped — makes its gate NO_DATA or INCONCLUSIVE,
 * never PASS, and the step follows the plan: {@code onNoData: fail} and {@code onFailure: rollback-step} put the
 * namespace back. The first run asks the world's real Prometheus; the second a stand-in that fails as told.
 */
@ExtendWith(WorldNamespaces.class)
class PrometheusFaultsIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    static String gate(String name, String query) {
        return """
                    - name: %s
                      query: '%s'
                      failWhen: "> 0.5"
                      interval: 1s
                      samples: 1
                      failureLimit: 0
                      onNoData: fail
                """.formatted(name, query);
    }

    /** Runs a one-namespace plan with these gates; asserts it failed and was rolled back; returns each gate's verdict. */
    Map<String, String> runRolledBack(String prefix, String gates, String prometheusUrl) {
        String ns = mesh.meshedNamespace(prefix, Map.of(), "web");
        Map<String, String> before = mesh.labels(ns);
        Path plan = mesh.plan("e2e-" + prefix, "- name: only\n  namespaces: [" + ns + "]\n", """
                restart:
                  kinds: [Deployment]
                  timeout: 2m
                gates:
                  proxySync:
                    timeout: 60s
                  metrics:
                %s
                onFailure: rollback-step
                """.formatted(gates.indent(2).stripTrailing()));
        if (prometheusUrl != null) {
            try {
                Files.writeString(plan, Files.readString(plan).replace("url: " + mesh.world.prometheusUrl(), "url: " + prometheusUrl + "\n    timeout: 2s"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        RevrollProcess.Result run;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            run = RevrollProcess.run(mesh.world, "run", plan.toString());
            floor.assertHeld();
        }

        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(before, mesh.labels(ns), "labels put back");
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", MeshFixture.runId(run.out()), "-o", "json");
        JsonObject step = JsonParser.parseString(status.out()).getAsJsonObject().getAsJsonArray("steps").get(0).getAsJsonObject();
        assertEquals("ROLLED_BACK", step.get("state").getAsString());
        Map<String, String> verdicts = new TreeMap<>();
        for (JsonElement v : step.getAsJsonArray("verdicts")) {
            JsonObject o = v.getAsJsonObject();
            verdicts.put(o.get("gate").getAsString(), o.get("outcome").getAsString() + ": " + o.get("summary").getAsString());
        }
        return verdicts;
    }

    static void assertOutcome(Map<String, String> verdicts, String gate, String outcome, String detail) {
        String v = verdicts.get(gate);
        assertTrue(v != null && v.startsWith(outcome + ": ") && v.contains(detail), gate + " should be " + outcome + " (" + detail + "): " + v);
    }

    @Test
    void answersThatAreNotOneFiniteNumberNeverPassAndTheStepIsRolledBack() {
        Map<String, String> verdicts = runRolledBack("prom-odd", String.join("", gate("empty", "vector(1) > 2"), gate("nan", "vector(0) / 0"),
                gate("inf", "vector(1) / 0"), gate("matrix", "up[1m]"), gate("many", "up"), gate("refused", "rate(up)")), null);

        assertEquals(java.util.Set.of("empty", "nan", "inf", "matrix", "many", "refused", "proxy-sync", "bake-health"), verdicts.keySet(),
                "every metric gate's verdict, and the proxy-sync and bake-health checks (which pass): " + verdicts);
        assertOutcome(verdicts, "empty", "NO_DATA", "no series");
        assertOutcome(verdicts, "nan", "NO_DATA", "NaN");
        assertOutcome(verdicts, "inf", "NO_DATA", "Inf");
        assertOutcome(verdicts, "matrix", "INCONCLUSIVE", "a gate needs an instant vector or a scalar");
        assertOutcome(verdicts, "many", "INCONCLUSIVE", "series where one was expected");
        assertOutcome(verdicts, "refused", "INCONCLUSIVE", "query failed");
    }

    @Test
    void a503NoAnswerInTimeAndADroppedConnectionAreInconclusiveAndTheStepIsRolledBack() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/v1/query", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
            if (query.contains("fault_503")) {
                byte[] body = "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"e2e: overloaded\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(503, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            } else if (query.contains("fault_silent")) {
                return; // never answers: the client's timeout ends it
            } else if (query.contains("fault_drop")) {
                exchange.close(); // the connection is dropped without an answer
            } else {
                byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":["
                        + System.currentTimeMillis() / 1000 + ",\"0\"]}]}}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            }
        });
        server.start();
        try {
            Map<String, String> verdicts = runRolledBack("prom-down", String.join("", gate("answers-503", "fault_503"),
                    gate("never-answers", "fault_silent"), gate("drops", "fault_drop"), gate("healthy", "vector(0)")),
                    "http://127.0.0.1:" + server.getAddress().getPort());

            assertOutcome(verdicts, "answers-503", "INCONCLUSIVE", "503");
            assertOutcome(verdicts, "never-answers", "INCONCLUSIVE", "no answer");
            assertOutcome(verdicts, "drops", "INCONCLUSIVE", "query failed");
            assertOutcome(verdicts, "healthy", "PASS", "");
        } finally {
            server.stop(0);
        }
    }
}
