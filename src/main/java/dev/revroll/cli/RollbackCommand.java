package dev.revroll.cli;

import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Optional;

/** {@code revroll rollback [RUN] [--to STEP] [--break-glass]}: undo a run's steps, newest first. */
@Prototype
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Undo the steps of a run, newest first: labels restored exactly, pods restarted back and verified, Git reverted.")
public class RollbackCommand extends RunStreamCommand {

    @Mixin
    RunSelection selection;

    @Option(names = "--to", paramLabel = "STEP", description = "Keep this step (wave/namespace) and the ones before it; undo the later ones.")
    String toStep;

    @Option(names = "--break-glass", description = "Undo in the cluster without Git (Git unreachable); annotates the namespaces "
            + "with revroll.dev/break-glass so 'revroll reconcile' writes the reverts later.")
    boolean breakGlass;

    @Override
    CommandResult execute() {
        return onStoredRun(selection, !breakGlass, true,
                (engine, plan, runId) -> engine.rollback(plan, runId, Optional.ofNullable(toStep), breakGlass, listener()));
    }
}
