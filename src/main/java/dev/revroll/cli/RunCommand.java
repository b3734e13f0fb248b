package dev.revroll.cli;

import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.RunOutcome;
import dev.revroll.plan.Plan;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code revroll run PLAN}: preflight, then every namespace step with its gates; {@code --dry-run} is {@code preview}. */
@Prototype
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Preflight, then move every namespace of the plan to the target revision, step by step, with gates and rollback.")
public class RunCommand extends RunStreamCommand {

    @Mixin
    PlanArgument plan;

    @Option(names = "--dry-run", description = "Show what would happen (same as 'revroll preview'); writes nothing.")
    boolean dryRun;

    @Override
    CommandResult execute() {
        Plan loaded = plan.load();
        if (dryRun) {
            return PreviewCommand.preview(spec, global, loaded);
        }
        try (EngineWiring wiring = new EngineWiring(global)) {
            RolloutEngine engine = wiring.engine(loaded);
            RunOutcome outcome = reporting(wiring, loaded.spec().controlPlane().namespace(),
                    () -> engine.run(loaded, plan.hash(), listener()));
            return finish(outcome);
        }
    }
}
