package dev.revroll.cli;

import dev.revroll.engine.RunOutcome;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.plan.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code revroll resume [RUN]}: continue an interrupted or paused run; started actions are re-checked, not re-done. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue an interrupted or paused run from its journal; a started step is re-checked, never restarted twice.")
public class ResumeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    RunSelection selection;

    @Override
    public Integer call() {
        try (EngineWiring wiring = new EngineWiring(global)) {
            RunRecord record = selection.record(wiring);
            Plan plan = selection.plan(record);
            RunOutcome outcome = wiring.engine(plan).resume(plan, record.runId, Outcomes.listener(spec, global));
            return Outcomes.finish(spec, global, outcome);
        }
    }
}
