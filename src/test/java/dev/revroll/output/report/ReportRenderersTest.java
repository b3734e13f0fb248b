package dev.revroll.output.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each report format, rendered from one rolled-back run ({@link ReportFixture}) and read back with a real parser. */
class ReportRenderersTest {

    private static final ReportModel MODEL = ReportModel.of(ReportFixture.rolledBack(0));

    // ---------------------------------------------------------------- the model

    @Test
    void modelSaysHowEachStepEnded() {
        assertEquals(List.of(ReportModel.Outcome.MOVED, ReportModel.Outcome.FAILED_ROLLED_BACK, ReportModel.Outcome.ROLLED_BACK,
                ReportModel.Outcome.NOT_STARTED), MODEL.steps().stream().map(ReportModel.Step::outcome).toList());
        assertFalse(MODEL.run().clean());
        assertTrue(MODEL.run().summary().startsWith("ROLLED_BACK: step second/pay-bad failed, rolled back (error-rate FAIL)"), MODEL.run().summary());
        assertTrue(MODEL.run().summary().contains("1 of 4 steps moved to 1-28-0"), MODEL.run().summary());
        ReportModel.Step bad = MODEL.step("second/pay-bad").orElseThrow();
        assertEquals(ReportFixture.at(38), bad.forwardEndedAt(), "the forward part ends with the failed gate");
        assertEquals(ReportFixture.at(40), bad.undoStartedAt());
        assertEquals(ReportFixture.at(52), bad.finishedAt());
        assertEquals(List.of("commit", "commit", "revert", "commit", "revert"), MODEL.git().stream().map(ReportModel.GitChange::kind).toList());
        assertEquals(1, MODEL.whatToDo().size());
        assertTrue(MODEL.whatToDo().get(0).contains("is back on revision 1-27-0 and its Git commit bbb2222eee is reverted by ddd4444aaa"),
                MODEL.whatToDo().get(0));
    }

    @Test
    void aJournalFromBeforeThresholdsWereKeptReadsAsUnknown() {
        ReportModel m = ReportModel.of(ReportFixture.legacy());
        ReportModel.Gate g = m.step("second/pay-bad").orElseThrow().gates().get(0);
        assertNull(g.threshold());
        assertNull(g.comparison());
        assertNull(g.evaluations().get(0).sample());
        assertNull(g.summary(), "no verdict journaled");
        assertEquals("NO_DATA", g.verdict(), "derived from the step's failure naming the gate and its last evaluation");
        assertEquals("PASS", m.step("first/web-ok").orElseThrow().gates().get(0).verdict(), "its action is done");
        assertEquals(m.step("second/pay-bad").orElseThrow().finishedAt(), ReportFixture.at(52));
        String html = HtmlReport.render(m);
        assertTrue(html.contains("no threshold known"), "the chart says the threshold is unknown");
        JunitReport.render(m);
        MarkdownReport.render(m);
    }

    @Test
    void evaluationsOmittedByTheJournalBudgetAreCountedInEveryFormat() {
        RunRecord shrunk = ReportFixture.shrunk(ReportFixture.rolledBack(400), 4_000);
        ReportModel m = ReportModel.of(shrunk);
        ReportModel.Gate g = m.step("first/web-ok").orElseThrow().gates().get(0);
        assertTrue(g.omittedCount() > 0, "the budget omitted passing evaluations");
        assertEquals(403, g.evaluations().size() + g.omittedCount(), "kept + omitted = every evaluation");
        String counted = g.omittedCount() + " passing evaluations omitted";
        assertTrue(MarkdownReport.render(m).contains(counted) || g.omittedCount() == 0, MarkdownReport.render(m));
        assertTrue(JunitReport.render(m).contains(g.omittedCount() + " omitted"));
        assertTrue(HtmlReport.render(m).contains("data-omitted=\"" + g.omittedCount() + "\""));
        JsonNode json = json(m);
        assertEquals(g.omittedCount(), json.at("/steps/0/gates/0/omittedCount").asInt());
        assertEquals("PASS", json.at("/steps/0/gates/0/omitted/0/outcome").asText());
        assertTrue(json.at("/run/journalCompaction").asText().contains("passing evaluation"));
        // every failing evaluation is kept
        assertEquals(3, m.step("second/pay-bad").orElseThrow().gates().get(0).evaluations().stream().filter(ReportModel.Evaluation::failing).count());
    }

    // ---------------------------------------------------------------- JSON

