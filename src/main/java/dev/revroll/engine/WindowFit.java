package dev.revroll.engine;

import dev.revroll.errors.PlanException;
import dev.revroll.plan.DurationText;
import dev.revroll.plan.MaintenanceWindow;
import dev.revroll.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code validate}'s window check (docs/maintenance-windows.md#validate): a plan whose step estimate is longer than the
 * window is ever open in one piece can never start a step. Only the plan's numbers are used (no cluster): the estimate
 * of a step of one replica, nothing measured yet, which is exactly what a run gives its first such step.
 */
public final class WindowFit {

    /** Openings looked at for the longest one (a cron's openings repeat within a few years at most). */
    private static final int OPENINGS = 400;

    private WindowFit() {
    }

    /** The problem, at the window's duration in the file, when no step could ever fit; empty when one can. */
    public static Optional<PlanException.PlanProblem> neverFits(Plan plan, Instant now) {
        if (plan.spec().window().isEmpty()) {
            return Optional.empty();
        }
        Plan.Window w = plan.spec().window().get();
        MaintenanceWindow window = MaintenanceWindow.of(w);
        StepEstimator.Estimate estimate = new StepEstimator(plan).estimate(1);
        Duration longest = window.longestOpening(now, OPENINGS);
        if (estimate.total().compareTo(longest) <= 0) {
            return Optional.empty();
        }
        Plan.SourcePosition at = w.durationAt().orElse(new Plan.SourcePosition(String.valueOf(plan.source()), 0, 0, "spec.window.duration"));
        String message = "the plan's estimate of one step (" + estimate.explain() + ") is longer than the window is ever open ("
                + DurationText.format(longest) + "), so no step could ever start; make the window longer, or the gates shorter "
                + "(samples × interval, bake) or restart.timeout (this check uses only the plan's numbers: a step of one replica; "
                + "a run refines the estimate with the cluster's replicas and the steps it has measured)";
        return Optional.of(new PlanException.PlanProblem(at.file(), at.line(), at.column(), at.field(), message));
    }

    /** Throws the {@link PlanException} of {@link #neverFits}. */
    public static void check(Plan plan, Instant now) {
        neverFits(plan, now).ifPresent(p -> {
            throw new PlanException(List.of(p));
        });
    }
}
