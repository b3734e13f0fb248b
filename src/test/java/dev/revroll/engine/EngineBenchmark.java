package dev.revroll.engine;

import dev.revroll.gates.GateClock;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.GateResult;
import dev.revroll.gates.MetricGateRunner;
import dev.revroll.plan.Condition;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.MetricsHistory;
import dev.revroll.ports.MetricsProvider;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * In-process timing harness for {@code benchmarks/engine.sh} (not a unit test: surefire does not pick it up, and
 * timings on a shared machine do not belong in {@code mvn test}). Runs the engine's logic over the in-memory fakes the
 * unit tests use and prints one {@code key=value} line per measurement:
 * <ul>
 *   <li>{@code planning NAMESPACES WORKLOADS}: {@link StepPlanner#layout} and {@link RolloutEngine#preview} (survey,
 *       dry-run writes, one evaluation per gate and namespace, estimate) over that many namespaces;</li>
 *   <li>{@code gates EVALUATIONS SERIES}: one {@link MetricGateRunner#run} of that many evaluations (error-rate query
 *       with a request-volume floor and a baseline: three queries each, a clock that does not sleep), and one
 *       {@link MetricGateRunner#evaluateOnce} over a query answering SERIES series;</li>
 *   <li>{@code backtest NAMESPACES DAYS}: {@link RolloutEngine#preview} with {@code --backtest DAYSd} over that many
 *       namespaces, one error-rate gate with a request-volume floor (two queries; 1-minute interval, 5 samples: a
 *       5-minute simulated step), the history an in-memory {@link MetricsHistory} that computes each range query's
 *       answer; one run (no warm repetitions: it is long), with the peak heap of the run.</li>
 * </ul>
 * Times: the first (cold) run — what a one-shot CLI pays — and the best of the warm repetitions, wall and CPU time of
 * the measuring thread. Heap: used heap after a full GC while the layout and the preview are held, minus the fake
 * cluster's own (retained). {@code benchmarks/engine.sh} runs it with the launcher's JVM options and a capped heap.
 */
public final class EngineBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int WARM_RUNS = 3;

    private EngineBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: EngineBenchmark planning NAMESPACES WORKLOADS | gates EVALUATIONS SERIES | backtest NAMESPACES DAYS");
            System.exit(2);
        }
        switch (args[0]) {
            case "planning" -> planning(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "gates" -> gates(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "backtest" -> backtest(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> {
                System.err.println("unknown benchmark " + args[0]);
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- step planning and preview

    static void planning(int namespaces, int workloadsPerNamespace) {
        FakeCluster cluster = largeCluster(namespaces, workloadsPerNamespace);
        Plan plan = largePlan(namespaces);
        RevisionTarget target = RevisionTarget.resolve("1-28-0", cluster.webhooks).orElseThrow();
        long baseline = retainedHeap();

        Timed<RolloutLayout> layout = time(() -> new StepPlanner(cluster).layout(plan, target, new InjectionTable(cluster.webhooks)));
        int targets = layout.result().allTargets().size();
        int skips = layout.result().allSkips().size();
        report("layout", layout, "targets=" + targets + " skips=" + skips);

        RolloutEngine engine = Fakes.engine(cluster, new Fakes.Journal(), new Fakes.Lock(), new Fakes.Gates(), RunWindow.ALWAYS);
        Timed<Preview> preview = time(() -> engine.preview(plan));
        Preview p = preview.result();
        long moving = p.survey().workloads().values().stream().flatMap(List::stream).filter(WorkloadPlan::moves).count();
        if (!p.survey().refusals().isEmpty()) {
            throw new IllegalStateException("preview refused: " + p.survey().refusals().subList(0, Math.min(3, p.survey().refusals().size())));
        }
        if (p.survey().layout().orElseThrow().allTargets().size() != targets) {
            throw new IllegalStateException("preview and layout disagree on the targets");
        }
        long retained = retainedHeap() - baseline;
        report("preview", preview, "targets=" + targets + " workloads_moving=" + moving
                + " retained_heap_mib=" + mib(retained));
        System.out.println("planning namespaces=" + namespaces + " workloads_per_namespace=" + workloadsPerNamespace
                + " cluster_heap_mib=" + mib(baseline));
    }

    /** Namespaces on 1-27-0 except every 50th (on 1-26-0: skipped) and every 97th (not meshed: skipped). */
    static FakeCluster largeCluster(int namespaces, int workloadsPerNamespace) {
        FakeCluster c = new IndexedCluster();
        c.webhooks.add(FakeCluster.revisionWebhook("1-26-0"));
        c.webhooks.add(FakeCluster.revisionWebhook("1-27-0"));
        c.webhooks.add(FakeCluster.revisionWebhook("1-28-0"));
        c.istiodReady.put("1-27-0", true);
        c.istiodReady.put("1-28-0", true);
        for (int i = 0; i < namespaces; i++) {
            String ns = name(i);
            Map<String, String> labels = new HashMap<>();
            labels.put("team", "t" + (i % 5));
            if (i % 97 != 0) {
                labels.put("istio.io/rev", i % 50 == 0 ? "1-26-0" : "1-27-0");
            }
            c.addNamespace(ns, labels);
            for (int w = 0; w < workloadsPerNamespace; w++) {
                WorkloadKind kind = w % 5 == 3 ? WorkloadKind.StatefulSet : w % 5 == 4 ? WorkloadKind.DaemonSet : WorkloadKind.Deployment;
                String strategy = kind == WorkloadKind.StatefulSet && w % 10 == 3 ? "OnDelete" : "RollingUpdate";
                WorkloadRef ref = new WorkloadRef(kind, ns, "app-" + w);
                Map<String, String> podLabels = Map.of("app", "app-" + w);
                c.addWorkload(new Workload(ref, 1, kind == WorkloadKind.DaemonSet ? 3 : 2, strategy,
                        w % 2 == 0 ? Optional.of("25%") : Optional.of("0"), w % 2 == 0 ? Optional.of("25%") : Optional.of("1"),
                        Map.of(), podLabels, Map.of()));
            }
        }
        return c;
    }

    /** Half the namespaces listed in waves of 50, the other half selected (team=tN) in five waves with an exclude each. */
    static Plan largePlan(int namespaces) {
        List<Plan.Wave> waves = new ArrayList<>();
        int listed = namespaces / 2;
        for (int start = 0; start < listed; start += 50) {
            List<String> names = new ArrayList<>();
            for (int i = start; i < Math.min(listed, start + 50); i++) {
                names.add(name(i));
            }
            waves.add(new Plan.Wave("listed-" + start, names, Optional.empty(), List.of(), 4));
        }
        for (int t = 0; t < 5; t++) {
            waves.add(new Plan.Wave("team-" + t, List.of(), Optional.of("team=t" + t), List.of(name(listed + t)), 8));
        }
        List<Plan.MetricGateSpec> gates = List.of(Fakes.errorRate(),
                new Plan.MetricGateSpec("p99", "histogram_quantile(0.99, x{ns=\"{{namespace}}\"})", new Condition(Condition.Operator.GT, 500),
                        Duration.ofSeconds(30), 3, 0, OnNoData.FAIL, Optional.empty(), Optional.empty(), Optional.empty()));
        return Fakes.plan("1-27-0", "1-28-0", waves, SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, gates);
    }

    static String name(int i) {
        return String.format("ns-%05d", i);
    }

    /**
     * The unit tests' fake cluster, with workloads looked up per namespace instead of scanned: the fake's linear scan
     * over every workload of the cluster would measure the fake, not the engine (the real adapter lists one namespace).
     */
    static final class IndexedCluster extends FakeCluster {
        private final Map<String, List<Workload>> byNamespace = new HashMap<>();

        @Override
        void addWorkload(Workload w) {
            super.addWorkload(w);
            byNamespace.computeIfAbsent(w.ref().namespace(), n -> new ArrayList<>()).add(w);
        }

        @Override
        public List<Workload> workloads(String namespace, Set<WorkloadKind> kinds) {
            return byNamespace.getOrDefault(namespace, List.of()).stream()
                    .map(w -> workloads.get(w.ref()))
                    .filter(w -> kinds.contains(w.ref().kind())).toList();
        }
    }

    // ---------------------------------------------------------------- gates

    static void gates(int evaluations, int series) {
        Plan.MetricGateSpec spec = new Plan.MetricGateSpec("error-rate",
                "sum(rate(istio_requests_total{destination_workload_namespace=\"{{namespace}}\",response_code=~\"5..\"}[{{interval}}]))"
                        + " / sum(rate(istio_requests_total{destination_workload_namespace=\"{{namespace}}\"}[{{interval}}]))",
                new Condition(Condition.Operator.GT, 0.01), Duration.ofSeconds(30), evaluations, evaluations / 100, OnNoData.WAIT,
                Optional.of(10.0), Optional.empty(),
                Optional.of(new Plan.Baseline("sum(rate(errors{ns=\"{{namespace}}\",rev=\"{{fromRevision}}\"}[{{interval}}]))", 2.0)));
        Map<String, String> vars = Map.of("namespace", "shop", "revision", "1-28-0", "fromRevision", "1-27-0", "wave", "w", "plan", "p");
        Timed<GateResult> run = time(() -> new MetricGateRunner(new SteadyMetrics(1), new SteppingClock())
                .run(spec, vars, Duration.ZERO, e -> { }));
        GateResult r = run.result();
        if (r.evaluations().size() != evaluations || r.outcome() != GateOutcome.PASS) {
            throw new IllegalStateException("gate run: " + r.outcome() + " after " + r.evaluations().size() + " evaluations: " + r.summary());
        }
        report("gate_run", run, "evaluations=" + r.evaluations().size() + " queries_per_evaluation=3 outcome=" + r.outcome());

        Plan.MetricGateSpec wide = new Plan.MetricGateSpec("p99", "histogram_quantile(0.99, x{ns=\"{{namespace}}\"})",
                new Condition(Condition.Operator.GT, 500), Duration.ofSeconds(30), 1, 0, OnNoData.FAIL, Optional.empty(), Optional.empty(),
                Optional.empty());
        Timed<GateEvaluation> once = time(() -> new MetricGateRunner(new SteadyMetrics(series), new SteppingClock()).evaluateOnce(wide, vars));
        if (once.result().outcome() != GateOutcome.PASS) {
            throw new IllegalStateException("wide evaluation: " + once.result());
        }
        report("gate_series", once, "series=" + series);
    }

    // ---------------------------------------------------------------- backtest

    static void backtest(int namespaces, int days) {
        FakeCluster cluster = largeCluster(namespaces, 1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < namespaces; i++) {
            if (i % 97 != 0 && i % 50 != 0) {
                names.add(name(i)); // the ones that move (every 97th is not meshed, every 50th on another revision)
            }
        }
        Plan.MetricGateSpec gate = new Plan.MetricGateSpec("error-rate", "errors{ns=\"{{namespace}}\"}", new Condition(Condition.Operator.GT, 0.05),
                Duration.ofMinutes(1), 5, 0, OnNoData.FAIL, Optional.of(100.0), Optional.of("requests{ns=\"{{namespace}}\"}"), Optional.empty());
        Plan plan = Fakes.plan("1-27-0", "1-28-0", List.of(new Plan.Wave("all", names, Optional.empty(), List.of(), 8)), SurgePolicy.ENFORCE,
                OnFailure.ROLLBACK_STEP, List.of(gate));
        RolloutEngine engine = Fakes.engine(cluster, new Fakes.Journal(), new Fakes.Lock(), new Fakes.Gates(), RunWindow.ALWAYS);
        ComputedHistory history = new ComputedHistory();
        Instant until = Instant.parse("2026-12-01T00:00:00Z");
        long baseline = retainedHeap();
        resetPeaks();
        long w0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        Preview p = engine.preview(plan, Optional.of(new BacktestRequest(history, Duration.ofDays(days), until, false)));
        long cpu = THREADS.getCurrentThreadCpuTime() - c0;
        long wall = System.nanoTime() - w0;
        long peak = peakHeap();
        dev.revroll.gates.Backtest.GateBacktest g = p.backtest().orElseThrow().gates().get(0);
        long retained = retainedHeap() - baseline;
        System.out.printf("backtest wall_ms=%d cpu_ms=%d namespaces=%d days=%d simulated_steps=%d failed=%d no_data=%d range_queries=%d "
                        + "points_fetched=%d peak_heap_mib=%d retained_heap_mib=%d max_heap_mib=%d%n", wall / 1_000_000, cpu / 1_000_000,
                g.namespaces().size(), days, g.steps(), g.failed(), g.noData(), history.queries, history.points, mib(peak), mib(retained),
                mib(Runtime.getRuntime().maxMemory()));
    }

    /**
     * History computed per range query: 0.01 with a spike to 0.2 every 1000th minute in every 7th namespace, 500
     * requests a minute except every 333rd minute (10: too few for the floor).
     */
    static final class ComputedHistory implements MetricsHistory {
        long queries;
        long points;

        @Override
        public RangeResult queryRange(String promql, Instant start, Instant end, Duration step, int maxSeries) {
            int n = (int) ((end.toEpochMilli() - start.toEpochMilli()) / step.toMillis()) + 1;
            if (n > MAX_POINTS_PER_SERIES) {
                throw new IllegalStateException("a range query of " + n + " points");
            }
            queries++;
            points += n;
            boolean volume = promql.startsWith("requests");
            boolean spiky = Math.floorMod(promql.hashCode(), 7) == 0;
            long[] times = new long[n];
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                times[i] = start.toEpochMilli() + i * step.toMillis();
                long minute = times[i] / 60_000;
                values[i] = volume ? (minute % 333 == 0 ? 10 : 500) : (spiky && minute % 1000 == 0 ? 0.2 : 0.01);
            }
            return new RangeResult(List.of(new Series(Map.of(), times, values)), Optional.empty());
        }
    }

    static void resetPeaks() {
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** The sum of the heap pools' peak use since {@link #resetPeaks} (an upper bound of the heap in use at any moment). */
    static long peakHeap() {
        long sum = 0;
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** Answers every query with {@code series} series of small values (0.001, plus 20 requests per volume query). */
    static final class SteadyMetrics implements MetricsProvider {
        private final List<Sample> samples = new ArrayList<>();

        SteadyMetrics(int series) {
            for (int i = 0; i < series; i++) {
                samples.add(new Sample(Map.of("pod", "p-" + i, "destination_workload", "w-" + (i % 50)), 0.001 + (i % 7) * 0.0001));
            }
        }

        @Override
        public QueryResult query(String promql, Instant at) {
            if (promql.startsWith("sum(increase(istio_requests_total")) {
                return new QueryResult(List.of(new Sample(Map.of(), 20)), Optional.empty());
            }
            return new QueryResult(samples, Optional.empty());
        }

        @Override
        public boolean reachable() {
            return true;
        }

        @Override
        public String describe() {
            return "steady";
        }
    }

    /** A clock whose sleeps pass at once. */
    static final class SteppingClock implements GateClock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public void sleep(Duration duration) {
            now = now.plus(duration);
        }
    }

    // ---------------------------------------------------------------- measuring

    record Timed<T>(T result, long coldWallNanos, long coldCpuNanos, long warmWallNanos, long warmCpuNanos) {
    }

    /** The first run, then the best of {@link #WARM_RUNS} more; returns the first run's result. */
    static <T> Timed<T> time(Supplier<T> work) {
        long w0 = System.nanoTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        T first = work.get();
        long coldCpu = THREADS.getCurrentThreadCpuTime() - c0;
        long coldWall = System.nanoTime() - w0;
        long bestWall = Long.MAX_VALUE;
        long bestCpu = Long.MAX_VALUE;
        for (int i = 0; i < WARM_RUNS; i++) {
            long w = System.nanoTime();
            long c = THREADS.getCurrentThreadCpuTime();
            work.get();
            bestCpu = Math.min(bestCpu, THREADS.getCurrentThreadCpuTime() - c);
            bestWall = Math.min(bestWall, System.nanoTime() - w);
        }
        return new Timed<>(first, coldWall, coldCpu, bestWall, bestCpu);
    }

    static void report(String name, Timed<?> t, String extra) {
        System.out.printf("%s cold_wall_ms=%d cold_cpu_ms=%d warm_wall_ms=%d warm_cpu_ms=%d %s%n", name,
                t.coldWallNanos() / 1_000_000, t.coldCpuNanos() / 1_000_000, t.warmWallNanos() / 1_000_000, t.warmCpuNanos() / 1_000_000, extra);
    }

    static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long mib(long bytes) {
        return Math.round(bytes / 1048576.0);
    }
}
