package dev.revroll.cli;

import dev.revroll.engine.Preview;
import dev.revroll.output.PreviewReport;
import dev.revroll.plan.Plan;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;

/** {@code revroll preview PLAN}: resolve the plan against the live cluster and show what a run would do; writes nothing. */
@Prototype
@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Show what 'run' would do against the live cluster (every write checked with server-side dry run); writes nothing. "
                + "Exits 3 when a run would be refused.")
public class PreviewCommand extends RevrollCommand {

    public PreviewCommand() {
        super(ExitCode.DONE, ExitCode.INVALID, ExitCode.PREFLIGHT_REFUSED, ExitCode.UNAVAILABLE, ExitCode.INTERNAL_ERROR);
    }

    @Mixin
    PlanArgument plan;

    @Override
    CommandResult execute() {
        return preview(spec, global, plan.load());
    }

    static CommandResult preview(CommandSpec spec, GlobalOptions global, Plan plan) {
        try (EngineWiring wiring = new EngineWiring(global)) {
            Preview preview = wiring.engine(plan).preview(plan);
            PrintWriter out = spec.commandLine().getOut();
            switch (global.output()) {
                case JSON -> PreviewReport.json(preview, out);
                case MARKDOWN -> PreviewReport.markdown(preview, out);
                case TEXT -> PreviewReport.text(preview, out);
            }
            return preview.survey().refusals().isEmpty() ? CommandResult.DONE : CommandResult.REFUSED;
        }
    }
}
