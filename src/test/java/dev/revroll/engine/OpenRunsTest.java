package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.errors.LockedException;
import dev.revroll.errors.UsageException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run PLAN} and earlier runs of the same plan: continue the same one, refuse a changed plan. */
class OpenRunsTest {

    static RunRecord run(String id, String plan, String hash, boolean finished) {
        RunRecord r = RunRecord.of(id, plan, hash, "/plans/p.yaml", "ctx", "istio-system", "1-27-0", "1-28-0", "1-28-0");
        StepRecord a = StepRecord.of("canary/a", "canary", 0, "a", "1-27-0", List.of("Deployment/a/web"), 2);
        StepRecord b = StepRecord.of("shop/b", "shop", 1, "b", "1-27-0", List.of("Deployment/b/api"), 1);
        r.addStep(a);
        r.addStep(b);
        a.actionRecord("journal-intent").intent("2026-12-02T22:00:00Z");
        if (finished) {
            r.finished(RunRecord.RunState.DONE, "2026-12-02T23:00:00Z", "every step done");
        } else {
            r.paused("step shop/b not started: ...");
        }
        return r;
    }

    static OpenRuns.Now now(String hash) {
        Map<String, List<String>> waves = new LinkedHashMap<>();
        waves.put("canary", List.of("a"));
        waves.put("shop", List.of("b", "c"));
        waves.put("late", List.of("d"));
        return new OpenRuns.Now("/plans/p.yaml", hash, Optional.of(waves), Optional.of("1-28-0"));
    }

    @Test
    void samePlanContinuesItsNewestUnfinishedRun() {
        List<RunRecord> runs = List.of(run("p-2", "p", "h1", false), run("p-1", "p", "h1", true));
        assertEquals("p-2", OpenRuns.toContinue("p", runs, now("h1"), Optional.empty()).orElseThrow().runId());
    }

    @Test
    void finishedRunsAndOtherPlansDoNotCount() {
        List<RunRecord> runs = List.of(run("q-1", "q", "other", false), run("p-1", "p", "old", true));
        assertEquals(Optional.empty(), OpenRuns.toContinue("p", runs, now("h1"), Optional.empty()));
    }

    @Test
    void aChangedPlanIsRefusedSayingWhatChangedAndHowToGoOn() {
        UsageException e = assertThrows(UsageException.class,
                () -> OpenRuns.toContinue("p", List.of(run("p-2", "p", "0123456789abcdef", false)), now("fedcba9876543210"), Optional.empty()));
        String m = e.getMessage();
        assertTrue(m.startsWith("plan p (/plans/p.yaml) is not the plan its unfinished run p-2 was started with (that run is PAUSED)"), m);
        assertTrue(m.contains("plan content (sha256): was 0123456789ab, is now fedcba987654"), m);
        assertTrue(m.contains("wave shop: namespaces added c"), m);
        assertTrue(m.contains("wave late is new: d"), m);
        assertTrue(m.contains("put that file back (/plans/p.yaml, sha256 0123456789ab) and run 'revroll resume p-2'"), m);
        assertTrue(m.contains("or undo it with 'revroll rollback p-2'; then run the changed plan."), m);
    }

    @Test
    void aRunGoingNowIsLockedAndOneBeingRolledBackIsForRollback() {
        List<RunRecord> runs = List.of(run("p-2", "p", "h1", false));
        assertThrows(LockedException.class, () -> OpenRuns.toContinue("p", runs, now("h1"), Optional.of("p-2")));
        assertEquals("p-2", OpenRuns.toContinue("p", runs, now("h1"), Optional.of("someone-else")).orElseThrow().runId());
        RunRecord undoing = run("p-3", "p", "h1", false);
        undoing.step("canary/a").orElseThrow().begin("2026-12-02T22:00:00Z");
        undoing.step("canary/a").orElseThrow().rollingBack();
        UsageException e = assertThrows(UsageException.class, () -> OpenRuns.toContinue("p", List.of(undoing), now("h1"), Optional.empty()));
        assertTrue(e.getMessage().contains("finish that with 'revroll rollback p-3'"), e.getMessage());
    }
}
