package dev.revroll.cli;

import dev.revroll.engine.RunListener;
import dev.revroll.engine.RunOutcome;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.output.EventStream;
import dev.revroll.output.RunReport;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/** How run, resume and rollback show a run: the event stream while it goes, the summary and the result at its end. */
final class Outcomes {

    private Outcomes() {
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

    /** Prints the summary, says on stderr how a run that did not end clean ended, and returns its result. */
    static CommandResult finish(CommandSpec spec, GlobalOptions global, RunOutcome outcome) {
        printSummary(spec, global, outcome.record());
        CommandResult result = CommandResult.of(outcome.result());
        if (result != CommandResult.DONE) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("revroll: " + ExitCodes.of(result).meaning() + ": " + outcome.message());
            err.flush();
        }
        return result;
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
