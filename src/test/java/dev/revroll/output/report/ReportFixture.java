package dev.revroll.output.report;

import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.JournalBudget;
import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.engine.journal.RunRecord.GateVerdict;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.gates.GateOutcome;
import dev.revroll.ports.JournalStore;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run as the journal records it, made through the record's own transitions: wave {@code first} moves {@code web-ok};
 * in wave {@code second}, {@code pay-bad} fails its error-rate gate (three samples of 0.5 against {@code > 0.05}) and is
 * rolled back with its Git commit reverted, {@code api-too} is rolled back with it (rollback-wave); wave {@code third}'s
 * {@code late} never starts. Texts carry markup characters so the reports' escaping is tested.
 */
final class ReportFixture {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final String NASTY = "<script>alert('x')</script> & \"quoted\" | pipe `tick` *star* \u0001";
    static final String QUERY = "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"pay-bad\",response_code=~\"5..\"}[10s])) > bool 0 < 1 & " + "x";

    private ReportFixture() {
    }

    static String at(int seconds) {
        return T0.plusSeconds(seconds).toString();
    }

    /** The rolled-back run; with {@code passes} extra passing evaluations on web-ok (to make the budget omit some). */
    static RunRecord rolledBack(int passes) {
        RunRecord r = RunRecord.of("e2e-gate-20261201-100000", "e2e-gate", "3f9c0d5e6a7b8c9d", "/plans/e2e-gate.yaml", "kind-world",
                "istio-system", "1-27-0", "1-28-0", "1-28-0");
        r.addStep(StepRecord.of("first/web-ok", "first", 0, "web-ok", "1-27-0", List.of("Deployment/web")));
        r.addStep(StepRecord.of("second/pay-bad", "second", 1, "pay-bad", "1-27-0", List.of("Deployment/pay")));
        r.addStep(StepRecord.of("second/api-too", "second", 1, "api-too", "1-27-0", List.of("Deployment/api")));
        r.addStep(StepRecord.of("third/late", "third", 2, "late", "1-27-0", List.of("Deployment/late")));
        r.addSkipped(List.of("kube-system: protected"));
        RunJournal j = RunJournal.create(new MemoryStore(), Clock.fixed(T0, ZoneOffset.UTC), r);
        j.update(RunRecord::running);

        StepRecord ok = r.step("first/web-ok").orElseThrow();
        forward(ok, 1, 20, "abc1234def");
        for (int i = 1; i <= 3 + passes; i++) {
            ok.addGate(new GateRecord("error-rate", at(10 + i), QUERY.replace("pay-bad", "web-ok"), 0.001 * (i % 7), GateOutcome.PASS,
                    "0.00" + (i % 7) + " not > 0.05", ">", 0.05, i));
        }
        ok.addVerdict(new GateVerdict("error-rate", GateOutcome.PASS, "error-rate: PASS — 3 of 3 samples passed", at(19)));
        ok.actionRecord("metric-gates").intent(at(10));
        ok.actionRecord("metric-gates").completed(at(19));
        ok.done(at(20));

        StepRecord bad = r.step("second/pay-bad").orElseThrow();
        forward(bad, 21, -1, "bbb2222eee");
        bad.actionRecord("metric-gates").intent(at(30));
        for (int i = 1; i <= 3; i++) {
            bad.addGate(new GateRecord("error-rate", at(30 + 2 * i), QUERY, 0.5, GateOutcome.FAIL, "0.5 > 0.05 " + NASTY, ">", 0.05, i));
        }
        bad.addGate(new GateRecord("error-rate", at(38), QUERY, null, GateOutcome.NO_DATA, "query returned no series", ">", 0.05, 4));
        String summary = "error-rate: FAIL — 3 of 4 samples > 0.05 (0.5, 0.5, 0.5); failure limit 0";
        bad.addVerdict(new GateVerdict("error-rate", GateOutcome.FAIL, summary, at(38)));
        bad.actionRecord("metric-gates").failed(at(38), summary);
        bad.failed("metric-gates: " + summary);

        StepRecord too = r.step("second/api-too").orElseThrow();
        forward(too, 21, 29, "ccc3333fff");
        too.done(at(29));

        bad.rollingBack();
        too.rollingBack();
        bad.rollingBack(at(40));
        bad.actionRecord("relabel").undoIntent(at(40));
        bad.actionRecord("relabel").undone(at(50));
        bad.reverted("ddd4444aaa");
        bad.actionRecord("git-commit").undoIntent(at(51));
        bad.actionRecord("git-commit").undone(at(52));
        bad.rolledBack(at(52));
        too.rollingBack(at(53));
        too.actionRecord("relabel").undoIntent(at(53));
        too.actionRecord("relabel").undone(at(60));
        too.reverted("eee5555bbb");
        too.rolledBack(at(61));
        r.finished(RunState.ROLLED_BACK, at(61), "step failed (second/pay-bad: metric-gates: " + summary + "); rollback-wave: rolled back second/api-too, second/pay-bad");
        j.update(x -> { });
        return r;
    }

