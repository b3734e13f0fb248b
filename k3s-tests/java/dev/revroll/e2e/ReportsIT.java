package dev.revroll.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four reports of a real run on the world: one namespace passes its error-rate gate, the other fails it (the mesh
 * answers 503 on the new revision) and is rolled back with its Git commit reverted. The reports are checked against
 * the cluster, the Git remote and the run's event stream; {@code status RUN} writes the same HTML again; the HTML is
 * rendered in headless chromium and what a person sees in the failed gate's chart is checked in the DOM and in the
 * screenshot's pixels.
 */
@ExtendWith(WorldNamespaces.class)
class ReportsIT {

    /** The colours the page uses for a failing sample and the threshold line (docs/reports.md#html). */
    private static final int FAIL_RGB = 0xd7263d;
    private static final int THRESHOLD_RGB = 0x1f4e9c;

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void aRunWithAPassingAndAFailingStepWritesEveryReport(@TempDir Path dir) throws Exception {
        String good = mesh.meshedNamespace("rep-ok", Map.of(), "web");
        String bad = mesh.meshedNamespace("rep-bad", Map.of(), "pay");
        mesh.world.setFault(Fault.errors(bad, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        Path gitops = mesh.gitopsClone("gitops", List.of(good, bad));
        // A name of its own (run continues an unfinished run of the same plan name), known here for the JSON check.
        String planName = "e2e-reports-" + good.substring(good.lastIndexOf('-') + 1);
        Path plan = mesh.planNamed(planName, """
                - name: first
                  namespaces: [%s]
                - name: second
                  namespaces: [%s]
                """.formatted(good, bad), RunIT.gates() + """
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                """.formatted(gitops));
        Map<String, String> before = mesh.labels(bad);
        Path summary = dir.resolve("step-summary.md");
        Files.writeString(summary, "# an earlier step's summary\n");
        Path junit = dir.resolve("junit.xml");
        Path markdown = dir.resolve("report.md");
        Path json = dir.resolve("report.json");
        Path html = dir.resolve("report.html");

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, Map.of("GITHUB_STEP_SUMMARY", summary.toString()), "run", plan.toString(),
                "--report-junit", junit.toString(), "--report-markdown", markdown.toString(), "--report-json", json.toString(),
                "--report-html", html.toString());

        // what happened
        assertEquals(1, run.exitCode(), run.toString());
        String runId = MeshFixture.runId(run.out());
        assertEquals(before, mesh.labels(bad), "labels restored");
        assertEquals(mesh.world.newRevision(), mesh.labels(good).get("istio.io/rev"));
        String goodCommit = remoteCommit("Revroll-Step: first/" + good, false);
        String badCommit = remoteCommit("Revroll-Step: second/" + bad, false);
        String badRevert = remoteCommit("Revroll-Step: second/" + bad, true);
        List<String> failEvents = MeshFixture.jsonLines(run.out(), "GATE_EVALUATION").stream()
                .filter(l -> l.contains("\"step\":\"second/" + bad + "\"") && l.contains("\"outcome\":\"FAIL\"")).toList();
        assertFalse(failEvents.isEmpty(), run.out());

        // JSON: the whole run
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(1, j.get("reportVersion").getAsInt());
        JsonObject r = j.getAsJsonObject("run");
        assertEquals(runId, r.get("id").getAsString());
        assertEquals(planName, r.get("planName").getAsString());
        assertEquals("ROLLED_BACK", r.get("state").getAsString());
        assertFalse(r.get("clean").getAsBoolean());
        JsonObject okStep = step(j, "first/" + good);
        JsonObject badStep = step(j, "second/" + bad);
        assertEquals("MOVED", okStep.get("outcome").getAsString());
        assertEquals("FAILED_ROLLED_BACK", badStep.get("outcome").getAsString());
        assertTrue(goodCommit.startsWith(okStep.get("gitCommit").getAsString()), goodCommit + " vs " + okStep);
        assertTrue(badCommit.startsWith(badStep.get("gitCommit").getAsString()), badCommit + " vs " + badStep);
        assertTrue(badRevert.startsWith(badStep.get("gitRevert").getAsString()), badRevert + " vs " + badStep);
        JsonObject gate = gate(badStep, "error-rate");
        assertEquals("error-rate", gate.get("name").getAsString());
        assertEquals("FAIL", gate.get("verdict").getAsString());
        assertEquals(0.05, gate.get("threshold").getAsDouble());
        int failing = 0;
        for (JsonElement e : gate.getAsJsonArray("evaluations")) {
            JsonObject ev = e.getAsJsonObject();
            String query = ev.get("query").getAsString();
            assertTrue(query.contains("destination_workload_namespace=\"" + bad + "\"") && !query.contains("{{"), "resolved: " + query);
            assertEquals(">", ev.get("comparison").getAsString());
            assertEquals(0.05, ev.get("threshold").getAsDouble());
            assertFalse(ev.get("at").isJsonNull());
            if (ev.get("outcome").getAsString().equals("FAIL")) {
                failing++;
                assertTrue(ev.get("value").getAsDouble() > 0.05, ev.toString());
            }
        }
        assertEquals(failEvents.size(), failing, "every failing evaluation the run showed is in the report");
        assertEquals("PASS", gate(okStep, "error-rate").get("verdict").getAsString());
        assertEquals("PASS", gate(okStep, "proxy-sync").get("verdict").getAsString());

        // JUnit: parsed by a real XML parser
        Document x = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(Files.readString(junit))));
        var xp = XPathFactory.newInstance().newXPath();
        assertEquals("2", xp.evaluate("count(//testsuite)", x));
        assertEquals("gate-failed", xp.evaluate("//testcase[@name='" + bad + "']/failure/@type", x));
        assertTrue(xp.evaluate("//testcase[@name='" + bad + "']/failure/@message", x).startsWith("error-rate: FAIL"));
        assertTrue(xp.evaluate("//testcase[@name='" + bad + "']/failure", x).contains("(fails when > 0.05)"));
        assertEquals("0", xp.evaluate("count(//testcase[@name='" + good + "']/failure)", x));

