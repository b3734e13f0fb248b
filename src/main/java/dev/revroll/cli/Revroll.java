package dev.revroll.cli;

import io.micronaut.configuration.picocli.MicronautFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** The {@code revroll} command. Subcommands do the work; this class only wires picocli into Micronaut. */
@Command(
        name = "revroll",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Moves an Istio mesh to a new control-plane revision, one namespace at a time, with gates and rollback.",
        subcommands = {CommandLine.HelpCommand.class, ValidateCommand.class, PreviewCommand.class, RunCommand.class,
                StatusCommand.class, ResumeCommand.class, RollbackCommand.class, DriftCommand.class, ReconcileCommand.class,
                ManifestsCommand.class, CompletionCommand.class})
public class Revroll implements Runnable {

    /** The name usage shows, when not {@code revroll} (bin/kubectl-revroll sets {@code kubectl revroll}). */
    static final String ENV_COMMAND_NAME = "REVROLL_COMMAND_NAME";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line in a fresh application context and returns the exit code. {@code completion} needs no
     * beans (no cluster, no HTTP client), so it runs on picocli's own factory and starts in a fraction of the time.
     */
    public static int execute(String... args) {
        if (args.length > 0 && args[0].equals("completion")) {
            return commandLine(CommandLine.defaultFactory()).execute(args);
        }
        // no environment deduction (cloud, test, Kubernetes probes) and no banner: a CLI starts in the CLI environment
        try (ApplicationContext context = ApplicationContext.builder(Revroll.class, Environment.CLI)
                .deduceEnvironment(false).banner(false).start()) {
            return commandLine(context).execute(args);
        }
    }

    public static CommandLine commandLine(ApplicationContext context) {
        return commandLine(new MicronautFactory(context));
    }

    /**
     * The command line on {@code factory}, named as the user called it: {@value #ENV_COMMAND_NAME} (set by
     * bin/kubectl-revroll to {@code kubectl revroll}) or {@code revroll}, so usage and error hints read as typed.
     */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cmd = new CommandLine(Revroll.class, factory);
        String name = System.getenv(ENV_COMMAND_NAME);
        if (name != null && !name.isBlank()) {
            cmd.setCommandName(name.strip());
        }
        cmd.getCommandSpec().usageMessage().footerHeading("%nExit codes:%n").footer(ExitCode.table(List.of(ExitCode.values())));
        for (CommandLine sub : cmd.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(new VersionProvider()); // picocli does not pass it down: 'status --version'
            List<ExitCode> codes = sub.getCommand() instanceof RevrollCommand c ? c.exitCodes()
                    : sub.getCommand() instanceof CompletionCommand ? List.of(ExitCode.DONE, ExitCode.INVALID) : List.of();
            if (!codes.isEmpty()) {
                sub.getCommandSpec().usageMessage().footerHeading("%nExit codes:%n").footer(ExitCode.table(codes));
            }
        }
        ErrorHandler handler = new ErrorHandler();
        cmd.setExecutionExceptionHandler(handler);
        cmd.setParameterExceptionHandler(handler);
        return cmd;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
