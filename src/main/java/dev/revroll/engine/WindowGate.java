package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord.WindowHold;
import dev.revroll.plan.DurationText;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one decision taken at a step's start (docs/architecture.md#the-loop, docs/maintenance-windows.md): the step
 * starts only when the window is open and its estimate fits in what is left of it; otherwise it is held, and the run
 * pauses where it stands. A step that had already begun (its process was stopped midway) is always finished: a
 * namespace is never left half-moved for the window's sake. Pure: the window, the time and the estimate decide.
 */
public final class WindowGate {

    /** How many later openings are looked through for one the step fits in. */
    private static final int LOOK_AHEAD = 200;

    private WindowGate() {
    }

    public sealed interface Decision permits Start, Hold {
    }

    /** Go: the window the step starts in closes at {@code closesAt} (empty: it does not). */
    public record Start(Optional<Instant> closesAt) implements Decision {
    }

    /** Do not start: why, for people, and where the run stands, for the journal. */
    public record Hold(String message, WindowHold hold) implements Decision {
    }

    public static Decision decide(String stepId, boolean begun, Instant now, RunWindow window, StepEstimator.Estimate estimate) {
        RunWindow.Status status = window.status(now);
        if (begun) {
            return new Start(status.closesAt());
        }
        if (!status.open()) {
            Optional<Instant> next = fitting(window, now, estimate.total());
            String message = "step " + stepId + " not started: " + status.why() + "; " + nextText(next, estimate);
            return new Hold(message, new WindowHold(stepId, now.toString(), estimate.total().toSeconds(), estimate.explain(), null, null,
                    next.map(Instant::toString).orElse(null), status.why()));
        }
        if (status.closesAt().isEmpty()) {
            return new Start(Optional.empty());
        }
        Instant closes = status.closesAt().get();
        Duration left = Duration.between(now, closes);
        if (estimate.total().compareTo(left) <= 0) {
            return new Start(status.closesAt());
        }
        Optional<Instant> next = fitting(window, closes, estimate.total());
        String why = "its estimate (" + estimate.explain() + ") does not fit in what is left of the maintenance window ("
                + DurationText.format(roundedDown(left)) + ", it closes at " + closes + ")";
        return new Hold("step " + stepId + " not started: " + why + "; " + nextText(next, estimate),
                new WindowHold(stepId, now.toString(), estimate.total().toSeconds(), estimate.explain(), left.toSeconds(), closes.toString(),
                        next.map(Instant::toString).orElse(null), "does not fit"));
    }

    /** The start of the first opening from {@code from} on that is long enough for {@code needed}. */
    static Optional<Instant> fitting(RunWindow window, Instant from, Duration needed) {
        for (RunWindow.Opening o : window.openings(from, LOOK_AHEAD)) {
            if (o.end().isEmpty() || Duration.between(o.start(), o.end().get()).compareTo(needed) >= 0) {
                return Optional.of(o.start());
            }
        }
        return Optional.empty();
    }

    private static String nextText(Optional<Instant> next, StepEstimator.Estimate estimate) {
        return next.map(n -> "the next opening it fits in starts at " + n)
                .orElse("no opening in sight is long enough for it (" + DurationText.format(estimate.total()) + ")");
    }

    private static Duration roundedDown(Duration d) {
        return Duration.ofSeconds(Math.max(0, d.toSeconds()));
    }
}
