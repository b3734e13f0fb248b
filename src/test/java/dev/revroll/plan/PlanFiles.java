package dev.revroll.plan;

import dev.revroll.cli.ExitCode;
import dev.revroll.cli.ExitCodes;
import dev.revroll.errors.PlanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Plan files for the loader's tests: the smallest plan head, a file written from text, and the problems it gives. */
final class PlanFiles {

    /** apiVersion, kind, metadata.name p and spec.revision.to; a test appends the rest of spec. */
    static final String HEAD = """
            apiVersion: revroll.dev/v1alpha1
            kind: RolloutPlan
            metadata:
              name: p
            spec:
              revision:
                to: 1-28-0
            """;

    private PlanFiles() {
    }

    static Path write(Path dir, String name, String yaml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    /** The lines a user sees for a plan that must be refused (exit 2), with the file name as {@code F}. */
    static List<String> problems(Path dir, String yaml) throws IOException {
        Path f = write(dir, "plan.yaml", yaml);
        PlanException e = assertThrows(PlanException.class, () -> PlanLoader.load(f));
        assertEquals(ExitCode.INVALID, ExitCodes.of(e));
        return e.problems().stream().map(p -> p.toString().replace(f.toString(), "F")).toList();
    }
}