    private static JsonNode json(ReportModel m) {
        try {
            return Json.tree(JsonReport.render(m));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jsonHoldsTheWholeRunWithAVersion() {
        JsonNode j = json(MODEL);
        assertEquals(1, j.get("reportVersion").asInt());
        assertEquals("e2e-gate", j.at("/run/planName").asText());
        assertEquals("3f9c0d5e6a7b8c9d", j.at("/run/planHash").asText());
        assertEquals("ROLLED_BACK", j.at("/run/state").asText());
        JsonNode bad = j.at("/steps/1");
        assertEquals("pay-bad", bad.get("namespace").asText());
        assertEquals("FAILED_ROLLED_BACK", bad.get("outcome").asText());
        assertEquals("bbb2222eee", bad.get("gitCommit").asText());
        assertEquals("ddd4444aaa", bad.get("gitRevert").asText());
        JsonNode gate = bad.at("/gates/0");
        assertEquals("FAIL", gate.get("verdict").asText());
        assertEquals(0.05, gate.get("threshold").asDouble());
        assertEquals(">", gate.get("comparison").asText());
        JsonNode first = gate.at("/evaluations/0");
        assertEquals(ReportFixture.QUERY, first.get("query").asText(), "the resolved query");
        assertEquals(0.5, first.get("value").asDouble());
        assertEquals(0.05, first.get("threshold").asDouble());
        assertEquals(ReportFixture.at(32), first.get("at").asText());
        assertEquals(1, first.get("sample").asInt());
        assertTrue(gate.at("/evaluations/3/value").isNull(), "no value is null");
        List<String> actions = new ArrayList<>();
        bad.get("actions").forEach(a -> actions.add(a.get("name").asText() + ":" + a.get("state").asText()));
        assertTrue(actions.contains("relabel:UNDONE") && actions.contains("metric-gates:FAILED"), actions.toString());
        assertEquals(5, j.get("git").size());
        assertEquals("revert", j.at("/git/2/kind").asText());
        assertEquals("bbb2222eee", j.at("/git/2/revertOf").asText());
    }

    // ---------------------------------------------------------------- JUnit

    private static Document xml(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(text)));
    }

    private static String xpath(Document d, String expr) throws Exception {
        return (String) XPathFactory.newInstance().newXPath().evaluate(expr, d, XPathConstants.STRING);
    }

    @Test
    void junitHasASuitePerWaveACasePerStepAndTheFailedGatesEvaluations() throws Exception {
        Document d = xml(JunitReport.render(MODEL));
        assertEquals("testsuites", d.getDocumentElement().getTagName());
        NodeList suites = d.getElementsByTagName("testsuite");
        assertEquals(3, suites.getLength());
        assertEquals("wave second", ((Element) suites.item(1)).getAttribute("name"));
        assertEquals("2", ((Element) suites.item(1)).getAttribute("tests"));
        assertEquals("1", ((Element) suites.item(1)).getAttribute("failures"));
        assertEquals("1", ((Element) suites.item(1)).getAttribute("skipped"));
        assertEquals("4", d.getDocumentElement().getAttribute("tests"));
        assertEquals("gate-failed", xpath(d, "//testcase[@name='pay-bad']/failure/@type"));
        String message = xpath(d, "//testcase[@name='pay-bad']/failure/@message");
        assertTrue(message.startsWith("error-rate: FAIL"), message);
        String body = xpath(d, "//testcase[@name='pay-bad']/failure");
        assertTrue(body.contains(ReportFixture.at(32) + " #1 FAIL: value 0.5 (fails when > 0.05)"), body);
        assertTrue(body.contains("query: " + ReportFixture.QUERY), "the resolved query, unescaped after parsing");
        assertTrue(body.contains("<script>alert('x')</script>"), "markup in a detail is text, read back as it was");
        assertEquals("", xpath(d, "//testcase[@name='web-ok']/failure/@type"), "the moved step passes");
        assertTrue(xpath(d, "//testcase[@name='api-too']/skipped/@message").startsWith("rolled back"));
        assertTrue(xpath(d, "//testcase[@name='late']/skipped/@message").startsWith("not started"));
        assertTrue(xpath(d, "//testcase[@name='pay-bad']/system-out").contains("git revert ddd4444aaa"));
        assertEquals("revroll.e2e-gate.second", xpath(d, "//testcase[@name='pay-bad']/@classname"));
        assertEquals("31.000", xpath(d, "//testcase[@name='pay-bad']/@time"), "start to the end of its rollback");
    }

    // ---------------------------------------------------------------- Markdown

