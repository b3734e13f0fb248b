package dev.revroll.engine.journal;

import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.gates.GateOutcome;
import dev.revroll.engine.journal.RunRecord.OmittedEvaluations;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.output.RunReport;
import dev.revroll.ports.JournalStore;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalBudgetTest {

    private static final List<String> GATES = List.of("error-rate", "p99-latency", "saturation");
    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    /** A long run: {@code namespaces} steps, three gates with long PromQL, {@code samples} evaluations each. */
    private static RunRecord longRun(int namespaces, int samples, long seed) {
        Random random = new Random(seed);
        RunRecord r = RunRecord.of("r-long", "mesh-1-28", null, null, null, null, null, null, null);
        for (int n = 0; n < namespaces; n++) {
            StepRecord s = StepRecord.of("wave-" + (n / 10) + "/team-" + n, "wave-" + (n / 10), 0, "team-" + n, null, List.of());
            for (int i = 0; i < samples; i++) {
                for (String gate : GATES) {
                    String at = START.plusSeconds(n * 3600L + i * 10L).plusMillis(random.nextInt(1000)).toString();
                    double value = random.nextDouble();
                    int roll = random.nextInt(100);
                    String outcome = roll < 94 ? "PASS" : roll < 96 ? "FAIL" : roll < 98 ? "INCONCLUSIVE" : "NO_DATA";
                    String detail = "threshold 0.01, " + random.nextInt(100000) + " requests, sample " + i + ", trace " + Long.toHexString(random.nextLong());
                    s.addGate(new GateRecord(gate, at, query(gate, s.namespace()), value, GateOutcome.valueOf(outcome), detail));
                }
            }
            r.addStep(s);
        }
        return r;
    }

    private static String query(String gate, String namespace) {
        return ("sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"" + namespace
                + "\",response_code=~\"5..\"}[5m])) / sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\""
                + namespace + "\"}[5m])) or on() vector(0) # " + gate + " ").repeat(2);
    }

    private static long compressed(String document) {
        return JournalBudget.compressedSize(document.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aDocumentThatFitsIsWrittenAsIs() {
        RunRecord r = longRun(3, 5, 1);
        String before = ClusterRecords.journal(r);
        String document = JournalBudget.STANDARD.fit(r, ClusterRecords::journal);
        assertEquals(before, document);
        assertNull(r.compaction);
        assertEquals(45, r.steps().stream().mapToInt(s -> s.gates.size()).sum());
        assertTrue(r.steps().stream().allMatch(s -> s.omitted.isEmpty()));
    }

    @Test
    void aJournalOfSeveralMegabytesShrinksUnderTheLimitKeepingEveryNonPassingEvaluation() {
        RunRecord r = longRun(50, 180, 7);
        String full = ClusterRecords.journal(r);
        RunRecord original = ClusterRecords.journal(full);
        assertTrue(full.length() > 8 * 1024 * 1024, "uncompressed " + full.length());
        assertTrue(compressed(full) > JournalBudget.LIMIT_BYTES, "compressed " + compressed(full));

        StoredDocuments store = new StoredDocuments();
        Clock clock = Clock.fixed(START.plusSeconds(86_400), ZoneOffset.UTC);
        RunJournal.create(store, clock, r);
        String document = store.document;

        assertTrue(compressed(document) <= JournalBudget.LIMIT_BYTES, "compressed " + compressed(document));
        assertEquals(document, ClusterRecords.journal(r), "the record itself was shrunk");
        int totalOmitted = 0;
        for (int n = 0; n < 50; n++) {
            StepRecord before = original.steps().get(n);
            StepRecord after = r.steps().get(n);
            List<GateRecord> expected = before.gates.stream().filter(g -> !g.outcome().name().equals("PASS")).toList();
            assertEquals(expected.stream().map(g -> g.at()).toList(),
                    after.gates.stream().filter(g -> !g.outcome().name().equals("PASS")).map(g -> g.at()).toList(), "every non-passing evaluation kept");
            for (String gate : GATES) {
                List<GateRecord> passes = before.gates.stream().filter(g -> g.gate().equals(gate) && g.outcome().name().equals("PASS")).toList();
                List<GateRecord> keptPasses = after.gates.stream().filter(g -> g.gate().equals(gate) && g.outcome().name().equals("PASS")).toList();
                assertEquals(List.of(passes.get(0).at(), passes.get(passes.size() - 1).at()), keptPasses.stream().map(g -> g.at()).toList(),
                        "first and last PASS of " + gate + " in " + after.id());
                assertEquals(query(gate, after.namespace()), keptPasses.get(0).query(), "each kept evaluation keeps its resolved query");
                OmittedEvaluations o = after.omitted.stream().filter(x -> x.gate.equals(gate)).findFirst().orElseThrow();
                assertEquals("PASS", o.outcome.name());
                assertEquals(passes.size() - 2, o.count);
                assertEquals(passes.get(1).at(), o.from);
                assertEquals(passes.get(passes.size() - 2).at(), o.to);
                totalOmitted += o.count;
            }
            assertEquals(GATES.size(), after.omitted.size(), "only PASS omissions: " + after.id());
        }
        long passes = original.steps().stream().flatMap(s -> s.gates.stream()).filter(g -> g.outcome().name().equals("PASS")).count();
        assertEquals(passes - 50L * GATES.size() * 2, totalOmitted);
        assertNotNull(r.compaction);
        assertTrue(r.compaction.contains(totalOmitted + " passing evaluations omitted"), r.compaction);
        assertTrue(r.compaction.contains("900 KiB"), r.compaction);

        RunRecord read = ClusterRecords.journal(document);
        assertEquals(document, ClusterRecords.journal(read), "the shrunk document round-trips");
        RunRecord again = ClusterRecords.journal(full);
        again.started(clock.instant().toString());
        again.touched(clock.instant().toString());
        assertEquals(document, JournalBudget.STANDARD.fit(again, ClusterRecords::journal), "shrinking is deterministic");
        assertEquals(document, JournalBudget.STANDARD.fit(r, ClusterRecords::journal), "a shrunk record that fits is not shrunk again");

        StringWriter text = new StringWriter();
        RunReport.text(read, new PrintWriter(text));
        String report = text.toString();
        assertTrue(report.contains("journal: " + r.compaction), report);
        GateRecord lastPass = after(read, 49, "p99-latency");
        assertTrue(report.contains("gate p99-latency @ " + lastPass.at() + ": PASS"), report);
        assertTrue(report.contains("      " + query("p99-latency", "team-49") + "\n"), "the resolved query is shown");
        OmittedEvaluations o = read.steps().get(49).omitted.stream().filter(x -> x.gate.equals("p99-latency")).findFirst().orElseThrow();
        assertTrue(report.contains("    gate p99-latency: " + o.count + " passing evaluations omitted (" + o.from + " to " + o.to + ")"), report);
        StringWriter markdown = new StringWriter();
        RunReport.markdown(read, new PrintWriter(markdown));
        assertTrue(markdown.toString().contains("| p99-latency | " + o.from + " to " + o.to + " |  | PASS x" + o.count + " omitted |"), markdown.toString());
    }

    /** The journal store as the engine sees it: text in, version out. */
    private static final class StoredDocuments implements JournalStore {
        String document;
        int version;

        @Override
        public String write(String runId, String planName, String document, Optional<String> expectedVersion) {
            this.document = document;
            return String.valueOf(++version);
        }

        @Override
        public Optional<Entry> read(String runId) {
            return Optional.ofNullable(document).map(d -> new Entry(runId, "", d, String.valueOf(version)));
        }

        @Override
        public List<Entry> list(Optional<String> planName) {
            return read("").stream().toList();
        }
    }

    private static GateRecord after(RunRecord r, int step, String gate) {
        List<GateRecord> l = r.steps().get(step).gates.stream().filter(g -> g.gate().equals(gate) && g.outcome().name().equals("PASS")).toList();
        return l.get(l.size() - 1);
    }

    @Test
    void laterEvaluationsAddToTheCountsAndKeepTheEarliestInstant() {
        JournalBudget budget = new JournalBudget(16 * 1024);
        RunRecord r = longRun(4, 60, 3);
        budget.fit(r, ClusterRecords::journal);
        StepRecord last = r.steps().get(3);
        OmittedEvaluations first = last.omitted.stream().filter(x -> x.gate.equals("error-rate")).findFirst().orElseThrow();
        int count = first.count;
        String from = first.from;
        RunRecord more = longRun(4, 400, 4);
        long added = more.steps().get(3).gates.stream().filter(g -> g.gate().equals("error-rate") && g.outcome().name().equals("PASS")).count();
        more.steps().get(3).gates.replaceAll(g -> new GateRecord(g.gate(), Instant.parse(g.at()).plusSeconds(86_400).toString(), g.query(), g.value(), g.outcome(), g.detail()));
        last.gates.addAll(more.steps().get(3).gates);

        String document = budget.fit(r, ClusterRecords::journal);

        assertTrue(compressed(document) <= 16 * 1024);
        OmittedEvaluations now = last.omitted.stream().filter(x -> x.gate.equals("error-rate") && x.outcome.name().equals("PASS")).findFirst().orElseThrow();
        assertEquals(from, now.from);
        // the last PASS kept by the first shrink is now between two passes: it is omitted with all but the newest added one
        assertEquals(count + added, now.count);
        long passesKept = last.gates.stream().filter(g -> g.gate().equals("error-rate") && g.outcome().name().equals("PASS")).count();
        assertEquals(2, passesKept);
    }

    @Test
    void whenPassesAreNotEnoughEachOutcomeKeepsItsFirstAndLast() {
        JournalBudget budget = new JournalBudget(12 * 1024);
        RunRecord r = longRun(6, 200, 11);
        long total = r.steps().stream().mapToLong(s -> s.gates.size()).sum();

        String document = budget.fit(r, ClusterRecords::journal);

        assertTrue(compressed(document) <= 12 * 1024, "compressed " + compressed(document));
        for (StepRecord s : r.steps()) {
            for (String gate : GATES) {
                for (String outcome : List.of("PASS", "FAIL", "INCONCLUSIVE", "NO_DATA")) {
                    long kept = s.gates.stream().filter(g -> g.gate().equals(gate) && g.outcome().name().equals(outcome)).count();
                    assertTrue(kept <= 2, s.id() + " " + gate + " " + outcome + ": " + kept);
                }
            }
            assertTrue(s.omitted.stream().anyMatch(o -> o.outcome.name().equals("FAIL")), s.id() + " " + s.omitted.size());
        }
        long kept = r.steps().stream().mapToLong(s -> s.gates.size()).sum();
        long omitted = r.steps().stream().flatMap(s -> s.omitted.stream()).mapToLong(o -> o.count).sum();
        assertEquals(total, kept + omitted);
        assertTrue(r.compaction.contains(" FAIL evaluations omitted"), r.compaction);
    }
}
