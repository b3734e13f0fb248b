package dev.revroll.gates;

import dev.revroll.plan.Condition;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsProvider;
import dev.revroll.ports.MetricsProvider.QueryResult;
import dev.revroll.ports.MetricsProvider.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricGateRunnerTest {

    private static final String QUERY = "sum(rate(errors{ns=\"{{namespace}}\"}[{{interval}}])) / sum(rate(all{ns=\"{{namespace}}\"}[{{interval}}]))";
    private static final String RESOLVED = "sum(rate(errors{ns=\"shop\"}[30s])) / sum(rate(all{ns=\"shop\"}[30s]))";
    private static final Map<String, String> VARS = Map.of("namespace", "shop", "revision", "1-28-0");
    private static final Instant START = Instant.parse("2026-11-25T13:00:00Z");

    // ------------------------------------------------------------ fakes: scripted answers per resolved query, a clock that only moves on sleep

    static final class ScriptedMetrics implements MetricsProvider {
        private final Map<String, Deque<QueryResult>> answers = new LinkedHashMap<>();
        private final Map<String, QueryResult> lastAnswer = new LinkedHashMap<>();
        final List<String> asked = new ArrayList<>();
        final List<Instant> askedAt = new ArrayList<>();

        ScriptedMetrics answer(String query, QueryResult... results) {
            answers.computeIfAbsent(query, q -> new ArrayDeque<>()).addAll(List.of(results));
            return this;
        }

        @Override
        public QueryResult query(String promql, Instant at) {
            asked.add(promql);
            askedAt.add(at);
            Deque<QueryResult> queue = answers.get(promql);
            if (queue == null) {
                throw new AssertionError("unexpected query: " + promql + " (scripted: " + answers.keySet() + ")");
            }
            QueryResult next = queue.isEmpty() ? lastAnswer.get(promql) : queue.poll();
            lastAnswer.put(promql, next);
            return next;
        }

        @Override
        public boolean reachable() {
            return true;
        }

        @Override
        public String describe() {
            return "scripted";
        }
    }

    static final class FakeClock implements GateClock {
        Instant now = START;
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            now = now.plus(duration);
        }
    }

    static QueryResult value(double v) {
        return new QueryResult(List.of(new Sample(Map.of(), v)), Optional.empty());
    }

    static QueryResult series(Map<String, String> labels, double v, Object... more) {
        List<Sample> samples = new ArrayList<>();
        samples.add(new Sample(labels, v));
        for (int i = 0; i < more.length; i += 2) {
            @SuppressWarnings("unchecked") Map<String, String> l = (Map<String, String>) more[i];
            samples.add(new Sample(l, (Double) more[i + 1]));
        }
        return new QueryResult(List.copyOf(samples), Optional.empty());
    }

    static QueryResult values(double... vs) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < vs.length; i++) {
            samples.add(new Sample(Map.of("destination_workload", "w" + i), vs[i]));
        }
        return new QueryResult(samples, Optional.empty());
    }

    static final QueryResult EMPTY = new QueryResult(List.of(), Optional.empty());

    static QueryResult error(String why) {
        return QueryResult.failed(why);
    }

    static Plan.MetricGateSpec gate(int samples, int failureLimit, OnNoData onNoData) {
        return new Plan.MetricGateSpec("error-rate", QUERY, new Condition(Condition.Operator.GT, 0.01), Duration.ofSeconds(30),
                samples, failureLimit, onNoData, Optional.empty(), Optional.empty(), Optional.empty());
    }

    private final ScriptedMetrics metrics = new ScriptedMetrics();
    private final FakeClock clock = new FakeClock();
    private final MetricGateRunner runner = new MetricGateRunner(metrics, clock);
    private final List<GateEvaluation> heard = new ArrayList<>();

    private GateResult run(Plan.MetricGateSpec spec, Duration bake) {
        GateResult result = runner.run(spec, VARS, bake, heard::add);
        assertEquals(result.evaluations(), heard, "the listener hears every evaluation, in order");
        return result;
    }

    private static List<GateOutcome> outcomes(GateResult r) {
        return r.evaluations().stream().map(GateEvaluation::outcome).toList();
    }

    // ------------------------------------------------------------ single evaluations

    @Test
    void resolvedQueryInstantValueAndDetailAreRecorded() {
        metrics.answer(RESOLVED, value(0.004));
        GateEvaluation e = runner.evaluateOnce(gate(1, 0, OnNoData.FAIL), VARS);
        assertEquals("error-rate", e.gate());
        assertEquals(RESOLVED, e.query());
        assertEquals(START, e.at());
        assertEquals(0.004, e.value().getAsDouble());
        assertEquals(GateOutcome.PASS, e.outcome());
        assertEquals("0.004 not > 0.01", e.detail());
        assertTrue(clock.sleeps.isEmpty(), "a preview evaluation does not wait");
        assertEquals(List.of(START), metrics.askedAt);
    }

    @Test
    void emptyResultIsNoData() {
        metrics.answer(RESOLVED, EMPTY);
        GateEvaluation e = runner.evaluateOnce(gate(1, 0, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.NO_DATA, e.outcome());
        assertTrue(e.value().isEmpty());
        assertEquals("query returned no series", e.detail());
    }

    @Test
    void nanAndInfinityAreNoData() {
        metrics.answer(RESOLVED, value(Double.NaN), value(Double.POSITIVE_INFINITY), values(Double.NaN, Double.NEGATIVE_INFINITY));
        Plan.MetricGateSpec spec = gate(1, 0, OnNoData.FAIL);
        GateEvaluation nan = runner.evaluateOnce(spec, VARS);
        GateEvaluation inf = runner.evaluateOnce(spec, VARS);
        GateEvaluation both = runner.evaluateOnce(spec, VARS);
        assertEquals(GateOutcome.NO_DATA, nan.outcome());
        assertEquals("query returned no finite value (NaN)", nan.detail());
        assertEquals(GateOutcome.NO_DATA, inf.outcome());
        assertEquals("query returned no finite value (+Inf)", inf.detail());
        assertEquals(GateOutcome.NO_DATA, both.outcome());
        assertTrue(both.value().isEmpty());
    }

    @Test
    void queryErrorIsInconclusive() {
        metrics.answer(RESOLVED, error("bad_data: 1:5: parse error"));
        GateEvaluation e = runner.evaluateOnce(gate(1, 0, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.INCONCLUSIVE, e.outcome());
        assertEquals("query failed: bad_data: 1:5: parse error", e.detail());
    }

    @Test
    void missingPlaceholderValueIsInconclusiveNotAnEmptyLabel() {
        Plan.MetricGateSpec spec = new Plan.MetricGateSpec("by-workload", "up{w=\"{{workload}}\"}", new Condition(Condition.Operator.LT, 1),
                Duration.ofSeconds(30), 1, 0, OnNoData.FAIL, Optional.empty(), Optional.empty(), Optional.empty());
        GateEvaluation e = runner.evaluateOnce(spec, VARS);
        assertEquals(GateOutcome.INCONCLUSIVE, e.outcome());
        assertTrue(e.detail().contains("no value for placeholder workload"), e.detail());
        assertTrue(metrics.asked.isEmpty());
    }

    @Test
    void severalSeriesWhereOneWasExpectedAreInconclusiveNeverAPass() {
        Map<String, String> a = Map.of("destination_workload", "cart");
        Map<String, String> b = Map.of("destination_workload", "checkout");
        metrics.answer(RESOLVED, series(a, 0.002, b, 0.003));
        GateEvaluation e = runner.evaluateOnce(gate(1, 0, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.INCONCLUSIVE, e.outcome(), "both pass, yet a query meant to answer one number answered two");
        assertEquals("query returned 2 series where one was expected ({destination_workload=\"cart\"}, {destination_workload=\"checkout\"});"
                + " aggregate it to one (sum, max) or set series: worst", e.detail());
    }

    @Test
    void severalSeriesWithSeriesWorstTheWorstByTheConditionDecides() {
        Map<String, String> a = Map.of("destination_workload", "cart");
        Map<String, String> b = Map.of("destination_workload", "checkout");
        metrics.answer(RESOLVED, series(a, 0.002, b, 0.03, Map.of("destination_workload", "idle"), Double.NaN));
        Plan.MetricGateSpec g = gate(1, 0, OnNoData.FAIL);
        Plan.MetricGateSpec perWorkload = new Plan.MetricGateSpec(g.name(), g.query(), g.failWhen(), g.interval(), g.samples(), g.failureLimit(),
                g.onNoData(), g.minRequests(), g.volumeQuery(), g.baseline(), dev.revroll.plan.SeriesRule.WORST);
        GateEvaluation high = runner.evaluateOnce(perWorkload, VARS);
        assertEquals(GateOutcome.FAIL, high.outcome());
        assertEquals(0.03, high.value().getAsDouble());
        assertEquals("worst of 3 series by > 0.01: {destination_workload=\"checkout\"} = 0.03 (1 non-finite ignored); 0.03 > 0.01", high.detail());

        // "lower is worse" (availability < 0.99): the lowest series decides
        Plan.MetricGateSpec availability = new Plan.MetricGateSpec("availability", "avail{ns=\"{{namespace}}\"}",
                new Condition(Condition.Operator.LT, 0.99), Duration.ofSeconds(30), 1, 0, OnNoData.FAIL,
                Optional.empty(), Optional.empty(), Optional.empty(), dev.revroll.plan.SeriesRule.WORST);
        metrics.answer("avail{ns=\"shop\"}", series(a, 0.999, b, 0.95));
        GateEvaluation low = runner.evaluateOnce(availability, VARS);
        assertEquals(GateOutcome.FAIL, low.outcome());
        assertEquals(0.95, low.value().getAsDouble());
        assertTrue(low.detail().startsWith("worst of 2 series by < 0.99: {destination_workload=\"checkout\"} = 0.95"), low.detail());
    }

    // ------------------------------------------------------------ minRequests

    @Test
    void tooFewRequestsByTheDefaultVolumeQueryIsNoData() {
        Plan.MetricGateSpec spec = new Plan.MetricGateSpec("error-rate", QUERY, new Condition(Condition.Operator.GT, 0.01),
                Duration.ofSeconds(30), 1, 0, OnNoData.FAIL, Optional.of(100.0), Optional.empty(), Optional.empty());
        String volume = "sum(increase(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"shop\"}[30s]))";
        metrics.answer(RESOLVED, value(0.0), value(0.0));
        metrics.answer(volume, value(12), value(600));

        GateEvaluation few = runner.evaluateOnce(spec, VARS);
        assertEquals(GateOutcome.NO_DATA, few.outcome());
        assertEquals(0.0, few.value().getAsDouble(), "the value is still recorded");
        assertTrue(few.detail().contains("backed by only 12 requests (minRequests 100"), few.detail());
        assertTrue(few.detail().contains(volume), few.detail());

        GateEvaluation enough = runner.evaluateOnce(spec, VARS);
        assertEquals(GateOutcome.PASS, enough.outcome());
        assertEquals("600 requests; 0 not > 0.01", enough.detail());
        assertEquals(List.of(RESOLVED, volume, RESOLVED, volume), metrics.asked);
    }

    @Test
    void customVolumeQueryIsRenderedAndSummedOverItsSeries() {
        Plan.MetricGateSpec spec = new Plan.MetricGateSpec("error-rate", QUERY, new Condition(Condition.Operator.GT, 0.01),
                Duration.ofSeconds(30), 1, 0, OnNoData.FAIL, Optional.of(100.0),
                Optional.of("increase(reqs{ns=\"{{namespace}}\"}[{{interval}}])"), Optional.empty());
        metrics.answer(RESOLVED, value(0.02));
        metrics.answer("increase(reqs{ns=\"shop\"}[30s])", values(60, 50, Double.NaN));
        GateEvaluation e = runner.evaluateOnce(spec, VARS);
        assertEquals(GateOutcome.FAIL, e.outcome());
        assertEquals("110 requests; 0.02 > 0.01", e.detail());
    }

    @Test
    void volumeQueryErrorIsInconclusive() {
        Plan.MetricGateSpec spec = new Plan.MetricGateSpec("error-rate", QUERY, new Condition(Condition.Operator.GT, 0.01),
                Duration.ofSeconds(30), 1, 0, OnNoData.FAIL, Optional.of(100.0), Optional.of("reqs"), Optional.empty());
        metrics.answer(RESOLVED, value(0.0));
        metrics.answer("reqs", error("timeout"));
        assertEquals(GateOutcome.INCONCLUSIVE, runner.evaluateOnce(spec, VARS).outcome());
    }

    // ------------------------------------------------------------ baseline

    private static Plan.MetricGateSpec withBaseline(double maxRatio, OnNoData onNoData) {
        return new Plan.MetricGateSpec("error-rate", QUERY, new Condition(Condition.Operator.GT, 0.1), Duration.ofSeconds(30), 1, 0, onNoData,
                Optional.empty(), Optional.empty(), Optional.of(new Plan.Baseline("base{ns=\"{{namespace}}\",rev=\"{{revision}}\"} offset 1h", maxRatio)));
    }

    private static final String BASE = "base{ns=\"shop\",rev=\"1-28-0\"} offset 1h";

    @Test
    void baselineRatioAboveMaxFailsEvenUnderTheThreshold() {
        metrics.answer(RESOLVED, value(0.05), value(0.015));
        metrics.answer(BASE, value(0.01), value(0.01));
        GateEvaluation worse = runner.evaluateOnce(withBaseline(2, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.FAIL, worse.outcome());
        assertEquals("0.05 is 5× the baseline 0.01 (max ratio 2)", worse.detail());
        GateEvaluation close = runner.evaluateOnce(withBaseline(2, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.PASS, close.outcome());
        assertEquals("ratio to baseline 0.01 is 1.5 (max 2); 0.015 not > 0.1", close.detail());
    }

    @Test
    void baselineWithinRatioStillChecksTheCondition() {
        metrics.answer(RESOLVED, value(0.2));
        metrics.answer(BASE, value(0.15));
        GateEvaluation e = runner.evaluateOnce(withBaseline(2, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.FAIL, e.outcome());
        assertTrue(e.detail().endsWith("0.2 > 0.1"), e.detail());
    }

    @Test
    void baselineWithoutDataOrZeroHasNoRatio() {
        metrics.answer(RESOLVED, value(0.05), value(0.05), value(0));
        metrics.answer(BASE, EMPTY, value(0), value(0));
        GateEvaluation none = runner.evaluateOnce(withBaseline(2, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.NO_DATA, none.outcome());
        assertTrue(none.detail().contains("the baseline has no data"), none.detail());
        GateEvaluation zero = runner.evaluateOnce(withBaseline(2, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.NO_DATA, zero.outcome());
        assertTrue(zero.detail().contains("the baseline is 0"), zero.detail());
        GateEvaluation bothZero = runner.evaluateOnce(withBaseline(2, OnNoData.FAIL), VARS);
        assertEquals(GateOutcome.PASS, bothZero.outcome(), "no errors before and none now is healthy");
        assertTrue(bothZero.detail().startsWith("value and baseline both 0"), bothZero.detail());
    }

    @Test
    void baselineWithoutDataFollowsOnNoData() {
        metrics.answer(RESOLVED, value(0.05));
        metrics.answer(BASE, EMPTY);
        Plan.MetricGateSpec spec = withBaseline(2, OnNoData.PASS);
        GateResult r = run(spec, Duration.ZERO);
        assertEquals(GateOutcome.PASS, r.outcome(), "onNoData: pass was opted into");
        assertEquals(List.of(GateOutcome.NO_DATA), outcomes(r));
    }

    @Test
    void baselineFailuresAreNamedInTheSummary() {
        metrics.answer(RESOLVED, value(0.05));
        metrics.answer(BASE, value(0.01));
        GateResult r = run(withBaseline(2, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.FAIL, r.outcome());
        assertEquals("error-rate: FAIL — 1 of 1 samples failed: above 2× the baseline (0.05); failure limit 0", r.summary());
    }

    // ------------------------------------------------------------ runs: counting, limits, early stop

    @Test
    void numberOfEvaluationsIsTheLargerOfSamplesAndBakeOverInterval() {
        assertEquals(4, MetricGateRunner.plannedEvaluations(gate(2, 1, OnNoData.FAIL), Duration.ofMinutes(2)));
        assertEquals(4, MetricGateRunner.plannedEvaluations(gate(2, 1, OnNoData.FAIL), Duration.ofSeconds(100)), "ceil(100s / 30s)");
        assertEquals(6, MetricGateRunner.plannedEvaluations(gate(6, 1, OnNoData.FAIL), Duration.ofMinutes(2)));
        assertEquals(3, MetricGateRunner.plannedEvaluations(gate(3, 1, OnNoData.FAIL), Duration.ZERO));

        metrics.answer(RESOLVED, value(0.001));
        GateResult r = run(gate(2, 1, OnNoData.FAIL), Duration.ofMinutes(2));
        assertEquals(GateOutcome.PASS, r.outcome());
        assertEquals(4, r.evaluations().size());
        assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30)), clock.sleeps,
                "one interval before each evaluation: the last one ends with the bake time");
        assertEquals(List.of(START.plusSeconds(30), START.plusSeconds(60), START.plusSeconds(90), START.plusSeconds(120)),
                r.evaluations().stream().map(GateEvaluation::at).toList());
        assertEquals("error-rate: PASS — 4 of 4 samples passed (0.001, 0.001, 0.001, 0.001 not > 0.01); failure limit 1", r.summary());
    }

    @Test
    void failuresWithinTheLimitPass() {
        metrics.answer(RESOLVED, value(0.001), value(0.03), value(0.002), value(0.004));
        GateResult r = run(gate(4, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.PASS, r.outcome());
        assertEquals(List.of(GateOutcome.PASS, GateOutcome.FAIL, GateOutcome.PASS, GateOutcome.PASS), outcomes(r));
        assertEquals("error-rate: PASS — 3 of 4 samples passed (0.001, 0.002, 0.004 not > 0.01); 1 > 0.01 (0.03); failure limit 1", r.summary());
    }

    @Test
    void failuresOverTheLimitFailAndStopEarly() {
        metrics.answer(RESOLVED, value(0.001), value(0.052), value(0.049), value(0.001));
        GateResult r = run(gate(4, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.FAIL, r.outcome());
        assertEquals(3, r.evaluations().size(), "stops as soon as failures exceed the limit");
        assertEquals(3, clock.sleeps.size());
        assertEquals("error-rate: FAIL — 2 of 3 samples > 0.01 (0.052, 0.049); failure limit 1; stopped after 3 of 4 planned samples", r.summary());
    }

    @Test
    void failureLimitZeroStopsAtTheFirstFailure() {
        metrics.answer(RESOLVED, value(0.5));
        GateResult r = run(gate(10, 0, OnNoData.FAIL), Duration.ofMinutes(10));
        assertEquals(GateOutcome.FAIL, r.outcome());
        assertEquals(1, r.evaluations().size());
    }

    @Test
    void flappingValuesFailOnceTheLimitIsPassed() {
        metrics.answer(RESOLVED, value(0.0), value(0.02), value(0.0), value(0.02), value(0.0), value(0.02));
        GateResult limitOne = run(gate(6, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.FAIL, limitOne.outcome());
        assertEquals(List.of(GateOutcome.PASS, GateOutcome.FAIL, GateOutcome.PASS, GateOutcome.FAIL), outcomes(limitOne));
    }

    @Test
    void flappingValuesWithinALargerLimitPass() {
        metrics.answer(RESOLVED, value(0.0), value(0.02), value(0.0), value(0.02), value(0.0), value(0.0));
        GateResult r = run(gate(6, 2, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.PASS, r.outcome());
        assertEquals(6, r.evaluations().size());
    }

    @Test
    void inconclusiveWhenQueryErrorsExceedTheLimit() {
        metrics.answer(RESOLVED, error("connection refused"), value(0.001), error("HTTP 503"), value(0.001));
        GateResult r = run(gate(4, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.INCONCLUSIVE, r.outcome());
        assertEquals(3, r.evaluations().size());
        assertEquals("error-rate: INCONCLUSIVE — 2 of 3 queries failed (last: query failed: HTTP 503); failure limit 1; "
                + "stopped after 3 of 4 planned samples", r.summary());
    }

    @Test
    void notEnoughPassesFailsClosed() {
        // one failure and one error: each within the limit, but only 2 of 4 passed where 3 are needed
        metrics.answer(RESOLVED, value(0.001), value(0.02), error("timeout"), value(0.001));
        GateResult r = run(gate(4, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.FAIL, r.outcome());
        assertEquals(4, r.evaluations().size());
        assertTrue(r.summary().startsWith("error-rate: FAIL — only 2 of 4 samples passed, 3 needed; 1 > 0.01 (0.02); 1 queries failed"), r.summary());
    }

    @Test
    void aSingleFailingSampleFailsEvenWhenTheLimitWouldAllowIt() {
        metrics.answer(RESOLVED, value(0.02));
        GateResult r = run(gate(1, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.FAIL, r.outcome(), "PASS needs at least one passed sample");
    }

    // ------------------------------------------------------------ onNoData

    @Test
    void onNoDataFailCountsAsFailureAndEndsAsNoData() {
        metrics.answer(RESOLVED, EMPTY);
        GateResult r = run(gate(4, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.NO_DATA, r.outcome());
        assertEquals(2, r.evaluations().size(), "two samples without data exceed failure limit 1");
        assertEquals("error-rate: NO_DATA — 2 of 2 samples without data, counted as failures (onNoData: fail; last: query returned no series); "
                + "failure limit 1; stopped after 2 of 4 planned samples", r.summary());
    }

    @Test
    void onNoDataFailMixedWithRealFailuresIsFail() {
        metrics.answer(RESOLVED, value(0.5), EMPTY);
        GateResult r = run(gate(4, 1, OnNoData.FAIL), Duration.ZERO);
        assertEquals(GateOutcome.FAIL, r.outcome());
        assertTrue(r.summary().contains("2 of 2 samples failed: > 0.01 (0.5); 1 without data"), r.summary());
    }

    @Test
    void onNoDataPassIsAnExplicitOptIn() {
        metrics.answer(RESOLVED, EMPTY, value(Double.NaN), value(0.001));
        GateResult r = run(gate(3, 0, OnNoData.PASS), Duration.ZERO);
        assertEquals(GateOutcome.PASS, r.outcome());
        assertEquals(List.of(GateOutcome.NO_DATA, GateOutcome.NO_DATA, GateOutcome.PASS), outcomes(r), "evaluations keep their true outcome");
        assertEquals("error-rate: PASS — 3 of 3 samples passed (0.001 not > 0.01), 2 of them without data, counted as pass (onNoData: pass); "
                + "failure limit 0", r.summary());
    }

    @Test
    void onNoDataWaitKeepsSamplingUntilEnoughSamplesHaveData() {
        metrics.answer(RESOLVED, EMPTY, EMPTY, value(0.001), EMPTY, value(0.002), value(0.003));
        GateResult r = run(gate(3, 0, OnNoData.WAIT), Duration.ZERO);
        assertEquals(GateOutcome.PASS, r.outcome());
        assertEquals(6, r.evaluations().size());
        assertEquals("error-rate: PASS — 3 of 3 samples passed (0.001, 0.002, 0.003 not > 0.01); failure limit 0; "
                + "3 evaluations without data not counted (onNoData: wait)", r.summary());
    }

    @Test
    void onNoDataWaitGivesUpAfterTwiceThePlannedEvaluations() {
        metrics.answer(RESOLVED, EMPTY, value(0.001), EMPTY);
        GateResult r = run(gate(3, 0, OnNoData.WAIT), Duration.ZERO);
        assertEquals(GateOutcome.NO_DATA, r.outcome());
        assertEquals(6, r.evaluations().size());
        assertEquals(6, clock.sleeps.size());
        assertEquals("error-rate: NO_DATA — only 1 of 3 samples had data after 6 evaluations (onNoData: wait; last: query returned no series)",
                r.summary());
    }

    @Test
    void onNoDataWaitStillStopsOnFailures() {
        metrics.answer(RESOLVED, EMPTY, value(0.5));
        GateResult r = run(gate(3, 0, OnNoData.WAIT), Duration.ZERO);
        assertEquals(GateOutcome.FAIL, r.outcome());
        assertEquals(2, r.evaluations().size());
        assertFalse(r.summary().isBlank());
    }

    @Test
    void manyValuesAreShortenedInTheSummary() {
        metrics.answer(RESOLVED, value(0.001));
        GateResult r = run(gate(8, 0, OnNoData.FAIL), Duration.ZERO);
        assertEquals("error-rate: PASS — 8 of 8 samples passed (0.001, 0.001, 0.001, 0.001, 0.001, 0.001, … 2 more not > 0.01); failure limit 0",
                r.summary());
    }

    @Test
    void promDurations() {
        assertEquals("30s", PromDuration.format(Duration.ofSeconds(30)));
        assertEquals("2m", PromDuration.format(Duration.ofMinutes(2)));
        assertEquals("90s", PromDuration.format(Duration.ofSeconds(90)));
        assertEquals("1h", PromDuration.format(Duration.ofHours(1)));
        assertEquals("1500ms", PromDuration.format(Duration.ofMillis(1500)));
    }
}
