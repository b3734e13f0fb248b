package dev.revroll.cli;

import dev.revroll.errors.PlanException;
import dev.revroll.errors.PlanException.PlanProblem;
import dev.revroll.errors.PreflightException;
import dev.revroll.errors.RevrollException;
import dev.revroll.json.Json;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a command's exception is told to a person (and to a program): a {@link RevrollException} is a message, an
 * invalid plan every problem with file:line:column; anything else is a bug, with its stack trace only under
 * {@code --verbose}. The code comes from {@link ExitCodes}. When the command prints JSON, the failure is a JSON
 * document on stdout ({@code type: ERROR}, kind, exit code, message, file/line/column where there is one); with
 * {@code -o json} asked for explicitly, stdout carries it alone.
 */
public class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        ExitCode code = ExitCodes.of(ex);
        RevrollCommand command = cmd.getCommand() instanceof RevrollCommand c ? c : null;
        if (command != null && command.printsJson()) {
            PrintWriter out = cmd.getOut();
            out.println(Json.compact(document(ex, code)));
            out.flush();
            if (command.global.output() == OutputFormat.JSON) {
                return code.code();
            }
        }
        PrintWriter err = cmd.getErr();
        if (ex instanceof PlanException pe) {
            pe.problems().forEach(err::println);
            String file = pe.problems().isEmpty() ? "the plan" : pe.problems().get(0).file();
            int n = pe.problems().size();
            err.println("revroll: " + file + " is not a valid plan (" + n + " problem" + (n == 1 ? "" : "s") + "); nothing was touched");
        } else if (ex instanceof RevrollException) {
            err.println("revroll: " + ex.getMessage());
        } else {
            err.println("revroll: internal error: " + ex);
            if (verbose(parseResult)) {
                ex.printStackTrace(err);
            } else {
                err.println("(run again with --verbose for the stack trace, and please report it; 'revroll status' shows where a run stands)");
            }
        }
        err.flush();
        return code.code();
    }

    /** The JSON failure document. */
    static Map<String, Object> document(Throwable ex, ExitCode code) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", "ERROR");
        doc.put("kind", ExitCodes.kind(ex));
        doc.put("exitCode", code.code());
        doc.put("message", ex instanceof RevrollException ? ex.getMessage() : "internal error: " + ex);
        if (ex instanceof PlanException pe && !pe.problems().isEmpty()) {
            PlanProblem first = pe.problems().get(0);
            doc.put("valid", false);
            doc.put("file", first.file());
            if (first.line() > 0) {
                doc.put("line", first.line());
                doc.put("column", first.column());
            }
            List<Map<String, Object>> problems = pe.problems().stream().map(ErrorHandler::problem).toList();
            doc.put("problems", problems);
        }
        if (ex instanceof PreflightException pf) {
            doc.put("reasons", pf.reasons());
        }
        return doc;
    }

    private static Map<String, Object> problem(PlanProblem p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", p.file());
        m.put("line", p.line());
        m.put("column", p.column());
        m.put("field", p.field());
        m.put("message", p.message());
        return m;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("revroll: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return ExitCodes.of(ex).code();
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
