package dev.revroll.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Maintenance windows for engine tests, relative to the real clock the fake engine runs on. */
final class Windows {

    private Windows() {
    }

    /** Closed now; opens at {@code opens} for an hour. */
    static RunWindow closedUntil(Instant opens) {
        return new RunWindow() {
            @Override
            public Status status(Instant at) {
                return at.isBefore(opens) ? Status.closed("maintenance window closed", Optional.of(opens))
                        : Status.openUntil(Optional.of(opens.plusSeconds(3600)));
            }

            @Override
            public List<Opening> openings(Instant from, int max) {
                return List.of(new Opening(opens, Optional.of(opens.plusSeconds(3600))));
            }

            @Override
            public String describe() {
                return "test window";
            }
        };
    }

    /** Open until {@code closes}; the next opening (an hour long) a day later. */
    static RunWindow openUntil(Instant closes) {
        return new RunWindow() {
            @Override
            public Status status(Instant at) {
                return at.isBefore(closes) ? Status.openUntil(Optional.of(closes))
                        : Status.closed("maintenance window closed", Optional.of(closes.plus(Duration.ofDays(1))));
            }

            @Override
            public List<Opening> openings(Instant from, int max) {
                Instant next = closes.plus(Duration.ofDays(1));
                return from.isBefore(closes) ? List.of(new Opening(from, Optional.of(closes)), new Opening(next, Optional.of(next.plusSeconds(3600))))
                        : List.of(new Opening(next, Optional.of(next.plusSeconds(3600))));
            }

            @Override
            public String describe() {
                return "test window";
            }
        };
    }
}
