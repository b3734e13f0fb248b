package dev.revroll.gates;

import java.time.Duration;

/** A {@link Duration} written as a PromQL range/duration literal ({@code 30s}, {@code 2m}, {@code 1h}, {@code 1500ms}). */
final class PromDuration {

    private PromDuration() {
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms <= 0) {
            throw new IllegalArgumentException("a PromQL duration must be positive, got " + d);
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
