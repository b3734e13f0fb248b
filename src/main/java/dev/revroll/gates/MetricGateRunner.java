package dev.revroll.gates;

import dev.revroll.plan.Condition;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.plan.QueryTemplate;
import dev.revroll.plan.SeriesRule;
import dev.revroll.ports.MetricsProvider;
import dev.revroll.ports.MetricsProvider.QueryResult;
import dev.revroll.ports.MetricsProvider.Sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Runs a metric gate the way Argo Rollouts runs an analysis: a measurement every {@code interval}, counted against a
 * failure limit, with four outcomes (docs/gates.md). Pure logic over a {@link MetricsProvider} and a
 * {@link GateClock}; no HTTP here.
 *
 * <p>Rules, per evaluation (see {@link #evaluateOnce}):
 * <ul>
 *   <li>query failed → INCONCLUSIVE;</li>
 *   <li>no series, or only NaN/±Inf values → NO_DATA;</li>
 *   <li>several series → the worst one by the condition decides (highest for {@code >}/{@code >=}, lowest for
 *       {@code <}/{@code <=}, one that meets the condition for {@code ==}/{@code !=}); non-finite series are ignored;</li>
 *   <li>{@code minRequests}: the volume query (summed over its series) below it → NO_DATA. Without a
 *       {@code volumeQuery}, {@link #DEFAULT_VOLUME_QUERY} is used: requests seen by the destination side in
 *       {@code {{namespace}}} over one interval;</li>
 *   <li>baseline: value / baseline &gt; maxRatio → FAIL. A baseline without data, or 0 while the value is above 0, has no
 *       ratio → NO_DATA (then handled per {@code onNoData}); value and baseline both 0 → the ratio check holds;</li>
 *   <li>otherwise FAIL when {@code failWhen} holds, else PASS.</li>
 * </ul>
 *
 * <p>Per run (see {@link #run}): {@link #plannedEvaluations} = max(samples, ceil(bake / interval)) evaluations, each
 * after waiting one interval (so the last one ends when the bake time is over). {@code onNoData}: {@code fail} counts a
 * NO_DATA sample as a failure, {@code pass} as a pass (explicit opt-in), {@code wait} does not count it and keeps
 * sampling, at most twice the planned number of evaluations. The run stops as soon as failures &gt; failureLimit (FAIL,
 * or NO_DATA when every failure was a sample without data) or query errors &gt; failureLimit (INCONCLUSIVE). PASS needs
 * all planned samples counted and at least max(1, planned − failureLimit) of them passed; anything else fails closed.
 */
public final class MetricGateRunner {

    /** The volume query used when a gate sets {@code minRequests} without {@code volumeQuery}. */
    public static final String DEFAULT_VOLUME_QUERY =
            "sum(increase(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"{{namespace}}\"}[{{interval}}]))";

    private static final int VALUES_SHOWN = 6;

    private final MetricsProvider metrics;
    private final GateClock clock;
    /** Parsed templates by text (a backtest renders the same few millions of times); a text that does not parse is not kept. */
    private final Map<String, QueryTemplate> templates = new java.util.concurrent.ConcurrentHashMap<>();

    public MetricGateRunner(MetricsProvider metrics, GateClock clock) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** max(samples, ceil(bake / interval)), at least 1. */
    public static int plannedEvaluations(Plan.MetricGateSpec spec, Duration bake) {
        long intervalMs = Math.max(1, spec.interval().toMillis());
        long bakeMs = bake == null ? 0 : Math.max(0, bake.toMillis());
        long byBake = (bakeMs + intervalMs - 1) / intervalMs;
        return (int) Math.max(1, Math.max(spec.samples(), byBake));
    }

    /** One evaluation now, as the preview shows it: no waiting, no counting. */
    public GateEvaluation evaluateOnce(Plan.MetricGateSpec spec, Map<String, String> vars) {
        return measure(spec, vars).evaluation();
    }

    /** Evaluates the gate through the bake time; every evaluation goes to {@code listener} as it happens and into the result. */
    public GateResult run(Plan.MetricGateSpec spec, Map<String, String> vars, Duration bake, Consumer<GateEvaluation> listener) {
        int planned = plannedEvaluations(spec, bake);
        int cap = spec.onNoData() == OnNoData.WAIT ? 2 * planned : planned;
        Tally tally = new Tally(spec, planned);
        while (tally.evaluations() < cap) {
            clock.sleep(spec.interval());
            Measurement m = measure(spec, vars).numbered(tally.evaluations() + 1);
            tally.add(m);
            listener.accept(m.evaluation());
            if (tally.decided()) {
                break;
            }
        }
        return tally.result();
    }

    // ---------------------------------------------------------------- one evaluation

    /** An evaluation plus why it failed (for the summary). */
    record Measurement(GateEvaluation evaluation, boolean baselineFailure) {
        GateOutcome outcome() {
            return evaluation.outcome();
        }

        Measurement numbered(int n) {
            return new Measurement(evaluation.numbered(n), baselineFailure);
        }
    }

    private Measurement measure(Plan.MetricGateSpec spec, Map<String, String> callerVars) {
        Instant at = clock.now();
        Map<String, String> vars = withInterval(callerVars, spec.interval());
        String query;
        try {
            query = template(spec.query()).render(vars);
        } catch (IllegalArgumentException e) {
            return measured(spec, at, spec.query(), OptionalDouble.empty(), GateOutcome.INCONCLUSIVE,
                    "query template cannot be rendered: " + e.getMessage(), false);
        }
        QueryResult result = metrics.query(query, at);
        if (result.error().isPresent()) {
            return measured(spec, at, query, OptionalDouble.empty(), GateOutcome.INCONCLUSIVE, "query failed: " + result.error().get(), false);
        }
        if (result.samples().isEmpty()) {
            return measured(spec, at, query, OptionalDouble.empty(), GateOutcome.NO_DATA, "query returned no series", false);
        }
        List<Sample> finite = result.samples().stream().filter(s -> Double.isFinite(s.value())).toList();
        if (finite.isEmpty()) {
            String values = result.samples().stream().map(s -> Numbers.show(s.value())).distinct().collect(Collectors.joining(", "));
            return measured(spec, at, query, OptionalDouble.empty(), GateOutcome.NO_DATA, "query returned no finite value (" + values + ")", false);
        }
        if (result.samples().size() > 1 && spec.series() == SeriesRule.ONE) {
            String some = result.samples().stream().limit(3).map(s -> labels(s.labels())).collect(Collectors.joining(", "))
                    + (result.samples().size() > 3 ? ", ..." : "");
            return measured(spec, at, query, OptionalDouble.empty(), GateOutcome.INCONCLUSIVE, "query returned " + result.samples().size()
                    + " series where one was expected (" + some + "); aggregate it to one (sum, max) or set series: worst", false);
        }
        Condition failWhen = spec.failWhen();
        Sample worst = worst(finite, failWhen);
        double value = worst.value();
        StringBuilder detail = new StringBuilder();
        if (result.samples().size() > 1) {
            int ignored = result.samples().size() - finite.size();
            detail.append("worst of ").append(result.samples().size()).append(" series by ").append(show(failWhen)).append(": ")
                    .append(labels(worst.labels())).append(" = ").append(Numbers.show(value));
            if (ignored > 0) {
                detail.append(" (").append(ignored).append(" non-finite ignored)");
            }
            detail.append("; ");
        }

        if (spec.minRequests().isPresent()) {
            double min = spec.minRequests().get();
            String volumeTemplate = spec.volumeQuery().orElse(DEFAULT_VOLUME_QUERY);
            String volumeQuery;
            try {
                volumeQuery = template(volumeTemplate).render(vars);
            } catch (IllegalArgumentException e) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.INCONCLUSIVE,
                        detail + "volume query template cannot be rendered: " + e.getMessage(), false);
            }
            QueryResult volume = metrics.query(volumeQuery, at);
            if (volume.error().isPresent()) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.INCONCLUSIVE,
                        detail + "volume query failed: " + volume.error().get() + " (volume query: " + volumeQuery + ")", false);
            }
            double requests = volume.samples().stream().mapToDouble(Sample::value).filter(Double::isFinite).sum();
            if (requests < min) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.NO_DATA,
                        detail + "value " + Numbers.show(value) + " backed by only " + Numbers.show(requests) + " requests (minRequests "
                                + Numbers.show(min) + "; volume query: " + volumeQuery + ")", false);
            }
            detail.append(Numbers.show(requests)).append(" requests; ");
        }

        if (spec.baseline().isPresent()) {
            Plan.Baseline baseline = spec.baseline().get();
            String baselineQuery;
            try {
                baselineQuery = template(baseline.query()).render(vars);
            } catch (IllegalArgumentException e) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.INCONCLUSIVE,
                        detail + "baseline query template cannot be rendered: " + e.getMessage(), false);
            }
            QueryResult reference = metrics.query(baselineQuery, at);
            if (reference.error().isPresent()) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.INCONCLUSIVE,
                        detail + "baseline query failed: " + reference.error().get() + " (baseline query: " + baselineQuery + ")", false);
            }
            List<Sample> refFinite = reference.samples().stream().filter(s -> Double.isFinite(s.value())).toList();
            if (refFinite.size() > 1) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.INCONCLUSIVE,
                        detail + "baseline query returned " + refFinite.size() + " series; it must return one (aggregate it with sum() or max()): "
                                + baselineQuery, false);
            }
            if (refFinite.isEmpty()) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.NO_DATA,
                        detail + "value " + Numbers.show(value) + " but the baseline has no data, so there is no ratio (baseline query: "
                                + baselineQuery + ")", false);
            }
            double ref = refFinite.get(0).value();
            if (ref == 0 && value != 0) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.NO_DATA,
                        detail + "value " + Numbers.show(value) + " but the baseline is 0, so there is no ratio (baseline query: "
                                + baselineQuery + ")", false);
            }
            double ratio = ref == 0 ? 0 : value / ref;
            if (ratio > baseline.maxRatio()) {
                return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.FAIL,
                        detail + Numbers.show(value) + " is " + Numbers.show(ratio) + "× the baseline " + Numbers.show(ref)
                                + " (max ratio " + Numbers.show(baseline.maxRatio()) + ")", true);
            }
            detail.append(ref == 0 ? "value and baseline both 0" : "ratio to baseline " + Numbers.show(ref) + " is " + Numbers.show(ratio))
                    .append(" (max ").append(Numbers.show(baseline.maxRatio())).append("); ");
        }

        if (failWhen.holdsFor(value)) {
            return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.FAIL, detail + Numbers.show(value) + " " + show(failWhen), false);
        }
        return measured(spec, at, query, OptionalDouble.of(value), GateOutcome.PASS, detail + Numbers.show(value) + " not " + show(failWhen), false);
    }

    private QueryTemplate template(String text) {
        QueryTemplate t = templates.get(text);
        if (t == null) {
            t = QueryTemplate.of(text);
            if (templates.size() < 1000) {
                templates.put(text, t);
            }
        }
        return t;
    }

    private static Measurement measured(Plan.MetricGateSpec spec, Instant at, String query, OptionalDouble value, GateOutcome outcome,
                                        String detail, boolean baselineFailure) {
        return new Measurement(new GateEvaluation(spec.name(), at, query, value, outcome, detail, spec.failWhen()), baselineFailure);
    }

    private static Map<String, String> withInterval(Map<String, String> vars, Duration interval) {
        if (vars.containsKey("interval") || interval == null || interval.toMillis() <= 0) {
            return vars;
        }
        Map<String, String> all = new HashMap<>(vars);
        all.put("interval", PromDuration.format(interval));
        return all;
    }

    private static Sample worst(List<Sample> finite, Condition failWhen) {
        Comparator<Sample> byValue = Comparator.comparingDouble(Sample::value);
        return switch (failWhen.op()) {
            case GT, GE -> finite.stream().max(byValue).orElseThrow();
            case LT, LE -> finite.stream().min(byValue).orElseThrow();
            case EQ, NE -> finite.stream().filter(s -> failWhen.holdsFor(s.value())).findFirst().orElse(finite.get(0));
        };
    }

    static String show(Condition c) {
        return c.op().symbol() + " " + Numbers.show(c.threshold());
    }

    private static String labels(Map<String, String> labels) {
        return new TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    // ---------------------------------------------------------------- counting and the verdict

    /** Counts the evaluations of one run and turns them into an outcome and a summary a person can read. */
    private static final class Tally {
        private final Plan.MetricGateSpec spec;
        private final int planned;
        private final List<Measurement> taken = new ArrayList<>();
        private int passed;
        private int noDataPassed;
        private int failed;
        private int noDataFailed;
        private int inconclusive;
        private int waited;

        Tally(Plan.MetricGateSpec spec, int planned) {
            this.spec = spec;
            this.planned = planned;
        }

        void add(Measurement m) {
            taken.add(m);
            switch (m.outcome()) {
                case PASS -> passed++;
                case FAIL -> failed++;
                case INCONCLUSIVE -> inconclusive++;
                case NO_DATA -> {
                    switch (spec.onNoData()) {
                        case FAIL -> noDataFailed++;
                        case PASS -> noDataPassed++;
                        case WAIT -> waited++;
                    }
                }
            }
        }

        int evaluations() {
            return taken.size();
        }

        private int failures() {
            return failed + noDataFailed;
        }

        private int counted() {
            return passed + noDataPassed + failures() + inconclusive;
        }

        private int passes() {
            return passed + noDataPassed;
        }

        private int neededPasses() {
            return Math.max(1, planned - spec.failureLimit());
        }

        boolean decided() {
            return failures() > spec.failureLimit() || inconclusive > spec.failureLimit() || counted() >= planned;
        }

        GateResult result() {
            GateOutcome outcome;
            String why;
            String stopped = counted() < planned ? "; stopped after " + counted() + " of " + planned + " planned samples" : "";
            String limit = "; failure limit " + spec.failureLimit();
            if (failures() > spec.failureLimit()) {
                outcome = failed > 0 ? GateOutcome.FAIL : GateOutcome.NO_DATA;
                why = failureText(failures() + " of " + counted() + " samples") + limit + stopped;
            } else if (inconclusive > spec.failureLimit()) {
                outcome = GateOutcome.INCONCLUSIVE;
                why = inconclusive + " of " + counted() + " queries failed (last: " + lastDetail(GateOutcome.INCONCLUSIVE) + ")" + limit + stopped;
            } else if (counted() < planned) {
                outcome = GateOutcome.NO_DATA;
                why = "only " + counted() + " of " + planned + " samples had data after " + taken.size()
                        + " evaluations (onNoData: wait; last: " + lastDetail(GateOutcome.NO_DATA) + ")";
            } else if (passes() >= neededPasses()) {
                outcome = GateOutcome.PASS;
                why = passes() + " of " + counted() + " samples passed"
                        + (passed > 0 ? " (" + valuesOf(GateOutcome.PASS, false) + " not " + show(spec.failWhen()) + ")" : "")
                        + (noDataPassed > 0 ? ", " + noDataPassed + " of them without data, counted as pass (onNoData: pass)" : "")
                        + (failures() > 0 ? "; " + failureText(String.valueOf(failures())) : "")
                        + (inconclusive > 0 ? "; " + inconclusive + " queries failed" : "")
                        + limit;
            } else {
                outcome = failed > 0 ? GateOutcome.FAIL : noDataFailed > 0 ? GateOutcome.NO_DATA : GateOutcome.INCONCLUSIVE;
                why = "only " + passes() + " of " + counted() + " samples passed, " + neededPasses() + " needed"
                        + (failures() > 0 ? "; " + failureText(String.valueOf(failures())) : "")
                        + (inconclusive > 0 ? "; " + inconclusive + " queries failed (last: " + lastDetail(GateOutcome.INCONCLUSIVE) + ")" : "")
                        + limit;
            }
            if (waited > 0 && outcome != GateOutcome.NO_DATA) {
                why += "; " + waited + " evaluations without data not counted (onNoData: wait)";
            }
            List<GateEvaluation> evaluations = taken.stream().map(Measurement::evaluation).toList();
            return new GateResult(spec.name(), outcome, evaluations, spec.name() + ": " + outcome + " — " + why);
        }

        /** "2 of 3 samples > 0.01 (0.052, 0.049)", with baseline failures and samples without data named apart. */
        private String failureText(String count) {
            long byBaseline = taken.stream().filter(m -> m.outcome() == GateOutcome.FAIL && m.baselineFailure()).count();
            List<String> parts = new ArrayList<>();
            if (failed - byBaseline > 0) {
                parts.add(show(spec.failWhen()) + " (" + failValues(false) + ")");
            }
            if (byBaseline > 0) {
                parts.add("above " + Numbers.show(spec.baseline().map(Plan.Baseline::maxRatio).orElse(0.0)) + "× the baseline ("
                        + failValues(true) + ")");
            }
            String noData = "without data, counted as failures (onNoData: fail; last: " + lastDetail(GateOutcome.NO_DATA) + ")";
            if (parts.isEmpty()) {
                return count + " " + noData;
            }
            if (noDataFailed > 0) {
                parts.add(noDataFailed + " " + noData);
            }
            if (parts.size() == 1 && byBaseline == 0) {
                return count + " " + parts.get(0);
            }
            return count + " failed: " + String.join("; ", parts);
        }

        private String failValues(boolean baseline) {
            return shorten(taken.stream()
                    .filter(m -> m.outcome() == GateOutcome.FAIL && m.baselineFailure() == baseline)
                    .map(m -> Numbers.show(m.evaluation().value().orElse(Double.NaN)))
                    .toList());
        }

        private String valuesOf(GateOutcome outcome, boolean baseline) {
            return shorten(taken.stream()
                    .filter(m -> m.outcome() == outcome && m.baselineFailure() == baseline)
                    .map(m -> m.evaluation().value().isPresent() ? Numbers.show(m.evaluation().value().getAsDouble()) : "no data")
                    .toList());
        }

        private static String shorten(List<String> values) {
            if (values.isEmpty()) {
                return "none";
            }
            if (values.size() <= VALUES_SHOWN) {
                return String.join(", ", values);
            }
            return String.join(", ", values.subList(0, VALUES_SHOWN)) + ", … " + (values.size() - VALUES_SHOWN) + " more";
        }

        private String lastDetail(GateOutcome outcome) {
            for (int i = taken.size() - 1; i >= 0; i--) {
                if (taken.get(i).outcome() == outcome) {
                    return taken.get(i).evaluation().detail();
                }
            }
            return "none";
        }
    }
}
