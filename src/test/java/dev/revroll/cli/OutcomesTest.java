package dev.revroll.cli;

import dev.revroll.engine.RunOutcome;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutcomesTest {

    @Test
    void everyOutcomeHasItsExitCode() {
        assertEquals(0, ExitCodes.of(CommandResult.of(RunOutcome.Result.DONE)).code());
        assertEquals(1, ExitCodes.of(CommandResult.of(RunOutcome.Result.ROLLED_BACK)).code());
        assertEquals(4, ExitCodes.of(CommandResult.of(RunOutcome.Result.ROLLBACK_INCOMPLETE)).code());
        assertEquals(5, ExitCodes.of(CommandResult.of(RunOutcome.Result.PAUSED)).code());
        assertEquals(ExitCode.PREFLIGHT_REFUSED.code(), ExitCodes.of(new dev.revroll.errors.PreflightException(java.util.List.of("x"))).code());
        assertEquals(ExitCode.LOCKED.code(), ExitCodes.of(new dev.revroll.errors.LockedException("x")).code());
    }
}