    @Test
    void markdownStartsWithTheSummaryAndShowsTheFailedGateGitAndWhatToDo() {
        String md = MarkdownReport.render(MODEL);
        String first = md.lines().findFirst().orElseThrow();
        assertTrue(first.startsWith(":x: **revroll run `e2e-gate-20261201-100000`** — ROLLED\\_BACK: step second/pay-bad failed"), first);
        assertTrue(md.contains("| second | pay-bad | failed, rolled back | 2026-12-01T10:00:21Z | 31s | `bbb2222eee` | `ddd4444aaa` |"), md);
        assertTrue(md.contains("| third | late | not started |"), md);
        assertTrue(md.contains("**second/pay-bad — gate error-rate: FAIL** (fails when `> 0.05`)"), md);
        assertTrue(md.contains("| 1 | 2026-12-01T10:00:32Z | 0.5 | &gt; 0.05 | **FAIL** |"), md);
        assertTrue(md.contains("| 4 | 2026-12-01T10:00:38Z | no value | &gt; 0.05 | NO_DATA |"), md);
        assertTrue(md.contains("- `ddd4444aaa` reverts `bbb2222eee` of step second/pay-bad"), md);
        assertTrue(md.contains("### What you must do\n\n1. Step second/pay-bad failed and was rolled back"), md);
        assertFalse(md.contains("<script>"), "markup is shown as text");
        assertFalse(md.contains("\u0001"));
    }

    @Test
    void markdownCodeSpansAndCellsHoldAnyText() {
        assertEquals("`` a`b ``".replace("`` a", "``a").replace("b ``", "b``"), Markup.code("a`b"));
        assertEquals("`` `x ``", Markup.code("`x"));
        assertEquals("a \\| b<br>c &lt;d&gt;", Markup.cell("a | b\nc <d>"));
        assertEquals("`a \\| b`", Markup.cellCode("a | b"));
    }

    // ---------------------------------------------------------------- HTML

    @Test
    void htmlIsOneSelfContainedWellFormedPageWithEverythingEscaped() throws Exception {
        String html = HtmlReport.render(MODEL);
        Document d = xml(html);
        assertEquals(0, ((NodeList) XPathFactory.newInstance().newXPath().evaluate("//*[local-name()='script' and not(contains(., 'data-box'))]", d,
                XPathConstants.NODESET)).getLength(), "no script from the run's text got in");
        assertFalse(html.contains("<script>alert"), "a detail's markup is escaped");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        for (String external : List.of("http://", "https://", "src=", "href=", "@import", "url(")) {
            String withoutSvgNs = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            assertFalse(withoutSvgNs.contains(external), "nothing fetched: " + external);
        }
        assertTrue(html.contains("id=\"what-to-do\""), "the run did not end clean");
        assertEquals("3", xpath(d, "count(//*[local-name()='svg'])"), "a timeline and one chart per step gate (web-ok, pay-bad; api-too has none)");
    }

    @Test
    void theFailedGatesChartShowsTheThresholdAndTheFailingSamples() throws Exception {
        Document d = xml(HtmlReport.render(MODEL));
        String chart = "//*[local-name()='figure' and @data-step='second/pay-bad' and @data-gate='error-rate']";
        assertEquals("FAIL", xpath(d, chart + "/@data-verdict"));
        assertEquals("gate-chart gate-failed", xpath(d, chart + "/@class"));
        assertEquals("0.05", xpath(d, chart + "//*[local-name()='line' and @class='threshold']/@data-threshold"));
        assertEquals("3", xpath(d, "count(" + chart + "//*[@class='sample sample-fail'])"));
        assertEquals("1", xpath(d, "count(" + chart + "//*[@class='sample sample-no-data'])"));
        assertEquals(HtmlReport.FAIL_COLOUR, xpath(d, chart + "//*[@class='sample sample-fail'][1]/*[local-name()='circle']/@fill"));
        // the failing samples lie above the threshold line (SVG y grows downwards)
        double thresholdY = Double.parseDouble(xpath(d, chart + "//*[local-name()='line' and @class='threshold']/@y1"));
        double sampleY = Double.parseDouble(xpath(d, chart + "//*[@class='sample sample-fail'][1]/*[local-name()='circle']/@cy"));
        assertTrue(sampleY < thresholdY, sampleY + " above " + thresholdY);
        String ok = "//*[local-name()='figure' and @data-step='first/web-ok']";
        assertEquals("3", xpath(d, "count(" + ok + "//*[@class='sample sample-pass'])"));
        assertEquals("0", xpath(d, "count(" + ok + "//*[@class='sample sample-fail'])"));
        // the timeline: the failed step's forward part and its rollback
        String bar = "//*[local-name()='g' and @data-step='second/pay-bad']";
        assertEquals("step-bar outcome-FAILED_ROLLED_BACK", xpath(d, bar + "/@class"));
        assertEquals("1", xpath(d, "count(" + bar + "/*[@class='rollback'])"));
        assertEquals("0", xpath(d, "count(//*[local-name()='g' and @data-step='third/late']/*[local-name()='rect'])"), "never started: no bar");
        assertTrue(xpath(d, "//*[local-name()='section' and @id='git']").contains("ddd4444aaa"));
    }

