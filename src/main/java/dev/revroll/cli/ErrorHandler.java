package dev.revroll.cli;

import dev.revroll.errors.ExitCode;
import dev.revroll.errors.RevrollException;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The one place exceptions become messages and exit codes. A {@link RevrollException} is a message for a person;
 * anything else is a bug, printed with its stack trace only under {@code --verbose}.
 */
public class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (ex instanceof RevrollException re) {
            err.println("revroll: " + re.getMessage());
            err.flush();
            return re.exitCode().code();
        }
        err.println("revroll: internal error: " + ex);
        if (verbose(parseResult)) {
            ex.printStackTrace(err);
        } else {
            err.println("(run again with --verbose for the stack trace, and please report it)");
        }
        err.flush();
        return ExitCode.ROLLBACK_INCOMPLETE.code();
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("revroll: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return ExitCode.INVALID.code();
    }

    private static boolean verbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
