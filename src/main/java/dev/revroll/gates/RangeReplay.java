package dev.revroll.gates;

import dev.revroll.ports.MetricsHistory;
import dev.revroll.ports.MetricsHistory.RangeResult;
import dev.revroll.ports.MetricsHistory.Series;
import dev.revroll.ports.MetricsProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link MetricsProvider} that answers instant queries from history (docs/backtest.md): the gate runner asks
 * {@code query(promql, at)} as in a run, and the answer is the point at {@code at} of a range query of the same
 * PromQL, stepped on this replay's grid ({@code origin + k × step}). Range data is fetched lazily, per query text, in
 * chunks of {@link #CHUNK_POINTS} points (under Prometheus' 11,000 points per series), and forgotten once the
 * simulation has moved past it ({@link #forgetBefore}), so what is held is bounded by the chunks a simulated step
 * touches, whatever the length of the history. A chunk whose range query failed answers every time in it as a
 * failed query (INCONCLUSIVE, as a run would see it).
 *
 * <p>Not thread-safe: one replay per gate and namespace, used by one simulation.
 */
final class RangeReplay implements MetricsProvider {

    /** Points per range query: under {@link MetricsHistory#MAX_POINTS_PER_SERIES}, with room. */
    static final int CHUNK_POINTS = 10_000;
    /** Series a backtest keeps per query (more is a failed chunk that says so). */
    static final int MAX_SERIES = 100;
    /** A point the range query did not have (distinct from a NaN value Prometheus answered). */
    private static final long ABSENT_BITS = 0x7ff8_dead_beef_0001L;
    private static final double ABSENT = Double.longBitsToDouble(ABSENT_BITS);

    private final MetricsHistory history;
    private final long origin;
    private final long step;
    private final long lastIndex;
    private final int chunkPoints;
    private final Map<String, QueryWindow> queries = new HashMap<>();
    private long forgotten;
    private int rangeQueries;

    /** Points {@code origin}, {@code origin + step}, ... up to {@code last} (included). */
    RangeReplay(MetricsHistory history, Instant origin, Duration step, Instant last, int chunkPoints) {
        this.history = history;
        this.origin = origin.toEpochMilli();
        this.step = step.toMillis();
        if (this.step <= 0) {
            throw new IllegalArgumentException("a replay needs a positive step, got " + step);
        }
        this.lastIndex = (last.toEpochMilli() - this.origin) / this.step;
        this.chunkPoints = Math.min(chunkPoints, MetricsHistory.MAX_POINTS_PER_SERIES);
    }

    RangeReplay(MetricsHistory history, Instant origin, Duration step, Instant last) {
        this(history, origin, step, last, CHUNK_POINTS);
    }

    @Override
    public QueryResult query(String promql, Instant at) {
        long offset = at.toEpochMilli() - origin;
        if (offset < 0 || offset % step != 0) {
            throw new IllegalStateException("backtest: " + at + " is not on the replay's grid (" + Instant.ofEpochMilli(origin) + " + k × " + step + "ms)");
        }
        long index = offset / step;
        if (index > lastIndex) {
            return QueryResult.failed("backtest: " + at + " is after the end of the history (" + Instant.ofEpochMilli(origin + lastIndex * step) + ")");
        }
        if (index < forgotten) {
            throw new IllegalStateException("backtest: " + at + " was already forgotten (the simulation goes forward only)");
        }
        return queries.computeIfAbsent(promql, QueryWindow::new).at(index);
    }

    /** The simulation will not ask for a time before point {@code index} again: chunks wholly before it are dropped. */
    void forgetBefore(long index) {
        forgotten = Math.max(forgotten, index);
        for (QueryWindow w : queries.values()) {
            w.forget();
        }
    }

    long indexOf(Instant at) {
        return (at.toEpochMilli() - origin) / step;
    }

    /** Range queries sent so far (for tests and the benchmark). */
    int rangeQueries() {
        return rangeQueries;
    }

    /** Points held right now, over every query and series (for tests and the benchmark: the bound). */
    long pointsHeld() {
        long n = 0;
        for (QueryWindow w : queries.values()) {
            for (Chunk c : w.chunks) {
                n += (long) c.values.length * c.count;
            }
        }
        return n;
    }

    @Override
    public boolean reachable() {
        return true;
    }

    @Override
    public String describe() {
        return "history replay";
    }

    /** The loaded chunks of one query text, oldest first. */
    private final class QueryWindow {
        private final String promql;
        private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();

        QueryWindow(String promql) {
            this.promql = promql;
        }

        QueryResult at(long index) {
            for (Chunk c : chunks) {
                if (index >= c.first && index < c.first + c.count) {
                    return c.at(index);
                }
            }
            Chunk c = load(index / chunkPoints * chunkPoints);
            chunks.addLast(c);
            return c.at(index);
        }

        void forget() {
            Iterator<Chunk> it = chunks.iterator();
            while (it.hasNext()) {
                Chunk c = it.next();
                if (c.first + c.count <= forgotten) {
                    it.remove();
                }
            }
        }

        private Chunk load(long first) {
            int count = (int) Math.min(chunkPoints, lastIndex - first + 1);
            Instant start = Instant.ofEpochMilli(origin + first * step);
            Instant end = Instant.ofEpochMilli(origin + (first + count - 1) * step);
            rangeQueries++;
            RangeResult r = history.queryRange(promql, start, end, Duration.ofMillis(step), MAX_SERIES);
            if (r.error().isPresent()) {
                return new Chunk(first, count, List.of(), new double[0][], r.error());
            }
            List<Map<String, String>> labels = new ArrayList<>(r.series().size());
            double[][] values = new double[r.series().size()][];
            for (int s = 0; s < r.series().size(); s++) {
                Series series = r.series().get(s);
                labels.add(series.labels());
                double[] v = new double[count];
                java.util.Arrays.fill(v, ABSENT);
                for (int i = 0; i < series.times().length; i++) {
                    long offset = series.times()[i] - origin;
                    long at = Math.floorDiv(offset + step / 2, step); // a point off the grid (never from Prometheus) goes to the nearest
                    if (at >= first && at < first + count) {
                        v[(int) (at - first)] = series.values()[i];
                    }
                }
                values[s] = v;
            }
            return new Chunk(first, count, labels, values, Optional.empty());
        }
    }

    private record Chunk(long first, int count, List<Map<String, String>> labels, double[][] values, Optional<String> error) {
        QueryResult at(long index) {
            if (error.isPresent()) {
                return QueryResult.failed("range query failed: " + error.get());
            }
            int i = (int) (index - first);
            List<Sample> samples = new ArrayList<>(2);
            for (int s = 0; s < values.length; s++) {
                double v = values[s][i];
                if (Double.doubleToRawLongBits(v) != ABSENT_BITS) {
                    samples.add(new Sample(labels.get(s), v));
                }
            }
            return new QueryResult(samples, Optional.empty());
        }
    }
}
