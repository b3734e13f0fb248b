package dev.revroll.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code revroll completion bash|zsh}: prints the shell completion script picocli generates from the command model
 * (subcommands, options, option values; PLAN and other file arguments fall back to file names). Runs without
 * Micronaut or a cluster connection ({@link Revroll#execute}). The same script serves zsh: it loads zsh's
 * {@code bashcompinit} itself. Install lines: README "Shell completion".
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print the shell completion script for revroll: source <(revroll completion bash).")
public class CompletionCommand implements Callable<Integer> {

    /** The shells a script is printed for. */
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "The shell: ${COMPLETION-CANDIDATES}.")
    Shell shell;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("revroll", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return ExitCode.DONE.code();
    }
}
