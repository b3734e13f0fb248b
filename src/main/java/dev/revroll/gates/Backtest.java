package dev.revroll.gates;

import dev.revroll.plan.Condition;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsHistory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * A gate backtest (docs/backtest.md): how a metric gate would have judged steps started at past times. For one gate
 * and one namespace, {@link #simulate} starts a simulated step at the history's first point and then back to back
 * (every planned-evaluations × interval), and for each start runs the very {@link MetricGateRunner#run} a run uses,
 * over a {@link RangeReplay} (the history, fetched with range queries stepped at the gate's interval) and a clock
 * whose sleeps only move simulated time. No rule of a gate is written twice: samples, failure limit, no-data and
 * inconclusive handling, baselines and volume floors are the runner's. {@link #judge} then sums a gate's namespaces
 * up and says whether the gate looks fit to run.
 */
public final class Backtest {

    /** The quantile of history a suggested threshold is taken from (its upper end for {@code >}, lower for {@code <}). */
    public static final double QUANTILE = 0.99;
    /** The margin added to that quantile (a fraction of it). */
    public static final double MARGIN = 0.2;
    /** Simulated steps that fail at this rate or more make a gate "too tight". */
    public static final double TOO_TIGHT = 0.01;
    /** A namespace without data in this share of its simulated steps or more is named. */
    public static final double OFTEN_NO_DATA = 0.1;
    /** A gate whose worst value stays farther than this (a fraction of the threshold) from it "may never trip". */
    public static final double NEVER_NEAR = 0.5;
    /** Points of history one gate's query may span per namespace (a week at 1 s is 604,800); more is refused before anything is read. */
    public static final long MAX_POINTS = 1_000_000;

    /** Start times kept per namespace for each of failed and no data (the counts are whole). */
    public static final int TIMES_KEPT = 20;

    /** The stretch of history looked at, and where in it simulated steps may start. */
    public record Span(Instant from, Instant to, Starts starts) {
    }

    /** Whether a simulated step may start at a time, and lasting how long (the window-hours filter). */
    public interface Starts extends BiPredicate<Instant, Duration> {
        /** "any time", or the window's hours. */
        String describe();

        /** True when only the window's hours count. */
        boolean windowOnly();

        Starts ANY = new Starts() {
            @Override
            public boolean test(Instant start, Duration length) {
                return true;
            }

            @Override
            public String describe() {
                return "any time";
            }

            @Override
            public boolean windowOnly() {
                return false;
            }
        };
    }

    /**
     * One gate in one namespace. {@code worst}: the worst value a simulated step saw (highest for {@code >}/{@code >=},
     * lowest for {@code <}/{@code <=}), from evaluations that passed or failed on it (not those without data or
     * volume); {@code quantile}: {@link #QUANTILE} of those values (its low end for {@code <}); {@code suggested}:
     * that quantile with {@link #MARGIN}. By hour: simulated steps, failed and no-data steps by the UTC hour they
     * started in (24 each). {@code firstProblem}: the first non-PASS step's summary, as the run would say it.
     */
    public record NamespaceResult(String namespace, int steps, int passed, int failed, int inconclusive, int noData,
                                  OptionalDouble worst, Optional<Instant> worstAt, int values, OptionalDouble quantile,
                                  OptionalDouble suggested, List<Instant> failedStarts, List<Instant> noDataStarts,
                                  int[] stepsByHour, int[] failedByHour, int[] noDataByHour, Optional<String> firstProblem,
                                  int rangeQueries, Profile profile) {
    }

    /**
     * The worst value judged in each stretch of the history ({@code bucket} long from {@code from}; NaN: none), for
     * drawing a gate's history against its threshold (at most {@link #PROFILE_BUCKETS} stretches).
     */
    public record Profile(Instant from, Duration bucket, double[] worst) {
    }

    /** Stretches a history is drawn in: an hour each, or longer for a history of more than a week. */
    public static final int PROFILE_BUCKETS = 168;

    /** A gate over every namespace, with its verdict: {@code fit}, the findings behind it and one summary line. */
    public record GateBacktest(String gate, String failWhen, Duration interval, int plannedSamples, Duration stepLength,
                               List<NamespaceResult> namespaces, int steps, int passed, int failed, int inconclusive, int noData,
                               OptionalDouble worst, Optional<String> worstNamespace, Optional<Instant> worstAt,
                               OptionalDouble suggested, Optional<String> suggestedFrom, boolean fit, List<String> findings,
                               String summary, Profile profile) {
    }

    /** Every gate's backtest over the plan's namespaces. */
    public record Report(Instant from, Instant to, String starts, boolean windowOnly, List<GateBacktest> gates) {
        public boolean fit() {
            return gates.stream().allMatch(GateBacktest::fit);
        }
    }

    private Backtest() {
    }

    /** The first point of the gate's grid in {@code span} (times that are whole multiples of the interval). */
    static Instant origin(Plan.MetricGateSpec spec, Span span) {
        long step = spec.interval().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(span.from().toEpochMilli() + step - 1, step) * step);
    }

    /** The last point of the gate's grid in {@code span}. */
    static Instant last(Plan.MetricGateSpec spec, Span span) {
        long step = spec.interval().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(span.to().toEpochMilli(), step) * step);
    }

    /** How long one simulated step's gate takes as planned (the distance between two simulated starts). */
    public static Duration stepLength(Plan.MetricGateSpec spec, Duration bake) {
        return spec.interval().multipliedBy(MetricGateRunner.plannedEvaluations(spec, bake));
    }

    /** Simulated steps of one gate in one namespace over {@code span}, each run by the gate runner over the history. */
    public static NamespaceResult simulate(MetricsHistory history, Plan.MetricGateSpec spec, Map<String, String> vars, Duration bake,
                                           String namespace, Span span) {
        long step = spec.interval().toMillis();
        int planned = MetricGateRunner.plannedEvaluations(spec, bake);
        int mostEvaluations = spec.onNoData() == OnNoData.WAIT ? 2 * planned : planned;
        Duration length = stepLength(spec, bake);
        Instant origin = origin(spec, span);
        Instant last = last(spec, span);
        RangeReplay replay = new RangeReplay(history, origin, spec.interval(), last.isBefore(origin) ? origin : last);
        SimulatedClock clock = new SimulatedClock();
        MetricGateRunner runner = new MetricGateRunner(replay, clock);
        Observed seen = new Observed(spec.failWhen(), profile(span));
        Counts counts = new Counts();
        for (long t = origin.toEpochMilli(); t + mostEvaluations * step <= last.toEpochMilli(); t += planned * step) {
            Instant start = Instant.ofEpochMilli(t);
            if (!span.starts().test(start, length)) {
                continue;
            }
            replay.forgetBefore(replay.indexOf(start) + 1); // a step's first evaluation is one interval after its start
            clock.set(start);
            GateResult r = runner.run(spec, vars, bake, seen::evaluation);
            counts.add(start, r);
        }
        OptionalDouble quantile = seen.quantile();
        return new NamespaceResult(namespace, counts.steps, counts.passed, counts.failed, counts.inconclusive, counts.noData,
                seen.worst(), seen.worstAt(), seen.size, quantile, suggest(spec.failWhen(), quantile),
                List.copyOf(counts.failedStarts), List.copyOf(counts.noDataStarts), counts.stepsByHour, counts.failedByHour,
                counts.noDataByHour, Optional.ofNullable(counts.firstProblem), replay.rangeQueries(), seen.profile);
    }

    /** An empty profile of the span: hour-long stretches, longer when the span is longer than {@link #PROFILE_BUCKETS} hours. */
    static Profile profile(Span span) {
        long total = Math.max(1, span.to().toEpochMilli() - span.from().toEpochMilli());
        long bucket = Math.max(3_600_000L, (total + PROFILE_BUCKETS - 1) / PROFILE_BUCKETS);
        double[] worst = new double[(int) ((total + bucket - 1) / bucket)];
        Arrays.fill(worst, Double.NaN);
        return new Profile(span.from(), Duration.ofMillis(bucket), worst);
    }

    /** The quantile with the margin, toward passing: above it for {@code >}/{@code >=}, below it for {@code <}/{@code <=}. */
    static OptionalDouble suggest(Condition failWhen, OptionalDouble quantile) {
        if (quantile.isEmpty()) {
            return OptionalDouble.empty();
        }
        double q = quantile.getAsDouble();
        return switch (failWhen.op()) {
            case GT, GE -> OptionalDouble.of(q + MARGIN * Math.abs(q));
            case LT, LE -> OptionalDouble.of(q - MARGIN * Math.abs(q));
            case EQ, NE -> OptionalDouble.empty();
        };
    }

    /** Sums a gate's namespaces up and judges it (the findings are listed in docs/backtest.md). */
    public static GateBacktest judge(Plan.MetricGateSpec spec, Duration bake, List<NamespaceResult> namespaces, Span span) {
        Condition failWhen = spec.failWhen();
        boolean high = failWhen.op() != Condition.Operator.LT && failWhen.op() != Condition.Operator.LE;
        int steps = namespaces.stream().mapToInt(NamespaceResult::steps).sum();
        int passed = namespaces.stream().mapToInt(NamespaceResult::passed).sum();
        int failed = namespaces.stream().mapToInt(NamespaceResult::failed).sum();
        int inconclusive = namespaces.stream().mapToInt(NamespaceResult::inconclusive).sum();
        int noData = namespaces.stream().mapToInt(NamespaceResult::noData).sum();
        Comparator<NamespaceResult> byWorst = Comparator.comparingDouble(n -> n.worst().getAsDouble());
        Optional<NamespaceResult> worst = namespaces.stream().filter(n -> n.worst().isPresent())
                .max(high ? byWorst : byWorst.reversed());
        Comparator<NamespaceResult> bySuggested = Comparator.comparingDouble(n -> n.suggested().getAsDouble());
        Optional<NamespaceResult> loosest = namespaces.stream().filter(n -> n.suggested().isPresent())
                .max(high ? bySuggested : bySuggested.reversed());
        String where = span.starts().windowOnly() ? " at window hours" : "";
        String threshold = "fails when " + MetricGateRunner.show(failWhen);

        List<String> findings = new ArrayList<>();
        boolean fit = true;
        if (namespaces.isEmpty()) {
            fit = false;
            findings.add("no namespace to backtest: the plan would move none now");
        } else if (steps == 0) {
            fit = false;
            findings.add("no simulated step fits in the history" + where + " (" + dev.revroll.plan.DurationText.format(stepLength(spec, bake)) + " per step)");
        } else {
            List<NamespaceResult> silent = namespaces.stream().filter(n -> n.steps() > 0 && n.noData() == n.steps()).toList();
            if (!silent.isEmpty()) {
                fit = false;
                findings.add(silent.size() == namespaces.stream().filter(n -> n.steps() > 0).count()
                        ? "never any data" + where
                        : "never any data" + where + " in " + names(silent) + " (" + silent.size() + " of " + namespaces.size() + " namespaces)");
            }
            List<NamespaceResult> often = namespaces.stream()
                    .filter(n -> n.steps() > 0 && n.noData() < n.steps() && n.noData() >= OFTEN_NO_DATA * n.steps()).toList();
            for (NamespaceResult n : often.subList(0, Math.min(5, often.size()))) {
                fit = false;
                findings.add("no data in " + percent(n.noData(), n.steps()) + " of simulated steps in " + n.namespace()
                        + " (" + n.noData() + " of " + n.steps() + ", started at " + hours(n.noDataByHour()) + " UTC)");
            }
            if (often.size() > 5) {
                findings.add("and " + (often.size() - 5) + " more namespaces often without data");
            }
            if (failed > 0) {
                List<NamespaceResult> failing = namespaces.stream().filter(n -> n.failed() > 0)
                        .sorted(Comparator.comparingInt(NamespaceResult::failed).reversed()).toList();
                String which = failing.stream().limit(3).map(n -> n.namespace() + " " + n.failed() + " of " + n.steps())
                        .collect(Collectors.joining(", ")) + (failing.size() > 3 ? ", …" : "");
                String suggestion = loosest.map(n -> "; suggested threshold " + MetricGateRunner.show(new Condition(failWhen.op(), n.suggested().getAsDouble()))
                        + " (" + quantileName(high) + " of " + n.namespace() + "'s history + " + (int) (MARGIN * 100) + "%)").orElse("");
                if ((double) failed / steps >= TOO_TIGHT) {
                    fit = false;
                    findings.add("would have failed " + percent(failed, steps) + " of simulated steps (" + failed + " of " + steps + "; " + which
                            + "): too tight, or the history holds real trouble" + suggestion);
                } else {
                    findings.add("would have failed " + failed + " of " + steps + " simulated steps (" + percent(failed, steps) + "; " + which
                            + "): look at those times");
                }
            }
            if (inconclusive > 0) {
                fit = false;
                String last = namespaces.stream().filter(n -> n.inconclusive() > 0).findFirst().flatMap(NamespaceResult::firstProblem).orElse("");
                findings.add(inconclusive + " simulated steps inconclusive (queries failed" + (last.isEmpty() ? "" : ": " + last) + ")");
            }
            if (worst.isPresent() && failed == 0 && neverNear(failWhen, worst.get().worst().getAsDouble())) {
                fit = false;
                findings.add("never came within " + (int) (NEVER_NEAR * 100) + "% of the threshold (worst " + Numbers.show(worst.get().worst().getAsDouble())
                        + " in " + worst.get().namespace() + " at " + worst.get().worstAt().map(Instant::toString).orElse("?") + "; " + threshold
                        + "): may never trip");
            }
        }
        if (fit) {
            findings.add(0, "fit: passed " + passed + " of " + steps + " simulated steps in " + namespaces.size() + " namespace"
                    + (namespaces.size() == 1 ? "" : "s") + where + worst.map(n -> "; worst " + Numbers.show(n.worst().getAsDouble()) + " ("
                    + n.namespace() + " at " + n.worstAt().map(Instant::toString).orElse("?") + ")").orElse("") + "; " + threshold);
        }
        String summary = spec.name() + ": " + (fit ? "" : "NOT FIT — ") + String.join("; ", findings);
        Profile profile = profile(span);
        for (NamespaceResult n : namespaces) {
            for (int i = 0; i < Math.min(profile.worst().length, n.profile().worst().length); i++) {
                double v = n.profile().worst()[i];
                double w = profile.worst()[i];
                if (!Double.isNaN(v) && (Double.isNaN(w) || (high ? v > w : v < w))) {
                    profile.worst()[i] = v;
                }
            }
        }
        return new GateBacktest(spec.name(), MetricGateRunner.show(failWhen), spec.interval(), MetricGateRunner.plannedEvaluations(spec, bake),
                stepLength(spec, bake), List.copyOf(namespaces), steps, passed, failed, inconclusive, noData,
                worst.map(n -> n.worst()).orElse(OptionalDouble.empty()), worst.map(NamespaceResult::namespace),
                worst.flatMap(NamespaceResult::worstAt), loosest.map(NamespaceResult::suggested).orElse(OptionalDouble.empty()),
                loosest.map(NamespaceResult::namespace), fit, List.copyOf(findings), summary, profile);
    }

    public static String quantileName(boolean high) {
        return high ? "p" + Math.round(QUANTILE * 100) : "p" + Math.round((1 - QUANTILE) * 100);
    }

    private static boolean neverNear(Condition failWhen, double worst) {
        double t = failWhen.threshold();
        return switch (failWhen.op()) {
            case GT, GE -> t > 0 && worst < t * (1 - NEVER_NEAR);
            case LT, LE -> t > 0 && worst > t * (1 + NEVER_NEAR);
            case EQ, NE -> false;
        };
    }

    private static String names(List<NamespaceResult> ns) {
        return ns.stream().limit(5).map(NamespaceResult::namespace).collect(Collectors.joining(", ")) + (ns.size() > 5 ? ", …" : "");
    }

    static String percent(int part, int whole) {
        double p = 100.0 * part / whole;
        return (p >= 1 || p == 0 ? String.valueOf(Math.round(p)) : String.format(java.util.Locale.ROOT, "%.1f", p)) + "%";
    }

    /** "00-05, 22-23": the hours with any count, runs joined. */
    static String hours(int[] byHour) {
        List<String> runs = new ArrayList<>();
        int h = 0;
        while (h < 24) {
            if (byHour[h] == 0) {
                h++;
                continue;
            }
            int end = h;
            while (end + 1 < 24 && byHour[end + 1] > 0) {
                end++;
            }
            runs.add(end == h ? String.format("%02d", h) : String.format("%02d-%02d", h, end));
            h = end + 1;
        }
        return String.join(", ", runs);
    }

    // ---------------------------------------------------------------- the simulation's parts

    /** Simulated time: {@code sleep} moves it on at once. */
    static final class SimulatedClock implements GateClock {
        private Instant now = Instant.EPOCH;

        void set(Instant at) {
            now = at;
        }

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public void sleep(Duration duration) {
            now = now.plus(duration);
        }
    }

    /** Per-step counts. */
    private static final class Counts {
        int steps;
        int passed;
        int failed;
        int inconclusive;
        int noData;
        final List<Instant> failedStarts = new ArrayList<>();
        final List<Instant> noDataStarts = new ArrayList<>();
        final int[] stepsByHour = new int[24];
        final int[] failedByHour = new int[24];
        final int[] noDataByHour = new int[24];
        String firstProblem;

        void add(Instant start, GateResult r) {
            int hour = start.atZone(ZoneOffset.UTC).getHour();
            steps++;
            stepsByHour[hour]++;
            switch (r.outcome()) {
                case PASS -> passed++;
                case FAIL -> {
                    failed++;
                    failedByHour[hour]++;
                    if (failedStarts.size() < TIMES_KEPT) {
                        failedStarts.add(start);
                    }
                }
                case INCONCLUSIVE -> inconclusive++;
                case NO_DATA -> {
                    noData++;
                    noDataByHour[hour]++;
                    if (noDataStarts.size() < TIMES_KEPT) {
                        noDataStarts.add(start);
                    }
                }
            }
            if (r.outcome() != GateOutcome.PASS && firstProblem == null) {
                firstProblem = start + ": " + r.summary();
            }
        }
    }

    /** The values the simulated steps judged (PASS or FAIL on them), for the worst and the quantile. */
    private static final class Observed {
        private final boolean high;
        private double[] values = new double[1024];
        int size;
        private double worst;
        private Instant worstAt;
        final Profile profile;
        private final long from;
        private final long bucket;

        Observed(Condition failWhen, Profile profile) {
            this.high = failWhen.op() != Condition.Operator.LT && failWhen.op() != Condition.Operator.LE;
            this.profile = profile;
            this.from = profile.from().toEpochMilli();
            this.bucket = profile.bucket().toMillis();
        }

        void evaluation(GateEvaluation e) {
            if ((e.outcome() != GateOutcome.PASS && e.outcome() != GateOutcome.FAIL) || e.value().isEmpty()) {
                return;
            }
            double v = e.value().getAsDouble();
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
            int b = (int) ((e.at().toEpochMilli() - from) / bucket);
            if (b >= 0 && b < profile.worst().length) {
                double w = profile.worst()[b];
                if (Double.isNaN(w) || (high ? v > w : v < w)) {
                    profile.worst()[b] = v;
                }
            }
            if (worstAt == null || (high ? v > worst : v < worst)) {
                worst = v;
                worstAt = e.at();
            }
        }

        OptionalDouble worst() {
            return worstAt == null ? OptionalDouble.empty() : OptionalDouble.of(worst);
        }

        Optional<Instant> worstAt() {
            return Optional.ofNullable(worstAt);
        }

        /** Nearest rank: the {@link #QUANTILE} (or its low end) of the values seen. */
        OptionalDouble quantile() {
            if (size == 0) {
                return OptionalDouble.empty();
            }
            double[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            double q = high ? QUANTILE : 1 - QUANTILE;
            int rank = (int) Math.ceil(q * size); // 1-based
            return OptionalDouble.of(sorted[Math.max(0, Math.min(size - 1, rank - 1))]);
        }
    }
}
