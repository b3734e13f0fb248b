package dev.revroll.plan;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.revroll.cli.ExitCode;
import dev.revroll.cli.ExitCodes;
import dev.revroll.errors.PlanException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Coverage-guided fuzzing of the plan loader (Jazzer): every input, however malformed, ends in a plan or in a
 * {@link PlanException} (exit 2) whose problems each name a position; never another exception, an OOM or a hang.
 * <p>
 * In the normal test run this replays the inputs kept in {@code src/test/resources/dev/revroll/plan/PlanLoaderFuzzTestInputs/}
 * (seeds and every finding so far); with {@code JAZZER_FUZZ=1} (the pom's {@code fuzz-plan-loader} execution) it fuzzes
 * for the budget below and stores what fails there.
 */
class PlanLoaderFuzzTest {

    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempDirectory("plan-fuzz").resolve("plan.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void everyInputEndsInAPlanOrAPlanError(byte[] input) throws IOException {
        Files.write(FILE, input);
        try {
            Plan plan = PlanLoader.load(FILE);
            assertNotNull(plan.spec().revision().to());
            assertFalse(plan.spec().waves().isEmpty());
            assertFalse(plan.spec().gates().allOff() && plan.spec().gates().none().isEmpty(), "a plan without gates loaded without gates.none");
        } catch (PlanException e) {
            assertEquals(ExitCode.INVALID, ExitCodes.of(e));
            assertFalse(e.problems().isEmpty());
            e.problems().forEach(p -> assertNotNull(p.message()));
        }
    }
}
