package dev.revroll.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Options every revroll command takes. Use as {@code @Mixin GlobalOptions global;} in a subcommand.
 * Kubeconfig falls back to {@code KUBECONFIG}, then {@code ~/.kube/config}, then in-cluster (the kube adapter decides).
 */
public class GlobalOptions {

    @Option(names = "--kubeconfig", paramLabel = "PATH",
            description = "Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
            description = "Kube context to use (default: the kubeconfig's current context).")
    String context;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            converter = OutputFormat.Converter.class, completionCandidates = OutputFormat.Names.class,
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.TEXT;

    @Option(names = "--verbose", description = "Print more detail (and stack traces of internal errors).")
    boolean verbose;

    public Optional<Path> kubeconfig() {
        return Optional.ofNullable(kubeconfig);
    }

    public Optional<String> context() {
        return Optional.ofNullable(context).filter(s -> !s.isBlank());
    }

    public OutputFormat output() {
        return output;
    }

    public boolean verbose() {
        return verbose;
    }
}
