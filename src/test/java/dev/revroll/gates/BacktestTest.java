package dev.revroll.gates;

import dev.revroll.plan.Condition;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsHistory;
import dev.revroll.ports.MetricsProvider;
import dev.revroll.ports.MetricsProvider.QueryResult;
import dev.revroll.ports.MetricsProvider.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backtest replays the gate runner over range data: the counts it gives are exactly what the runner gives when
 * asked instant queries of the same history, the range queries are chunked under Prometheus' limit and forgotten
 * behind the simulation, the window filter and the verdicts say what they should.
 */
class BacktestTest {

    static final Instant FROM = Instant.parse("2026-11-23T00:00:00Z");
    static final Map<String, String> VARS = Map.of("namespace", "shop", "revision", "1-28-0", "plan", "p", "wave", "w",
            "fromRevision", "1-27-0", "workload", "web");
    static final String QUERY = "errors{ns=\"{{namespace}}\"}";
    static final String VOLUME = "requests{ns=\"{{namespace}}\"}";
    static final String BASELINE = "errors{ns=\"{{namespace}}\"} offset 1h";

    /** History as a function of (resolved query, time): the samples an instant query would answer then. */
    static final class FunctionHistory implements MetricsHistory, MetricsProvider {
        final BiFunction<String, Instant, List<Sample>> answer;
        final List<long[]> ranges = new ArrayList<>();
        final List<Instant> failFrom = new ArrayList<>();

        FunctionHistory(BiFunction<String, Instant, List<Sample>> answer) {
            this.answer = answer;
        }

        @Override
        public RangeResult queryRange(String promql, Instant start, Instant end, Duration step, int maxSeries) {
            long points = (end.toEpochMilli() - start.toEpochMilli()) / step.toMillis() + 1;
            assertTrue(points <= MAX_POINTS_PER_SERIES, "a range query of " + points + " points");
            ranges.add(new long[]{start.toEpochMilli(), end.toEpochMilli(), step.toMillis()});
            if (failFrom.stream().anyMatch(f -> !f.isAfter(end) && !f.isBefore(start))) {
                return RangeResult.failed("execution: query timed out (HTTP 503)");
            }
            Map<Map<String, String>, List<double[]>> bySeries = new LinkedHashMap<>();
            for (long t = start.toEpochMilli(); t <= end.toEpochMilli(); t += step.toMillis()) {
                for (Sample s : answer.apply(promql, Instant.ofEpochMilli(t))) {
                    bySeries.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(new double[]{t, s.value()});
                }
            }
            if (bySeries.size() > maxSeries) {
                return RangeResult.failed("too many series");
            }
            List<Series> series = new ArrayList<>();
            bySeries.forEach((labels, points2) -> series.add(new Series(labels, points2.stream().mapToLong(p -> (long) p[0]).toArray(),
                    points2.stream().mapToDouble(p -> p[1]).toArray())));
            return new RangeResult(series, Optional.empty());
        }

        @Override
        public QueryResult query(String promql, Instant at) {
            return new QueryResult(answer.apply(promql, at), Optional.empty());
        }

        @Override
        public boolean reachable() {
            return true;
        }

        @Override
        public String describe() {
            return "function";
        }
    }

    static Plan.MetricGateSpec gate(double threshold, int samples, int failureLimit, OnNoData onNoData) {
        return new Plan.MetricGateSpec("error-rate", QUERY, new Condition(Condition.Operator.GT, threshold), Duration.ofMinutes(1), samples,
                failureLimit, onNoData, Optional.empty(), Optional.empty(), Optional.empty());
    }

    static int hour(Instant t) {
        return t.atZone(ZoneOffset.UTC).getHour();
    }

    static List<Sample> one(double v) {
        return List.of(new Sample(Map.of(), v));
    }

    static Backtest.Span day(int days) {
        return new Backtest.Span(FROM, FROM.plus(Duration.ofDays(days)), Backtest.Starts.ANY);
    }

    // ------------------------------------------------------------ the same answers as the runner over instant queries

