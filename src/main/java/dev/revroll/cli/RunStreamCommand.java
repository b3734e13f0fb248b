package dev.revroll.cli;

import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.RunListener;
import dev.revroll.engine.RunOutcome;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.plan.Plan;
import picocli.CommandLine.Mixin;

import java.util.function.Supplier;

/**
 * A command that drives a run and streams its events (run, resume, rollback): it can end with any outcome of a run,
 * prints JSON event lines in a pipeline, and ends through {@link Outcomes#finish}.
 */
abstract class RunStreamCommand extends RevrollCommand {

    RunStreamCommand() {
        super(ExitCode.DONE, ExitCode.ROLLED_BACK, ExitCode.INVALID, ExitCode.PREFLIGHT_REFUSED, ExitCode.ROLLBACK_INCOMPLETE,
                ExitCode.PAUSED, ExitCode.LOCKED, ExitCode.UNAVAILABLE, ExitCode.INTERNAL_ERROR);
    }

    @Mixin
    ReportOptions reports;

    @Override
    void prepare() {
        reports.check();
    }

    @Override
    final boolean printsJson() {
        return Outcomes.jsonEvents(global);
    }

    /** The summary and the result of a run that ended. */
    final CommandResult finish(RunOutcome outcome) {
        reports.write(outcome.record(), err());
        return Outcomes.finish(spec, global, outcome);
    }

    /** Where the run's events go: JSON lines, a live view, or text lines. */
    final RunListener listener() {
        return reports.watching(Outcomes.listener(spec, global));
    }

    /**
     * Runs {@code run}; when it throws (a lock refusal, the cluster gone, a bug), the reports are still written from
     * the run's journal, if the run has one, before the failure is reported.
     */
    final RunOutcome reporting(EngineWiring wiring, String controlPlaneNamespace, Supplier<RunOutcome> run) {
        try {
            return run.get();
        } catch (RuntimeException | Error e) {
            reports.writeAfterFailure(wiring, controlPlaneNamespace, err());
            throw e;
        }
    }

    /** What resume and rollback do with a stored run: its plan, its id, and an engine for that plan. */
    @FunctionalInterface
    interface StoredRun {
        RunOutcome go(RolloutEngine engine, Plan plan, String runId);
    }

    /** Picks the stored run ({@code RUN} or the latest) and its unchanged plan, runs {@code go} and ends as the run ended. */
    final CommandResult onStoredRun(RunSelection selection, boolean withGit, StoredRun go) {
        return onStoredRun(selection, withGit, false, go);
    }

    /** {@code changedIfNothingStarted}: rollback of a run that started no step takes the plan file as it is now. */
    final CommandResult onStoredRun(RunSelection selection, boolean withGit, boolean changedIfNothingStarted, StoredRun go) {
        try (EngineWiring wiring = new EngineWiring(global)) {
            selection.givenPlan().ifPresent(wiring::checkContext); // before the journal is read
            RunRecord record = selection.record(wiring);
            reports.run(record.runId());
            return finish(reporting(wiring, selection.controlPlaneNamespace, () -> {
                Plan plan = selection.plan(record, changedIfNothingStarted);
                return go.go(wiring.engine(plan, withGit), plan, record.runId());
            }));
        }
    }
}
