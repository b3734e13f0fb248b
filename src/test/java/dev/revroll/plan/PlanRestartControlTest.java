package dev.revroll.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spec.restart.maxConcurrentRestarts} and {@code spec.restart.requireMakeBeforeBreak}: defaults, values, errors. */
class PlanRestartControlTest {

    @TempDir
    Path dir;

    private static final String WAVES = """
              waves:
                - name: all
                  namespaces: [demo]
            """;

    @Test
    void absentMeansNoCapAndNoRequirementAsBefore() throws IOException {
        Plan.Restart r = PlanLoader.load(PlanFiles.write(dir, "p.yaml", PlanFiles.HEAD + WAVES)).spec().restart();
        assertEquals(OptionalInt.empty(), r.maxConcurrentRestarts());
        assertFalse(r.requireMakeBeforeBreak());
    }

    @Test
    void readsTheCapAndTheRequirement() throws IOException {
        Plan.Restart r = PlanLoader.load(PlanFiles.write(dir, "p.yaml", PlanFiles.HEAD + WAVES + """
                  restart:
                    maxConcurrentRestarts: 2
                    requireMakeBeforeBreak: true
                """)).spec().restart();
        assertEquals(OptionalInt.of(2), r.maxConcurrentRestarts());
        assertTrue(r.requireMakeBeforeBreak());
    }

    @Test
    void badValuesAreNamedAtTheirLineAndColumn() throws IOException {
        assertEquals(List.of(
                        "F:12:28: spec.restart.maxConcurrentRestarts: must be at least 1, found 0",
                        "F:13:29: spec.restart.requireMakeBeforeBreak: must be true or false, found 'always'"),
                PlanFiles.problems(dir, PlanFiles.HEAD + WAVES + """
                          restart:
                            maxConcurrentRestarts: 0
                            requireMakeBeforeBreak: always
                        """));
        assertEquals(List.of("F:12:28: spec.restart.maxConcurrentRestarts: must be a whole number, found 'two'"),
                PlanFiles.problems(dir, PlanFiles.HEAD + WAVES + """
                          restart:
                            maxConcurrentRestarts: two
                        """));
        assertEquals(List.of("F:12:5: spec.restart.maxConcurentRestarts: unknown field, did you mean 'maxConcurrentRestarts'?"),
                PlanFiles.problems(dir, PlanFiles.HEAD + WAVES + """
                          restart:
                            maxConcurentRestarts: 2
                        """));
    }

    @Test
    void theExamplePlanLoads() {
        Plan.Restart r = PlanLoader.load(Path.of("plans/workload-control.yaml")).spec().restart();
        assertEquals(OptionalInt.of(2), r.maxConcurrentRestarts());
        assertTrue(r.requireMakeBeforeBreak());
    }
}
