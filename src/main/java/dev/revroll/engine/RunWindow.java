package dev.revroll.engine;

import dev.revroll.plan.MaintenanceWindow;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When steps may start (the plan's maintenance window and its freezes; always open without one). The runner asks it
 * once per step, through {@link WindowGate}; preview asks it for the openings a plan will need.
 */
public interface RunWindow {

    /**
     * The window at an instant. Open: {@code closesAt} empty means it does not close. Closed: {@code why} says so
     * (closed, or which freeze) and {@code opensAt} when it opens next (empty: never).
     */
    record Status(boolean open, Optional<Instant> closesAt, Optional<Instant> opensAt, String why) {

        public static Status openUntil(Optional<Instant> closesAt) {
            return new Status(true, closesAt, Optional.empty(), "");
        }

        public static Status closed(String why, Optional<Instant> opensAt) {
            return new Status(false, Optional.empty(), opensAt, why);
        }
    }

    /** An opening of the window: from {@code start} to {@code end} (empty: it does not close). */
    record Opening(Instant start, Optional<Instant> end) {
    }

    RunWindow ALWAYS = new RunWindow() {
        @Override
        public Status status(Instant at) {
            return Status.openUntil(Optional.empty());
        }

        @Override
        public List<Opening> openings(Instant from, int max) {
            return List.of(new Opening(from, Optional.empty()));
        }

        @Override
        public String describe() {
            return "no maintenance window";
        }
    };

    Status status(Instant at);

    /** The next {@code max} openings from {@code from} on (the first is the one open now, if it is). */
    List<Opening> openings(Instant from, int max);

    /** The window as the plan says it, for messages. */
    String describe();

    default boolean isOpen(Instant at) {
        return status(at).open();
    }

    /** For messages: why it is closed and when it opens next, or until when it is open. */
    default String describe(Instant at) {
        Status s = status(at);
        if (s.open()) {
            return describe() + s.closesAt().map(c -> ", open until " + c).orElse("");
        }
        return s.why() + "; window " + describe() + ", next opening " + s.opensAt().map(Instant::toString).orElse("never");
    }

    /** The plan's window. */
    static RunWindow of(MaintenanceWindow window) {
        return new RunWindow() {
            @Override
            public Status status(Instant at) {
                Optional<MaintenanceWindow.Frozen> frozen = window.frozenAt(at);
                if (frozen.isPresent()) {
                    return Status.closed(MaintenanceWindow.describe(frozen.get().freeze()) + " is in force until " + frozen.get().until(),
                            window.nextOpening(at));
                }
                Optional<Instant> closes = window.closesAt(at);
                if (closes.isPresent()) {
                    return Status.openUntil(closes);
                }
                return Status.closed("maintenance window closed", window.nextOpening(at));
            }

            @Override
            public List<Opening> openings(Instant from, int max) {
                return window.openings(from, max).stream().map(o -> new Opening(o.start(), Optional.of(o.end()))).toList();
            }

            @Override
            public String describe() {
                return window.toString();
            }
        };
    }
}
