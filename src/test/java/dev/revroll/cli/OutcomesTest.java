package dev.revroll.cli;

import dev.revroll.engine.RunOutcome;
import dev.revroll.errors.ExitCode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutcomesTest {

    @Test
    void everyOutcomeHasItsExitCode() {
        assertEquals(0, Outcomes.exitCode(RunOutcome.Result.DONE).code());
        assertEquals(1, Outcomes.exitCode(RunOutcome.Result.ROLLED_BACK).code());
        assertEquals(4, Outcomes.exitCode(RunOutcome.Result.ROLLBACK_INCOMPLETE).code());
        assertEquals(5, Outcomes.exitCode(RunOutcome.Result.PAUSED).code());
        assertEquals(ExitCode.PREFLIGHT_REFUSED.code(), new dev.revroll.errors.PreflightException(java.util.List.of("x")).exitCode().code());
        assertEquals(ExitCode.LOCKED.code(), new dev.revroll.errors.LockedException("x").exitCode().code());
    }
}