    /** The reference: the runner itself, asked instant queries of the same history at the same starts. */
    static int[] reference(FunctionHistory h, Plan.MetricGateSpec spec, Duration bake, Backtest.Span span) {
        int[] counts = new int[4];
        Backtest.SimulatedClock clock = new Backtest.SimulatedClock();
        MetricGateRunner runner = new MetricGateRunner(h, clock);
        long step = spec.interval().toMillis();
        int planned = MetricGateRunner.plannedEvaluations(spec, bake);
        int most = spec.onNoData() == OnNoData.WAIT ? 2 * planned : planned;
        for (long t = Backtest.origin(spec, span).toEpochMilli(); t + most * step <= Backtest.last(spec, span).toEpochMilli(); t += planned * step) {
            if (!span.starts().test(Instant.ofEpochMilli(t), Backtest.stepLength(spec, bake))) {
                continue;
            }
            clock.set(Instant.ofEpochMilli(t));
            counts[runner.run(spec, VARS, bake, e -> { }).outcome().ordinal()]++;
        }
        return counts;
    }

    static int[] counts(Backtest.NamespaceResult r) {
        int[] c = new int[4];
        c[GateOutcome.PASS.ordinal()] = r.passed();
        c[GateOutcome.FAIL.ordinal()] = r.failed();
        c[GateOutcome.INCONCLUSIVE.ordinal()] = r.inconclusive();
        c[GateOutcome.NO_DATA.ordinal()] = r.noData();
        return c;
    }

    /** A noisy history with errors, gaps, low volume, several series at times: every rule of the runner gets used. */
    static FunctionHistory noisy() {
        return new FunctionHistory((q, t) -> {
            long m = t.toEpochMilli() / 60_000;
            if (q.startsWith("requests")) {
                return m % 13 == 0 ? one(5) : one(500);
            }
            if (m % 17 == 0) {
                return List.of();
            }
            if (m % 29 == 0) {
                return one(Double.NaN);
            }
            if (m % 101 == 0) {
                return List.of(new Sample(Map.of("pod", "a"), 0.01), new Sample(Map.of("pod", "b"), 0.2));
            }
            double v = q.contains("offset") ? 0.02 : (m % 11 < 2 ? 0.09 : 0.01 + (m % 5) * 0.005);
            return one(v);
        });
    }

