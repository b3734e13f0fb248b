package dev.revroll.cli;

import dev.revroll.engine.RunOutcome;

/** How a command ended when it did not throw; {@link ExitCodes} turns it into the exit code. */
enum CommandResult {
    DONE, ROLLED_BACK, PAUSED, ROLLBACK_INCOMPLETE, DRIFTED, REFUSED;

    static CommandResult of(RunOutcome.Result result) {
        return switch (result) {
            case DONE -> DONE;
            case ROLLED_BACK -> ROLLED_BACK;
            case PAUSED -> PAUSED;
            case ROLLBACK_INCOMPLETE -> ROLLBACK_INCOMPLETE;
        };
    }
}
