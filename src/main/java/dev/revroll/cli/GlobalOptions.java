package dev.revroll.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Options every revroll command takes; {@link RevrollCommand} carries them as {@code global}.
 * Kubeconfig falls back to {@code KUBECONFIG} (its files merged), then {@code ~/.kube/config}, then in-cluster (the kube adapter
 * decides: docs/kubeconfig.md).
 */
public class GlobalOptions {

    @Option(names = "--kubeconfig", paramLabel = "PATH",
            description = "Kubeconfig file (default: the files of $KUBECONFIG merged as kubectl merges them, then ~/.kube/config, then in-cluster config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
            description = "Kube context to use (default: the kubeconfig's current context). In a pod (service account, no kubeconfig) it only names the pod's cluster, for the plan's spec.cluster.context.")
    String context;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
            converter = OutputFormat.Converter.class, completionCandidates = OutputFormat.Names.class,
            description = "Output format: ${COMPLETION-CANDIDATES} (default: text; 'run', 'resume' and 'rollback' print"
                    + " JSON event lines when stdout is not a terminal unless -o text is given).")
    OutputFormat output;

    @Option(names = "--verbose", description = "Print more detail (and stack traces of internal errors).")
    boolean verbose;

    public Optional<Path> kubeconfig() {
        return Optional.ofNullable(kubeconfig);
    }

    public Optional<String> context() {
        return Optional.ofNullable(context).filter(s -> !s.isBlank());
    }

    public OutputFormat output() {
        return output == null ? OutputFormat.TEXT : output;
    }

    /** True when {@code -o} was given, so a default (such as JSON lines in a pipeline) must not override it. */
    public boolean outputExplicit() {
        return output != null;
    }

    public boolean verbose() {
        return verbose;
    }
}