        // Markdown: summary first, appended to the step summary
        String md = Files.readString(markdown);
        String first = md.lines().findFirst().orElseThrow();
        assertTrue(first.contains(runId) && first.contains("ROLLED\\_BACK") && first.contains("second/" + bad), first);
        assertTrue(md.contains(badStep.get("gitRevert").getAsString()), md);
        assertTrue(md.contains("### What you must do"), md);
        assertEquals("# an earlier step's summary\n" + md, Files.readString(summary), "appended to GITHUB_STEP_SUMMARY");

        // HTML: status writes the same page from the journal
        String page = Files.readString(html);
        assertTrue(page.contains("data-step=\"second/" + bad + "\" data-gate=\"error-rate\" data-verdict=\"FAIL\""));
        Path again = dir.resolve("again.html");
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", runId, "--control-plane-namespace",
                mesh.world.controlPlaneNamespace(), "--report-html", again.toString());
        assertEquals(0, status.exitCode(), status.toString());
        assertEquals(page, Files.readString(again), "status RUN --report-html reproduces the run's page");

        browserShowsTheFailedGate(dir, html, "second/" + bad, "first/" + good);
    }

    /** The page in headless chromium: the failed gate's chart has its threshold line and failing points, in the DOM and on screen. */
    private void browserShowsTheFailedGate(Path dir, Path html, String failedStep, String passedStep) throws Exception {
        Optional<Path> chromium = chromium();
        Assumptions.assumeTrue(chromium.isPresent(), "chromium is not installed (k3s-tests/prereqs.sh installs it): the HTML report's browser check is skipped");
        String size = "--window-size=1280,4000";
        String dom = browser(chromium.get(), dir, List.of("--dump-dom", size, html.toUri().toString()));
        Path png = dir.resolve("report.png");
        browser(chromium.get(), dir, List.of("--screenshot=" + png, size, html.toUri().toString()));

        String failedFigure = figure(dom, failedStep);
        assertTrue(failedFigure.contains("class=\"threshold\""), "the threshold line is drawn:\n" + failedFigure);
        assertTrue(failedFigure.contains("class=\"sample sample-fail\""), "failing points are drawn:\n" + failedFigure);
        int[] box = box(failedFigure);
        int[] okBox = box(figure(dom, passedStep));

        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(count(img, box, FAIL_RGB) > 20, "the failed gate's chart shows failing points in their colour (box " + List.of(box[0], box[1], box[2], box[3]) + ")");
        assertTrue(count(img, box, THRESHOLD_RGB) > 20, "the failed gate's chart shows the threshold line");
        assertEquals(0, count(img, okBox, FAIL_RGB), "the passed gate's chart has no failing point");
        assertTrue(count(img, okBox, THRESHOLD_RGB) > 20, "the passed gate's chart shows its threshold too");
    }

    private static Optional<Path> chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static String browser(Path chromium, Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--force-device-scale-factor=1", "--hide-scrollbars", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium")));
        cmd.addAll(args);
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Path err = Files.createTempFile(dir, "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish: " + cmd + "\n" + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), "chromium " + cmd + ":\n" + Files.readString(err));
        return Files.readString(out);
    }

    /** The serialized {@code <figure>} of a step's error-rate chart in the DOM chromium dumped. */
    private static String figure(String dom, String step) {
        int at = dom.indexOf("data-step=\"" + step + "\" data-gate=\"error-rate\"");
        assertTrue(at > 0, "a chart for " + step + " in the rendered DOM");
        int start = dom.lastIndexOf("<figure", at);
        int end = dom.indexOf("</figure>", at);
        return dom.substring(start, end);
    }

    /** The chart's box on the page, as the page's inline script recorded it after layout. */
    private static int[] box(String figure) {
        Matcher m = Pattern.compile("data-box=\"(\\d+),(\\d+),(\\d+),(\\d+)\"").matcher(figure);
        assertTrue(m.find(), "the chart's laid-out box:\n" + figure);
        return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))};
    }

    private static int count(BufferedImage img, int[] box, int rgb) {
        int n = 0;
        for (int y = box[1]; y < Math.min(img.getHeight(), box[1] + box[3]); y++) {
            for (int x = box[0]; x < Math.min(img.getWidth(), box[0] + box[2]); x++) {
                int p = img.getRGB(x, y);
                if (close(p, rgb)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean close(int a, int b) {
        return Math.abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff)) <= 12 && Math.abs(((a >> 8) & 0xff) - ((b >> 8) & 0xff)) <= 12
                && Math.abs((a & 0xff) - (b & 0xff)) <= 12;
    }

    private static JsonObject gate(JsonObject step, String name) {
        for (JsonElement e : step.getAsJsonArray("gates")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no gate " + name + " in " + step);
    }

    private static JsonObject step(JsonObject report, String id) {
        JsonArray steps = report.getAsJsonArray("steps");
        for (JsonElement e : steps) {
            if (e.getAsJsonObject().get("id").getAsString().equals(id)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no step " + id + " in " + steps);
    }

    /** The full hash of the remote's commit whose message has {@code trailer} (a revert, or a step's own commit). */
    private String remoteCommit(String trailer, boolean revert) {
        String log = MeshFixture.git(null, "--git-dir", mesh.world.gitBare().toString(), "log", "--format=%H%n%B%n--end--", "-n", "200");
        for (String entry : log.split("--end--\n?")) {
            String[] lines = entry.strip().split("\n");
            if (lines.length == 0 || lines[0].isBlank()) {
                continue;
            }
            boolean isRevert = entry.contains("Revroll-Revert-Of:");
            if (isRevert == revert && entry.contains(trailer)) {
                return lines[0].strip();
            }
        }
        throw new AssertionError("no commit with " + trailer + " on the remote:\n" + log);
    }
}
