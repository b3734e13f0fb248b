package dev.revroll.cli;

import dev.revroll.engine.RunOutcome;
import dev.revroll.engine.RunListener;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.errors.ExitCode;
import dev.revroll.output.EventStream;
import dev.revroll.output.RunReport;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/** The one place a run's outcome becomes output and an exit code (run, resume, rollback share it). */
final class Outcomes {

    private Outcomes() {
    }

    static ExitCode exitCode(RunOutcome.Result result) {
        return switch (result) {
            case DONE -> ExitCode.DONE;
            case ROLLED_BACK -> ExitCode.ROLLED_BACK;
            case PAUSED -> ExitCode.PAUSED;
            case ROLLBACK_INCOMPLETE -> ExitCode.ROLLBACK_INCOMPLETE;
        };
    }

    /** JSON lines when asked, or by default when stdout is not a terminal (a pipeline); {@code -o text} keeps text. */
    static boolean jsonEvents(GlobalOptions global) {
        return global.output() == OutputFormat.JSON || (!global.outputExplicit() && System.console() == null);
    }

    /** JSON lines, a live view in a terminal, or plain text lines (one per event) when text is asked without one. */
    static RunListener listener(CommandSpec spec, GlobalOptions global) {
        PrintWriter out = spec.commandLine().getOut();
        if (jsonEvents(global)) {
            return EventStream.jsonLines(out);
        }
        return System.console() == null ? EventStream.lines(out) : EventStream.live(out);
    }

    static int finish(CommandSpec spec, GlobalOptions global, RunOutcome outcome) {
        printSummary(spec, global, outcome.record());
        ExitCode code = exitCode(outcome.result());
        if (code != ExitCode.DONE) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("revroll: " + code.meaning() + ": " + outcome.message());
            err.flush();
        }
        return code.code();
    }

    static void printSummary(CommandSpec spec, GlobalOptions global, RunRecord record) {
        PrintWriter out = spec.commandLine().getOut();
        if (global.output() == OutputFormat.MARKDOWN) {
            RunReport.markdown(record, out);
        } else if (jsonEvents(global)) {
            RunReport.jsonLine(record, out);
        } else {
            RunReport.text(record, out);
        }
    }
}
