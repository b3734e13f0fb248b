package dev.revroll.cli;

import dev.revroll.json.Json;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What every revroll subcommand has: its picocli spec (so output goes through picocli's writers, never
 * {@code System.out}), the {@link GlobalOptions}, and the template every command follows: {@link #execute()} builds
 * a request, calls the engine or a check, renders the answer and returns a {@link CommandResult}; {@link ExitCodes}
 * turns that result (or the exception the command threw, through {@link ErrorHandler}) into the exit code.
 * Subcommands are {@code @Prototype} beans, so Micronaut (through picocli's factory) creates a fresh one per execution.
 */
abstract class RevrollCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    private final List<ExitCode> exitCodes;

    /** {@code exitCodes}: what the command can return, for its {@code --help}. */
    RevrollCommand(ExitCode... exitCodes) {
        this.exitCodes = List.of(exitCodes);
    }

    @Override
    public final Integer call() {
        prepare();
        return ExitCodes.of(execute()).code();
    }

    /** Checks made before the command does anything (such as report paths); throws what is wrong. */
    void prepare() {
    }

    /** Does the command's work; a failure is thrown as what happened (a {@code RevrollException}), never as a code. */
    abstract CommandResult execute();

    /** The exit codes this command can return, listed in its {@code --help}. */
    final List<ExitCode> exitCodes() {
        return exitCodes;
    }

    /** True when the command prints JSON on stdout, so a failure is reported there as a JSON document too. */
    boolean printsJson() {
        return global.output() == OutputFormat.JSON;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** One compact JSON document (the {@code -o json} output of validate, drift and reconcile). */
    static String toJson(Object document) {
        return Json.compact(document);
    }
}
