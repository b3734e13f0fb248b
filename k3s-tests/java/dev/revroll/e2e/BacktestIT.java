package dev.revroll.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.Await;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code revroll preview --backtest} against the world's real Prometheus, loaded with synthetic history whose gate
 * answers are known exactly (docs/backtest.md): four hours, one sample a minute, of an error ratio for three
 * namespaces the plan moves — one above the threshold for the whole second hour, one silent for the whole third hour,
 * one healthy throughout. The history is OpenMetrics written here, made into blocks by the world's promtool (built
 * from the same Prometheus module as the server: {@code world/build.sh}) and moved into the server's data directory,
 * which loads them within a minute. The metric's name is this run's own, and the history ends three hours before now,
 * so no other test's query and no live data meets it; the server is not restarted.
 */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PROMETHEUS_BACKFILL)
class BacktestIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    /** The history's end: a whole hour at least three hours ago (the world's Prometheus keeps 6 h behind its newest block). */
    static Instant end() {
        return Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
    }

    @Test
    void countsMatchTheHistoryExactlyAndTheSummarySaysWhy() throws Exception {
        String flaky = mesh.meshedNamespace("bt-flaky", Map.of(), "web");
        String night = mesh.meshedNamespace("bt-night", Map.of(), "web");
        String healthy = mesh.meshedNamespace("bt-healthy", Map.of(), "web");
        String metric = "revroll_e2e_backtest_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + "_error_ratio";
        Instant end = end();
        Instant start = end.minus(Duration.ofHours(4));

        // one sample a minute, 00:00 .. 04:00 of the history (241 each); flaky 0.2 in minutes 60-119, night none in 120-179
        StringBuilder om = new StringBuilder("# HELP " + metric + " revroll backtest e2e history\n# TYPE " + metric + " gauge\n");
        for (String ns : List.of(flaky, night, healthy)) {
            for (int minute = 0; minute <= 240; minute++) {
                if (ns.equals(night) && minute >= 120 && minute < 180) {
                    continue;
                }
                double v = ns.equals(flaky) && minute >= 60 && minute < 120 ? 0.2 : 0.01;
                om.append(metric).append("{namespace=\"").append(ns).append("\"} ").append(v).append(' ')
                        .append(start.plus(Duration.ofMinutes(minute)).getEpochSecond()).append('\n');
            }
        }
        om.append("# EOF\n");
        backfill(om.toString());
        awaitHistory(metric, end, 3);

        // the window: the history's third hour (when night is silent), every day
        int windowHour = end.minus(Duration.ofHours(2)).atZone(ZoneOffset.UTC).getHour();
        Path plan = mesh.plan("e2e-backtest", "- name: all\n  namespaces: [" + flaky + ", " + night + ", " + healthy + "]\n", """
                bake: 0s
                gates:
                  metrics:
                    - name: error-rate
                      query: 'last_over_time(%s{namespace="{{namespace}}"}[30s])'
                      failWhen: "> 0.05"
                      interval: 1m
                      samples: 5
                      failureLimit: 0
                      onNoData: fail
                window:
                  cron: "0 %d * * *"
                  duration: 1h
                  timeZone: UTC
                """.formatted(metric, windowHour));

        // 4 h of 5-minute simulated steps, back to back: 48 a namespace. flaky fails each step with an evaluation in
        // minutes 60-119 (starts 55 .. 115: 13); night finds no data in each with one in 120-179 (starts 115 .. 175: 13)
        RevrollProcess.Result json = RevrollProcess.run(mesh.world, "preview", plan.toString(), "--backtest", "4h", "--backtest-until", end.toString(), "-o", "json");
        assertEquals(0, json.exitCode(), json.toString());
        JsonObject backtest = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonObject("backtest");
        assertEquals(start.toString(), backtest.get("from").getAsString());
        assertEquals(false, backtest.get("fit").getAsBoolean());
        JsonObject gate = backtest.getAsJsonArray("gates").get(0).getAsJsonObject();
        assertEquals(3 * 48, gate.get("steps").getAsInt());
        assertEquals(13, gate.get("failed").getAsInt());
        assertEquals(13, gate.get("noData").getAsInt());
        assertEquals(0, gate.get("inconclusive").getAsInt());
        assertEquals(3 * 48 - 26, gate.get("passed").getAsInt());
        assertEquals(0.2, gate.get("worst").getAsDouble());
        assertEquals(flaky, gate.get("worstNamespace").getAsString());
        assertEquals(start.plus(Duration.ofMinutes(60)).toString(), gate.get("worstAt").getAsString());
        Map<String, JsonObject> byNs = namespaces(gate);
        assertCounts(byNs.get(flaky), 48, 35, 13, 0, 0);
        assertCounts(byNs.get(night), 48, 35, 0, 0, 13);
        assertCounts(byNs.get(healthy), 48, 48, 0, 0, 0);
        assertEquals(start.plus(Duration.ofMinutes(55)).toString(), byNs.get(flaky).getAsJsonArray("failedStarts").get(0).getAsString());
        assertEquals(start.plus(Duration.ofMinutes(115)).toString(), byNs.get(night).getAsJsonArray("noDataStarts").get(0).getAsString());
        assertEquals(0.01, byNs.get(healthy).get("worst").getAsDouble());
        assertEquals(0.012, byNs.get(healthy).get("suggestedThreshold").getAsDouble(), 1e-9);
        String summary = gate.get("summary").getAsString();
        assertTrue(summary.startsWith("error-rate: NOT FIT — "), summary);
        assertTrue(summary.contains("no data in 27% of simulated steps in " + night + " (13 of 48, started at "), summary);
        assertTrue(summary.contains("would have failed 9% of simulated steps (13 of 144; " + flaky + " 13 of 48): too tight"), summary);

        // the same as text, as a person reads it, and the HTML page drawing the history against the threshold
        Path html = Files.createTempDirectory("revroll-backtest").resolve("backtest.html");
        RevrollProcess.Result text = RevrollProcess.run(mesh.world, "preview", plan.toString(), "--backtest", "4h", "--backtest-until", end.toString(),
                "--report-html", html.toString());
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("backtest: 4h of history, " + start + " → " + end + ", simulated steps starting any time\n"), text.out());
        assertTrue(text.out().contains("    " + flaky + ": 48 simulated steps: 35 passed, 13 failed, 0 inconclusive, 0 no data; worst 0.2 at "
                + start.plus(Duration.ofMinutes(60))), text.out());
        assertTrue(text.out().contains("\n  " + summary + "\n"), text.out());
        assertTrue(text.out().contains("backtest: 1 of 1 gate(s) NOT FIT (see above); nothing was written"), text.out());
        // four hours, one point each: the worst of the second hour (flaky's 0.2) over the threshold, the others under
        String page = Files.readString(html);
        assertEquals(1, page.split("<circle class=\"sample over\"", -1).length - 1, page);
        assertEquals(3, page.split("<circle class=\"sample\"", -1).length - 1, page);
        assertTrue(page.contains("<title>" + start.plus(Duration.ofHours(1)) + ": worst 0.2</title>"), page);
        assertTrue(page.contains("<line class=\"threshold\""), page);

        // only the window's hour: steps starting at minutes 120 .. 175 (the last ends when the window closes): 12 each,
        // all without data in night
        RevrollProcess.Result window = RevrollProcess.run(mesh.world, "preview", plan.toString(), "--backtest", "4h", "--at-window",
                "--backtest-until", end.toString(), "-o", "json");
        assertEquals(0, window.exitCode(), window.toString());
        JsonObject windowGate = JsonParser.parseString(window.out()).getAsJsonObject().getAsJsonObject("backtest").getAsJsonArray("gates").get(0).getAsJsonObject();
        Map<String, JsonObject> inWindow = namespaces(windowGate);
        assertCounts(inWindow.get(flaky), 12, 12, 0, 0, 0);
        assertCounts(inWindow.get(night), 12, 0, 0, 0, 12);
        assertCounts(inWindow.get(healthy), 12, 12, 0, 0, 0);
        assertTrue(windowGate.get("summary").getAsString().contains("never any data at window hours in " + night + " (1 of 3 namespaces)"),
                windowGate.get("summary").getAsString());

        // nothing was written: the namespaces are still on the old revision
        for (String ns : List.of(flaky, night, healthy)) {
            assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"), ns);
        }
    }

    @Test
    void badInputIsRefusedWithItsCode() {
        String ns = mesh.meshedNamespace("bt-bad", Map.of(), "web");
        Path plan = mesh.plan("e2e-backtest-bad", "- name: all\n  namespaces: [" + ns + "]\n", """
                gates:
                  metrics:
                    - name: error-rate
                      query: 'vector(0)'
                      failWhen: "> 0.05"
                """);
        RevrollProcess.Result bad = RevrollProcess.run(mesh.world, "preview", plan.toString(), "--backtest", "seven days");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("--backtest 'seven days' is not a length of history"), bad.err());
        RevrollProcess.Result noWindow = RevrollProcess.run(mesh.world, "preview", plan.toString(), "--backtest", "1h", "--at-window");
        assertEquals(2, noWindow.exitCode(), noWindow.toString());
        assertTrue(noWindow.err().contains("has no spec.window; drop --at-window or add a window"), noWindow.err());
        try {
            Files.writeString(plan, Files.readString(plan).replace("url: " + mesh.world.prometheusUrl(), "url: http://127.0.0.1:9\n    timeout: 500ms"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        RevrollProcess.Result down = RevrollProcess.run(mesh.world, "preview", plan.toString(), "--backtest", "1h");
        assertEquals(7, down.exitCode(), down.toString());
        assertTrue(down.err().contains("--backtest needs the history in Prometheus at http://127.0.0.1:9, which cannot be queried"), down.err());
    }

    static void assertCounts(JsonObject ns, int steps, int passed, int failed, int inconclusive, int noData) {
        assertEquals(List.of(steps, passed, failed, inconclusive, noData), List.of(ns.get("steps").getAsInt(), ns.get("passed").getAsInt(),
                ns.get("failed").getAsInt(), ns.get("inconclusive").getAsInt(), ns.get("noData").getAsInt()), ns.toString());
    }

    static Map<String, JsonObject> namespaces(JsonObject gate) {
        Map<String, JsonObject> m = new HashMap<>();
        for (JsonElement e : gate.getAsJsonArray("namespaces")) {
            m.put(e.getAsJsonObject().get("namespace").getAsString(), e.getAsJsonObject());
        }
        return m;
    }

    /** promtool makes blocks in a directory beside the data directory; each is moved in whole (a rename, same file system). */
    void backfill(String openMetrics) throws IOException, InterruptedException {
        Path promtool = mesh.world.bin().resolve("promtool");
        assertTrue(Files.isExecutable(promtool), promtool + " is missing: build it with k3s-tests/world/build.sh (from the same Prometheus module as the server)");
        Path data = mesh.world.sandboxDir().resolve("prometheus/data");
        Path work = Files.createTempDirectory(mesh.world.sandboxDir(), "backtest-blocks-");
        Path input = work.resolve("history.om");
        Files.writeString(input, openMetrics);
        Path out = work.resolve("blocks");
        Process p = new ProcessBuilder(promtool.toString(), "tsdb", "create-blocks-from", "openmetrics", input.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "promtool did not finish: " + log);
        assertEquals(0, p.exitValue(), "promtool: " + log);
        try (var blocks = Files.list(out)) {
            for (Path block : blocks.filter(b -> Files.exists(b.resolve("meta.json"))).toList()) {
                Files.move(block, data.resolve(block.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        try (var left = Files.walk(work)) { // the input and promtool's empty output directory
            for (Path f : left.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** Until Prometheus has loaded the blocks: {@code count(...)} of the metric over the history is {@code series}. */
    void awaitHistory(String metric, Instant end, int series) {
        HttpClient http = HttpClient.newHttpClient();
        String query = "count(last_over_time(" + metric + "[4h]))";
        URI uri = URI.create(mesh.world.prometheusUrl() + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + "&time=" + end.getEpochSecond());
        Await.await("Prometheus loads the backfilled blocks (it looks for new ones every minute)", Duration.ofMinutes(3)).until(() -> {
            String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            JsonArray result = JsonParser.parseString(body).getAsJsonObject().getAsJsonObject("data").getAsJsonArray("result");
            return result.size() == 1 && Integer.parseInt(result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString()) == series;
        });
    }
}
