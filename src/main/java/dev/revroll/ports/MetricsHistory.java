package dev.revroll.ports;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A metrics backend's history (Prometheus' range queries): the value of one query at every {@code step} from
 * {@code start} to {@code end}, both included, as an instant query at each of those times would give it
 * (docs/backtest.md). Used by {@code preview --backtest} only; a run never asks for history.
 */
public interface MetricsHistory {

    /** Prometheus refuses a range query whose series would have more points than this. */
    int MAX_POINTS_PER_SERIES = 11_000;

    /** One series: its labels and its points, times (epoch milliseconds) ascending; a time without a point is left out. */
    record Series(Map<String, String> labels, long[] times, double[] values) {
    }

    /** {@code error} present: the query failed; otherwise {@code series} may be empty (no data in the whole range). */
    record RangeResult(List<Series> series, Optional<String> error) {
        public static RangeResult failed(String error) {
            return new RangeResult(List.of(), Optional.of(error));
        }
    }

    /**
     * The query at {@code start}, {@code start + step}, ... up to {@code end}; at most {@link #MAX_POINTS_PER_SERIES}
     * points (the caller chunks longer ranges) and at most {@code maxSeries} series (more is a failed result that
     * says so, never a partial one).
     */
    RangeResult queryRange(String promql, Instant start, Instant end, Duration step, int maxSeries);
}
