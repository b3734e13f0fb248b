package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;

/** How a run (or resume, or rollback) ended. The CLI maps {@link Result} to an exit code in one place. */
public record RunOutcome(Result result, RunRecord record, String message) {

    public enum Result { DONE, ROLLED_BACK, PAUSED, ROLLBACK_INCOMPLETE }
}