    @Test
    void countsAreTheRunnersOwnOverInstantQueriesOfTheSameHistory() {
        FunctionHistory h = noisy();
        List<Plan.MetricGateSpec> specs = List.of(
                gate(0.05, 4, 1, OnNoData.FAIL),
                gate(0.05, 3, 0, OnNoData.WAIT),
                gate(0.05, 5, 2, OnNoData.PASS),
                new Plan.MetricGateSpec("volume", QUERY, new Condition(Condition.Operator.GT, 0.05), Duration.ofMinutes(1), 4, 1, OnNoData.FAIL,
                        Optional.of(100.0), Optional.of(VOLUME), Optional.empty()),
                new Plan.MetricGateSpec("baseline", QUERY, new Condition(Condition.Operator.GT, 0.5), Duration.ofMinutes(1), 4, 1, OnNoData.FAIL,
                        Optional.empty(), Optional.empty(), Optional.of(new Plan.Baseline(BASELINE, 2))),
                new Plan.MetricGateSpec("worst", QUERY, new Condition(Condition.Operator.GT, 0.05), Duration.ofMinutes(1), 4, 1, OnNoData.FAIL,
                        Optional.empty(), Optional.empty(), Optional.empty(), dev.revroll.plan.SeriesRule.WORST));
        for (Plan.MetricGateSpec spec : specs) {
            for (Duration bake : List.of(Duration.ZERO, Duration.ofMinutes(7))) {
                Backtest.NamespaceResult r = Backtest.simulate(h, spec, VARS, bake, "shop", day(2));
                int[] expected = reference(h, spec, bake, day(2));
                assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(counts(r)), spec.name() + " " + spec.onNoData() + " bake " + bake);
                assertEquals(java.util.Arrays.stream(expected).sum(), r.steps());
                assertTrue(r.failed() > 0 && r.passed() > 0, spec.name() + ": the history must exercise both outcomes: " + r);
            }
        }
    }

    @Test
    void knownHoursGiveKnownCounts() {
        // errors above the threshold from 02:00 to 03:59 UTC every day; a namespace silent 00:00-05:59; a healthy one
        FunctionHistory h = new FunctionHistory((q, t) -> {
            boolean quiet = q.contains("night") && hour(t) < 6;
            if (quiet) {
                return List.of();
            }
            boolean bad = q.contains("flaky") && (hour(t) == 2 || hour(t) == 3);
            return one(bad ? 0.2 : 0.01);
        });
        Plan.MetricGateSpec spec = gate(0.05, 5, 0, OnNoData.FAIL); // 5 min per simulated step: 12 per hour
        Backtest.NamespaceResult flaky = Backtest.simulate(h, spec, Map.of("namespace", "flaky"), Duration.ZERO, "flaky", day(3));
        Backtest.NamespaceResult night = Backtest.simulate(h, spec, Map.of("namespace", "night"), Duration.ZERO, "night", day(3));
        Backtest.NamespaceResult healthy = Backtest.simulate(h, spec, Map.of("namespace", "healthy"), Duration.ZERO, "healthy", day(3));
        // 3 days of 5-minute steps, back to back: the last starts at 23:55 and ends on the history's last point
        assertEquals(864, flaky.steps());
        // steps starting 01:55 (last evaluation 02:00) through 03:55: 1 + 24 per day
        assertEquals(3 * 25, flaky.failed());
        assertEquals(864 - 75, flaky.passed());
        assertEquals(List.of(1, 2, 3), java.util.stream.IntStream.range(0, 24).filter(x -> flaky.failedByHour()[x] > 0).boxed().toList());
        // the night namespace: every step with an evaluation in 00:00-05:59 finds no data (onNoData: fail -> NO_DATA)
        // starts 23:55 .. 05:55: 1 + 72 a night; the first night has no 23:55 before it, the history's last start
        // (23:55 of the third day) reaches 00:00 of the fourth
        assertEquals(3 * 73, night.noData());
        assertEquals(0, night.failed());
        assertEquals(864 - 3 * 73, night.passed());
        assertEquals(864, healthy.passed());
        assertEquals(0.01, healthy.worst().getAsDouble(), 1e-12);
        assertEquals(0.01 * 1.2, healthy.suggested().getAsDouble(), 1e-12);
        assertEquals(0.2, flaky.worst().getAsDouble(), 1e-12);
        assertEquals(Instant.parse("2026-11-23T02:00:00Z"), flaky.worstAt().orElseThrow());

        Backtest.GateBacktest g = Backtest.judge(spec, Duration.ZERO, List.of(flaky, night, healthy), day(3));
        assertFalse(g.fit());
        assertEquals(3 * 864, g.steps());
        assertEquals(75, g.failed());
        assertTrue(g.summary().startsWith("error-rate: NOT FIT — "), g.summary());
        assertTrue(g.summary().contains("no data in 25% of simulated steps in night (219 of 864, started at 00-05, 23 UTC)"), g.summary());
        assertTrue(g.summary().contains("would have failed 3% of simulated steps (75 of 2592; flaky 75 of 864): too tight, or the history holds real trouble"),
                g.summary());
        // the loosest namespace's p99: flaky's history holds the 0.2s of its bad hours (about 8% of its values)
        assertTrue(g.summary().contains("suggested threshold > 0.24 (p99 of flaky's history + 20%)"), g.summary());
    }

    @Test
    void aFitGateAndOneThatMayNeverTrip() {
        FunctionHistory h = new FunctionHistory((q, t) -> one(0.004 + (t.toEpochMilli() / 60_000 % 10) * 0.003)); // 0.004 .. 0.031
        Backtest.NamespaceResult r = Backtest.simulate(h, gate(0.04, 4, 1, OnNoData.FAIL), VARS, Duration.ZERO, "shop", day(1));
        Backtest.GateBacktest fit = Backtest.judge(gate(0.04, 4, 1, OnNoData.FAIL), Duration.ZERO, List.of(r), day(1));
        assertTrue(fit.fit(), fit.summary());
        assertTrue(fit.summary().startsWith("error-rate: fit: passed 360 of 360 simulated steps in 1 namespace; worst 0.031 (shop at "), fit.summary());

        Backtest.NamespaceResult loose = Backtest.simulate(h, gate(0.5, 4, 1, OnNoData.FAIL), VARS, Duration.ZERO, "shop", day(1));
        Backtest.GateBacktest never = Backtest.judge(gate(0.5, 4, 1, OnNoData.FAIL), Duration.ZERO, List.of(loose), day(1));
        assertFalse(never.fit());
        assertTrue(never.summary().contains("never came within 50% of the threshold (worst 0.031 in shop at "), never.summary());
        assertTrue(never.summary().endsWith("fails when > 0.5): may never trip"), never.summary());
    }

    @Test
    void windowHoursOnlyAndNeverAnyDataThere() {
        // silent from 22:00 to 05:59; the window: steps may start 22:00-01:59 when the step fits before 02:00
        FunctionHistory h = new FunctionHistory((q, t) -> hour(t) >= 22 || hour(t) < 6 ? List.of() : one(0.01));
        Backtest.Starts window = new Backtest.Starts() {
            @Override
            public boolean test(Instant start, Duration length) {
                Instant end = start.plus(length);
                return (hour(start) >= 22 || hour(start) < 2) && (hour(end) >= 22 || hour(end) < 2 || end.atZone(ZoneOffset.UTC).toLocalTime().toString().equals("02:00"));
            }

            @Override
            public String describe() {
                return "in the window";
            }

            @Override
            public boolean windowOnly() {
                return true;
            }
        };
        Backtest.Span span = new Backtest.Span(FROM, FROM.plus(Duration.ofDays(2)), window);
        Plan.MetricGateSpec spec = gate(0.05, 5, 0, OnNoData.FAIL);
        Backtest.NamespaceResult r = Backtest.simulate(h, spec, VARS, Duration.ZERO, "shop", span);
        // 4 window hours a night × 12 steps, two nights that start in the history (22:00 of the 23rd and 24th, 00:00-01:59 of the 23rd and 24th)
        assertEquals(2 * 48, r.steps());
        assertEquals(r.steps(), r.noData());
        assertEquals(List.of(0, 1, 22, 23), java.util.stream.IntStream.range(0, 24).filter(x -> r.stepsByHour()[x] > 0).boxed().toList());
        Backtest.GateBacktest g = Backtest.judge(spec, Duration.ZERO, List.of(r), span);
        assertEquals("error-rate: NOT FIT — never any data at window hours", g.summary());
        // no range query was needed outside the window's nights: each chunk it fetched holds a window start
        assertTrue(r.rangeQueries() >= 1);
    }

    @Test
    void longHistoryIsChunkedUnderTheLimitAndForgottenBehindTheSimulation() {
        FunctionHistory h = new FunctionHistory((q, t) -> one(q.startsWith("requests") ? 500 : 0.01));
        Plan.MetricGateSpec spec = new Plan.MetricGateSpec("fast", QUERY, new Condition(Condition.Operator.GT, 0.05), Duration.ofSeconds(10), 3, 0,
                OnNoData.FAIL, Optional.of(10.0), Optional.of(VOLUME), Optional.empty());
        // 7 days at 10 s: 60481 points per query, two queries (value and volume)
        Backtest.NamespaceResult r = Backtest.simulate(h, spec, VARS, Duration.ZERO, "shop", day(7));
        assertEquals((60480 - 3) / 3 + 1, r.steps());
        assertEquals(r.steps(), r.passed());
        assertEquals(2 * 7, r.rangeQueries()); // ceil(60481 / 10000) = 7 chunks per query
        for (long[] range : h.ranges) {
            assertTrue((range[1] - range[0]) / range[2] + 1 <= RangeReplay.CHUNK_POINTS);
        }
        // what a replay holds: at most the chunks the current step touches
        RangeReplay replay = new RangeReplay(h, FROM, Duration.ofSeconds(10), FROM.plus(Duration.ofDays(7)), 1000);
        for (long i = 1; i < 60480; i += 500) {
            replay.forgetBefore(i);
            replay.query("a", FROM.plusSeconds(10 * i));
            replay.query("b", FROM.plusSeconds(10 * i));
            assertTrue(replay.pointsHeld() <= 2 * 2 * 1000, "held " + replay.pointsHeld());
        }
    }

    @Test
    void aFailedRangeQueryMakesItsStepsInconclusiveAsInARun() {
        FunctionHistory h = new FunctionHistory((q, t) -> one(0.01));
        h.failFrom.add(FROM.plus(Duration.ofHours(30)));
        Plan.MetricGateSpec spec = gate(0.05, 5, 1, OnNoData.FAIL);
        Backtest.NamespaceResult r = Backtest.simulate(h, spec, VARS, Duration.ZERO, "shop", day(2));
        // the chunk of 10000 one-minute points that holds hour 30: points 0..9999 (the first 166h40m): every step
        assertEquals(r.steps(), r.inconclusive());
        assertTrue(r.firstProblem().orElseThrow().contains("queries failed (last: query failed: range query failed: execution: query timed out (HTTP 503))"),
                r.firstProblem().orElseThrow());
        Backtest.GateBacktest g = Backtest.judge(spec, Duration.ZERO, List.of(r), day(2));
        assertFalse(g.fit());
        assertTrue(g.summary().contains(r.steps() + " simulated steps inconclusive (queries failed: "), g.summary());
    }

    @Test
    void nothingToJudge() {
        Plan.MetricGateSpec spec = gate(0.05, 5, 0, OnNoData.FAIL);
        assertEquals("error-rate: NOT FIT — no namespace to backtest: the plan would move none now",
                Backtest.judge(spec, Duration.ZERO, List.of(), day(1)).summary());
        // a history shorter than one step (5 minutes)
        Backtest.Span short4 = new Backtest.Span(FROM, FROM.plus(Duration.ofMinutes(4)), Backtest.Starts.ANY);
        Backtest.NamespaceResult r = Backtest.simulate(new FunctionHistory((q, t) -> one(0.01)), spec, VARS, Duration.ZERO, "shop", short4);
        assertEquals(0, r.steps());
        assertEquals("error-rate: NOT FIT — no simulated step fits in the history (5m per step)", Backtest.judge(spec, Duration.ZERO, List.of(r), short4).summary());
    }

    @Test
    void suggestionsAndQuantiles() {
        assertEquals(0.06, Backtest.suggest(new Condition(Condition.Operator.GT, 0.1), java.util.OptionalDouble.of(0.05)).getAsDouble(), 1e-12);
        assertEquals(80, Backtest.suggest(new Condition(Condition.Operator.LT, 50), java.util.OptionalDouble.of(100)).getAsDouble(), 1e-12);
        assertTrue(Backtest.suggest(new Condition(Condition.Operator.EQ, 1), java.util.OptionalDouble.of(1)).isEmpty());
        // 1000 values 1..1000 (one per step of one sample): p99 is 990 by nearest rank
        FunctionHistory h = new FunctionHistory((q, t) -> one((t.toEpochMilli() - FROM.toEpochMilli()) / 60_000));
        Backtest.NamespaceResult r = Backtest.simulate(h, gate(5000, 1, 0, OnNoData.FAIL), VARS, Duration.ZERO, "shop",
                new Backtest.Span(FROM, FROM.plus(Duration.ofMinutes(1000)), Backtest.Starts.ANY));
        assertEquals(1000, r.values());
        assertEquals(990, r.quantile().getAsDouble(), 1e-12);
        assertEquals(1188, r.suggested().getAsDouble(), 1e-9);
        assertEquals("00-05, 22-23", Backtest.hours(new int[]{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1}));
        assertEquals("14%", Backtest.percent(14, 100));
        assertEquals("0.5%", Backtest.percent(1, 200));
    }
}
