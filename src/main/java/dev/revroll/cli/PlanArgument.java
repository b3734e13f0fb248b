package dev.revroll.cli;

import dev.revroll.engine.WindowFit;
import dev.revroll.errors.UsageException;
import dev.revroll.plan.Plan;
import dev.revroll.plan.PlanLoader;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The {@code PLAN} parameter of validate, preview, run, drift and reconcile, and reading the file it names.
 * Use as {@code @Mixin PlanArgument plan;}.
 */
public class PlanArgument {

    @Parameters(paramLabel = "PLAN", description = "The plan file (YAML).")
    Path file;

    Path file() {
        return file;
    }

    /**
     * The plan, validated; a {@link dev.revroll.errors.PlanException} lists every problem with file:line:column. A
     * plan whose steps can never fit in its maintenance window is invalid too ({@link WindowFit}).
     */
    Plan load() {
        Plan plan = PlanLoader.load(file);
        WindowFit.check(plan, Instant.now());
        return plan;
    }

    /** The file's SHA-256 as it is now (the journal keeps it, so resume and rollback refuse a changed plan). */
    String hash() {
        return hash(file);
    }

    static String hash(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
