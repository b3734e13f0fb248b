package dev.revroll.cli;

import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.RunOutcome;
import dev.revroll.plan.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code revroll run PLAN}: preflight, then every namespace step with its gates; {@code --dry-run} is {@code preview}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Preflight, then move every namespace of the plan to the target revision, step by step, with gates and rollback.")
public class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Parameters(paramLabel = "PLAN", description = "The plan file (YAML).")
    Path planFile;

    @Option(names = "--dry-run", description = "Show what would happen (same as 'revroll preview'); writes nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        Plan plan = EngineWiring.load(planFile);
        if (dryRun) {
            return PreviewCommand.preview(spec, global, plan);
        }
        try (EngineWiring wiring = new EngineWiring(global)) {
            RolloutEngine engine = wiring.engine(plan);
            RunOutcome outcome = engine.run(plan, EngineWiring.hash(planFile), Outcomes.listener(spec, global));
            return Outcomes.finish(spec, global, outcome);
        }
    }
}
