package dev.revroll.cli;

import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.errors.UsageException;
import dev.revroll.plan.Plan;
import dev.revroll.plan.PlanLoader;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Picks a run from the journal in the cluster ({@code RUN} or the latest) and the plan it ran (status, resume, rollback). */
public class RunSelection {

    @Parameters(paramLabel = "RUN", arity = "0..1", description = "The run id (default: the latest run).")
    String runId;

    @Option(names = "--control-plane-namespace", paramLabel = "NS", defaultValue = "istio-system",
            description = "Where the run journals are kept (default: ${DEFAULT-VALUE}).")
    String controlPlaneNamespace;

    @Option(names = "--plan", paramLabel = "PLAN", description = "The plan file (default: the path recorded in the run's journal).")
    Path planFile;

    RunRecord record(EngineWiring wiring) {
        return RolloutEngine.status(wiring.journal(controlPlaneNamespace), Optional.ofNullable(runId)).orElseThrow(() ->
                new UsageException(runId == null ? "no run in the journal (namespace " + controlPlaneNamespace + ")"
                        : "no run '" + runId + "' in the journal (namespace " + controlPlaneNamespace + ")"));
    }

    /** The plan given with {@code --plan}, loaded (its context is checked before the journal is read). */
    java.util.Optional<Plan> givenPlan() {
        return planFile == null || !Files.exists(planFile) ? java.util.Optional.empty() : java.util.Optional.of(PlanLoader.load(planFile));
    }

    /** The plan of the run; refused when the file changed since the run started. */
    Plan plan(RunRecord record) {
        return plan(record, false);
    }

    /**
     * As {@link #plan(RunRecord)}; with {@code changedIfNothingStarted}, a changed file is taken for a run that started
     * no step (rolling that back touches nothing, so it may close a run a changed plan is refused behind).
     */
    Plan plan(RunRecord record, boolean changedIfNothingStarted) {
        if (changedIfNothingStarted && record.steps().stream().noneMatch(RunRecord.StepRecord::started)) {
            Path file = planFile != null ? planFile : record.planPath() == null ? null : Path.of(record.planPath());
            if (file != null && Files.exists(file)) {
                return PlanLoader.load(file);
            }
        }
        Path file = planFile != null ? planFile : record.planPath() == null ? null : Path.of(record.planPath());
        if (file == null || !Files.exists(file)) {
            throw new UsageException("the plan of run " + record.runId() + " is not at " + file + "; pass it with --plan");
        }
        if (record.planHash() != null && !record.planHash().equals(PlanArgument.hash(file))) {
            throw new UsageException("plan " + file + " changed since run " + record.runId()
                    + " started; restore it, or start a new run");
        }
        return PlanLoader.load(file);
    }
}
