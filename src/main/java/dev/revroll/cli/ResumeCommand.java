package dev.revroll.cli;

import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code revroll resume [RUN]}: continue an interrupted or paused run; started actions are re-checked, not re-done. */
@Prototype
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue an interrupted or paused run from its journal; a started step is re-checked, never restarted twice.")
public class ResumeCommand extends RunStreamCommand {

    @Mixin
    RunSelection selection;

    @Override
    CommandResult execute() {
        return onStoredRun(selection, true, (engine, plan, runId) -> engine.resume(plan, runId, listener()));
    }
}
