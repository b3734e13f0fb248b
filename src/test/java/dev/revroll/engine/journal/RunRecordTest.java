package dev.revroll.engine.journal;

import dev.revroll.engine.journal.RunRecord.ActionRecord;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.journal.RunRecord.StepState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal's states change only through transitions that say where they may come from. */
class RunRecordTest {

    private static RunRecord run() {
        RunRecord r = RunRecord.of("r1", "plan", "hash", "/p.yaml", "ctx", "istio-system", "1-27-0", "1-28-0", "1-28-0");
        r.addStep(StepRecord.of("w/a", "w", 0, "a", "1-27-0", List.of("Deployment/web")));
        return r;
    }

    @Test
    void aStepGoesForwardThenBackAndRecordsWhy() {
        StepRecord s = run().step("w/a").orElseThrow();
        s.begin("t1");
        ActionRecord relabel = s.actionRecord("relabel");
        relabel.intent("t1");
        relabel.failed("t2", "admission denied");
        s.failed("relabel: admission denied");
        assertEquals(StepState.FAILED, s.state());
        s.rollingBack();
        relabel.undoIntent("t3");
        relabel.undone("t4");
        s.rolledBack("t4");
        assertEquals(StepState.ROLLED_BACK, s.state());
        assertEquals("relabel: admission denied", s.failure().orElseThrow());
        assertEquals("t1", s.startedAt().orElseThrow(), "the first start is kept");
    }

    @Test
    void impossibleTransitionsAreRefusedAsBugs() {
        RunRecord r = run();
        StepRecord s = r.step("w/a").orElseThrow();
        assertThrows(IllegalStateException.class, () -> s.done("t"), "a pending step cannot be done");
        assertThrows(IllegalStateException.class, s::rollingBack, "nothing of a pending step was started");
        s.begin("t");
        s.done("t");
        assertThrows(IllegalStateException.class, () -> s.begin("t"), "a done step does not start again");
        ActionRecord a = s.actionRecord("restart");
        assertThrows(IllegalStateException.class, () -> a.completed("t"), "an action is done only after its intent");
        r.finished(RunState.DONE, "t", "every step done");
        assertThrows(IllegalStateException.class, r::running, "a finished run is not resumed");
        assertTrue(r.state().finished());
    }

    @Test
    void theIntentIsFixedOnce() {
        StepRecord s = run().step("w/a").orElseThrow();
        s.intent(Map.of("istio.io/rev", "1-27-0"), List.of("Deployment/web"), "1-27-0", "t1");
        s.intent(Map.of("istio.io/rev", "1-27-0"), List.of("Deployment/web"), "1-27-0", "t2");
        assertEquals("t1", s.restartedAt().orElseThrow(), "a resumed step keeps its one restartedAt");
        assertEquals("t3", s.rollbackRestart("t3"));
        assertEquals("t3", s.rollbackRestart("t4"), "and its one rollback restartedAt");
    }

    @Test
    void theDocumentRoundTripsThroughTheCodecWithItsStates() {
        RunRecord r = run();
        StepRecord s = r.step("w/a").orElseThrow();
        s.begin("t1");
        s.actionRecord("journal-intent").intent("t1");
        String document = ClusterRecords.journal(r);
        assertTrue(document.contains("\"state\" : \"IN_PROGRESS\""), document);
        RunRecord read = ClusterRecords.journal(document);
        assertEquals(StepState.IN_PROGRESS, read.step("w/a").orElseThrow().state());
        assertEquals(RunRecord.ActionState.INTENT, read.step("w/a").orElseThrow().action("journal-intent").orElseThrow().state());
        assertEquals(document, ClusterRecords.journal(read));
    }
}