    @Test
    void aStepThatRanPastItsWindowSaysByHowMuchInEveryFormat() throws Exception {
        RunRecord r = RunRecord.of("r-window", "p", "h", "/plans/p.yaml", "c", "istio-system", "1-27-0", "1-28-0", "1-28-0");
        r.addStep(dev.revroll.engine.journal.RunRecord.StepRecord.of("only/web", "only", 0, "web", "1-27-0", List.of("Deployment/web")));
        dev.revroll.engine.journal.RunRecord.StepRecord step = r.step("only/web").orElseThrow();
        step.begin(ReportFixture.at(1));
        step.startsInWindow(Optional.of(ReportFixture.at(10)));
        step.done(ReportFixture.at(22));
        r.finished(dev.revroll.engine.journal.RunRecord.RunState.DONE, ReportFixture.at(23), "every step done");
        ReportModel m = ReportModel.of(r);

        String words = "overran the maintenance window by 12s";
        assertTrue(m.run().summary().contains("step only/web " + words), m.run().summary());
        assertTrue(MarkdownReport.render(m).contains("moved (" + words + ")"), MarkdownReport.render(m));
        assertTrue(HtmlReport.render(m).contains("moved (" + words + ")"));
        assertTrue(JunitReport.render(m).contains("moved (" + words + ")"));
        JsonNode json = Json.tree(JsonReport.render(m));
        assertEquals(12, json.at("/steps/0/windowOverrunSeconds").asLong(), json.toString());
        assertEquals(ReportFixture.at(10), json.at("/steps/0/windowClosesAt").asText());
    }

    @Test
    void aCleanRunHasNothingToDo() {
        RunRecord r = ReportFixture.rolledBack(0);
        ReportModel m = ReportModel.of(r);
        assertFalse(m.whatToDo().isEmpty());
        // a run where only web-ok took part, done
        RunRecord done = RunRecord.of("r", "p", "h", null, "c", "istio-system", "a", "b", "b");
        ReportModel empty = ReportModel.of(done);
        assertTrue(empty.whatToDo().size() == 1, "a RUNNING run says how to resume or roll back");
        assertFalse(HtmlReport.render(empty).isEmpty());
    }

    // ---------------------------------------------------------------- files

    @Test
    void filesAreWrittenWholeAndTheStepSummaryIsAppendedTo(@TempDir Path dir) throws Exception {
        Path summary = dir.resolve("summary.md");
        Files.writeString(summary, "earlier step\n");
        Map<ReportFiles.Format, Path> targets = new EnumMap<>(ReportFiles.Format.class);
        for (ReportFiles.Format f : ReportFiles.Format.values()) {
            targets.put(f, dir.resolve("report." + f.name().toLowerCase()));
        }
        Files.writeString(dir.resolve("report.json"), "old half report");
        ReportFiles files = new ReportFiles(targets, Optional.of(summary));
        files.check();
        assertEquals(List.of(), files.write(ReportFixture.rolledBack(0)));
        assertEquals(JsonReport.render(MODEL), Files.readString(dir.resolve("report.json")));
        assertEquals(HtmlReport.render(MODEL), Files.readString(dir.resolve("report.html")));
        assertTrue(Files.readString(summary).startsWith("earlier step\n:x: **revroll run"));
        files.write(ReportFixture.rolledBack(0));
        assertEquals(2, Files.readString(summary).split(":x: \\*\\*revroll run", -1).length - 1, "appended, never overwritten");
        try (var list = Files.list(dir)) {
            assertEquals(List.of(), list.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "no temporary file left");
        }
    }

    @Test
    void unwritableReportPathsAreRefusedBeforeAnything(@TempDir Path dir) {
        Map<ReportFiles.Format, Path> targets = new EnumMap<>(ReportFiles.Format.class);
        targets.put(ReportFiles.Format.JUNIT, dir.resolve("missing/junit.xml"));
        targets.put(ReportFiles.Format.HTML, dir);
        Exception e = assertThrows(dev.revroll.errors.UsageException.class, () -> new ReportFiles(targets, Optional.empty()).check());
        assertTrue(e.getMessage().contains("--report-junit " + dir.resolve("missing/junit.xml") + ": directory " + dir.resolve("missing")
                + " does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("--report-html " + dir + ": is a directory"), e.getMessage());
    }
}
