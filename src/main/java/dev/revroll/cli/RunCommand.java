package dev.revroll.cli;

import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.RunOutcome;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.errors.UsageException;
import dev.revroll.git.Cloning;
import dev.revroll.plan.Plan;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Optional;

/** {@code revroll run PLAN}: preflight, then every namespace step with its gates; {@code --dry-run} is {@code preview}. */
@Prototype
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Preflight, then move every namespace of the plan to the target revision, step by step, with gates and rollback. "
                + "An unfinished run of the same plan (name and content) is continued instead; a changed plan is refused while one is open.")
public class RunCommand extends RunStreamCommand {

    @Mixin
    PlanArgument plan;

    @Option(names = "--dry-run", description = "Show what would happen (same as 'revroll preview'); writes nothing.")
    boolean dryRun;

    @Option(names = "--git-clone", paramLabel = "URL",
            description = "When the plan's git.repo directory is missing or empty, clone URL there first (a run in a fresh container: see 'revroll manifests').")
    String gitClone;

    @Option(names = "--git-branch", paramLabel = "BRANCH", description = "The branch --git-clone checks out (default: the remote's default branch).")
    String gitBranch;

    @Override
    CommandResult execute() {
        Plan loaded = plan.load();
        if (gitClone != null) {
            Plan.GitConfig git = loaded.spec().git().orElseThrow(() ->
                    new UsageException("--git-clone was given but the plan " + plan.file() + " has no spec.git"));
            Cloning.cloneIfMissing(git, gitClone, Optional.ofNullable(gitBranch));
        } else if (gitBranch != null) {
            throw new UsageException("--git-branch only goes with --git-clone");
        }
        if (dryRun) {
            return PreviewCommand.preview(spec, global, loaded);
        }
        String hash = plan.hash();
        try (EngineWiring wiring = new EngineWiring(global)) {
            RolloutEngine engine = wiring.engine(loaded);
            // the next start of the same plan continues its paused or interrupted run; a changed plan is refused
            // while that run is open (docs/maintenance-windows.md#the-next-start-continues-the-run)
            Optional<RunRecord> open = engine.runToContinue(loaded, hash);
            if (open.isPresent()) {
                RunRecord r = open.get();
                if (global.output() != OutputFormat.JSON) {
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("revroll: plan " + loaded.name() + " has an unfinished run " + r.runId() + " (" + r.state()
                            + (r.message() == null ? "" : ": " + r.message().lines().findFirst().orElse("")) + "); continuing it (same plan name and content)");
                    err.flush();
                }
                reports.run(r.runId());
                return finish(reporting(wiring, loaded.spec().controlPlane().namespace(),
                        () -> engine.continueRun(loaded, r.runId(), listener())));
            }
            RunOutcome outcome = reporting(wiring, loaded.spec().controlPlane().namespace(),
                    () -> engine.run(loaded, hash, listener()));
            return finish(outcome);
        }
    }
}