    private static void forward(StepRecord s, int start, int end, String commit) {
        s.begin(at(start));
        s.intent(Map.of("istio.io/rev", "1-27-0"), s.workloads(), "1-27-0", at(start));
        for (String a : List.of("journal-intent", "git-commit", "relabel", "restart", "wait-rollouts", "proxy-sync")) {
            s.actionRecord(a).intent(at(start));
            s.actionRecord(a).completed(at(start + 1));
        }
        s.committed(commit);
        if (end > 0) {
            s.actionRecord("journal-done").intent(at(end));
            s.actionRecord("journal-done").completed(at(end));
        }
    }

    /** The same run after a journal budget of {@code limitBytes} shrank it (passing evaluations omitted and counted). */
    static RunRecord shrunk(RunRecord r, int limitBytes) {
        new JournalBudget(limitBytes).fit(r, ClusterRecords::journal);
        return ClusterRecords.journal(ClusterRecords.journal(r));
    }

    /** A journal as an older revroll wrote it: gate records without threshold, comparison or sample, steps without verdicts. */
    static RunRecord legacy() {
        String doc = ClusterRecords.journal(rolledBack(0))
                .replaceAll(",\\s*\"comparison\"\\s*:\\s*(\"[^\"]*\"|null)", "")
                .replaceAll(",\\s*\"threshold\"\\s*:\\s*[-0-9.eE]+|,\\s*\"threshold\"\\s*:\\s*null", "")
                .replaceAll(",\\s*\"sample\"\\s*:\\s*(\\d+|null)", "")
                .replaceAll("\"verdicts\"\\s*:\\s*\\[[^\\]]*\\]\\s*,", "")
                .replaceAll(",\\s*\"undoStartedAt\"\\s*:\\s*(\"[^\"]*\"|null)", "");
        if (doc.contains("\"threshold\"") || doc.contains("\"verdicts\"") || doc.contains("\"comparison\"")) {
            throw new AssertionError("legacy fixture still has new fields:\n" + doc);
        }
        return ClusterRecords.journal(doc);
    }

    static final class MemoryStore implements JournalStore {
        private final List<Entry> entries = new ArrayList<>();

        @Override
        public String write(String runId, String planName, String document, Optional<String> expectedVersion) {
            entries.removeIf(e -> e.runId().equals(runId));
            String version = String.valueOf(entries.size() + 1);
            entries.add(new Entry(runId, planName, document, version));
            return version;
        }

        @Override
        public Optional<Entry> read(String runId) {
            return entries.stream().filter(e -> e.runId().equals(runId)).findFirst();
        }

        @Override
        public List<Entry> list(Optional<String> planName) {
            return List.copyOf(entries);
        }
    }
}
