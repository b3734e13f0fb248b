package dev.revroll.cli;

import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.RunListener;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.output.report.ReportFiles;
import dev.revroll.output.report.ReportFiles.Format;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --report-junit/-markdown/-json/-html FILE} of run, resume, rollback and status (docs/reports.md): the run's
 * reports, written from its journal record when the command ends, whatever the outcome. The paths are checked before
 * anything is done; a report that cannot be written at the end is said on stderr and does not change the exit code.
 */
public class ReportOptions {

    @Option(names = "--report-junit", paramLabel = "FILE", description = "Write a JUnit XML report of the run (a test case per namespace step).")
    Path junit;

    @Option(names = "--report-markdown", paramLabel = "FILE",
            description = "Write a Markdown report (for a pull-request comment); also appended to $GITHUB_STEP_SUMMARY when that is set.")
    Path markdown;

    @Option(names = "--report-json", paramLabel = "FILE", description = "Write the whole run as a JSON report (steps, actions, commits, every gate evaluation).")
    Path json;

    @Option(names = "--report-html", paramLabel = "FILE",
            description = "Write one self-contained HTML page: timeline, gate charts against their thresholds, commits, what to do.")
    Path html;

    /** The run the command works on, once known (from its first event, or the stored run it picked). */
    private volatile String runId;

    ReportFiles files() {
        Map<Format, Path> targets = new EnumMap<>(Format.class);
        put(targets, Format.JUNIT, junit);
        put(targets, Format.MARKDOWN, markdown);
        put(targets, Format.JSON, json);
        put(targets, Format.HTML, html);
        Optional<Path> summary = Optional.ofNullable(System.getenv("GITHUB_STEP_SUMMARY")).filter(s -> !s.isBlank()).map(Path::of);
        return new ReportFiles(targets, summary);
    }

    private static void put(Map<Format, Path> targets, Format f, Path p) {
        if (p != null) {
            targets.put(f, p);
        }
    }

    boolean any() {
        return junit != null || markdown != null || json != null || html != null;
    }

    /** Refuses unwritable report paths before the command does anything. */
    void check() {
        if (any()) {
            files().check();
        }
    }

    /** The listener, noting the run's id from its events (so a run that fails with an exception still gets its reports). */
    RunListener watching(RunListener listener) {
        if (!any()) {
            return listener;
        }
        return e -> {
            if (runId == null && e.runId() != null) {
                runId = e.runId();
            }
            listener.on(e);
        };
    }

    /** The stored run the command works on (resume, rollback): its reports are written even if the command is refused. */
    void run(String id) {
        runId = id;
    }

    /** Writes the reports of {@code record}; problems go to {@code err}. */
    void write(RunRecord record, PrintWriter err) {
        if (!any()) {
            return;
        }
        List<String> problems = files().write(record);
        problems.forEach(p -> err.println("revroll: " + p));
        err.flush();
    }

    /**
     * The command ended with an exception: the reports of the run's record as the journal has it now, when the run
     * had one; otherwise says why there is no report.
     */
    void writeAfterFailure(EngineWiring wiring, String controlPlaneNamespace, PrintWriter err) {
        if (!any()) {
            return;
        }
        if (runId == null) {
            err.println("revroll: no report written: the run ended before it had a record");
            err.flush();
            return;
        }
        Optional<RunRecord> record;
        try {
            record = RolloutEngine.status(wiring.journal(controlPlaneNamespace), Optional.of(runId));
        } catch (RuntimeException e) {
            err.println("revroll: no report written: the journal of run " + runId + " could not be read: " + e.getMessage());
            err.flush();
            return;
        }
        if (record.isEmpty()) {
            err.println("revroll: no report written: run " + runId + " has no journal");
            err.flush();
            return;
        }
        write(record.get(), err);
    }
}
