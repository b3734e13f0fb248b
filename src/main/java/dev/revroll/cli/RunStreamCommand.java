package dev.revroll.cli;

import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.RunListener;
import dev.revroll.engine.RunOutcome;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.plan.Plan;

/**
 * A command that drives a run and streams its events (run, resume, rollback): it can end with any outcome of a run,
 * prints JSON event lines in a pipeline, and ends through {@link Outcomes#finish}.
 */
abstract class RunStreamCommand extends RevrollCommand {

    RunStreamCommand() {
        super(ExitCode.DONE, ExitCode.ROLLED_BACK, ExitCode.INVALID, ExitCode.PREFLIGHT_REFUSED, ExitCode.ROLLBACK_INCOMPLETE,
                ExitCode.PAUSED, ExitCode.LOCKED, ExitCode.UNAVAILABLE, ExitCode.INTERNAL_ERROR);
    }

    @Override
    final boolean printsJson() {
        return Outcomes.jsonEvents(global);
    }

    /** The summary and the result of a run that ended. */
    final CommandResult finish(RunOutcome outcome) {
        return Outcomes.finish(spec, global, outcome);
    }

    /** Where the run's events go: JSON lines, a live view, or text lines. */
    final RunListener listener() {
        return Outcomes.listener(spec, global);
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
            Plan plan = selection.plan(record, changedIfNothingStarted);
            return finish(go.go(wiring.engine(plan, withGit), plan, record.runId()));
        }
    }
}
