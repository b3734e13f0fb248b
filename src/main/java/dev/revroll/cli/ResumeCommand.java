package dev.revroll.cli;

import dev.revroll.engine.RunOutcome;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.plan.Plan;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

/** {@code revroll resume [RUN]}: continue an interrupted or paused run; started actions are re-checked, not re-done. */
@Prototype
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue an interrupted or paused run from its journal; a started step is re-checked, never restarted twice.")
public class ResumeCommand extends RevrollCommand {

    @Mixin
    RunSelection selection;

    @Override
    List<ExitCode> exitCodes() {
        return Outcomes.RUN_CODES;
    }

    @Override
    boolean printsJson() {
        return Outcomes.jsonEvents(global);
    }

    @Override
    CommandResult execute() {
        try (EngineWiring wiring = new EngineWiring(global)) {
            RunRecord record = selection.record(wiring);
            Plan plan = selection.plan(record);
            RunOutcome outcome = wiring.engine(plan).resume(plan, record.runId(), Outcomes.listener(spec, global));
            return Outcomes.finish(spec, global, outcome);
        }
    }
}
