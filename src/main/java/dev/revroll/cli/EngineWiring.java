package dev.revroll.cli;

import dev.revroll.engine.MetricGates;
import dev.revroll.engine.NoGitRecord;
import dev.revroll.engine.RolloutEngine;
import dev.revroll.engine.RunWindow;
import dev.revroll.errors.PreflightException;
import dev.revroll.errors.UsageException;
import dev.revroll.gates.GateClock;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateResult;
import dev.revroll.git.JGitOpsRepository;
import dev.revroll.kube.ClientJavaKubernetesGateway;
import dev.revroll.kube.ConfigMapJournalStore;
import dev.revroll.kube.KubeConnection;
import dev.revroll.kube.LeaseRunLock;
import dev.revroll.plan.MaintenanceWindow;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.JournalStore;
import dev.revroll.ports.MetricsProvider;
import dev.revroll.prometheus.PrometheusMetricsProvider;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Builds the engine's ports from the global options and the plan (the adapters); closes what it opened. */
final class EngineWiring implements AutoCloseable {

    /** Poll interval for rollouts and proxy sync; {@code REVROLL_POLL_INTERVAL} (e.g. {@code 500ms}) overrides. */
    static final Duration POLL = Optional.ofNullable(System.getenv("REVROLL_POLL_INTERVAL")).map(EngineWiring::millis).orElse(Duration.ofSeconds(2));
    static final Duration LOCK_TTL = Duration.ofSeconds(30);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    final KubeConnection connection;
    private PrometheusMetricsProvider prometheus;

    EngineWiring(GlobalOptions global) {
        this.connection = KubeConnection.open(global.kubeconfig(), global.context());
    }

    private static Duration millis(String s) {
        return s.endsWith("ms") ? Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)))
                : Duration.ofSeconds(Long.parseLong(s.replace("s", "")));
    }

    JournalStore journal(String controlPlaneNamespace) {
        return new ConfigMapJournalStore(connection, controlPlaneNamespace);
    }

    RolloutEngine engine(Plan plan) {
        return engine(plan, true);
    }

    /** {@code withGit} false: break-glass, Git is not opened at all. */
    RolloutEngine engine(Plan plan, boolean withGit) {
        checkContext(plan);
        String cp = plan.spec().controlPlane().namespace();
        Optional<MetricsProvider> metrics = plan.spec().prometheus().map(p -> {
            PrometheusMetricsProvider provider = new PrometheusMetricsProvider(p);
            closeables.add(provider);
            prometheus = provider;
            return provider;
        });
        MetricGates gates = metrics.<MetricGates>map(EngineWiring::gates).orElse(new MetricGates() {
            @Override
            public GateResult run(Plan.MetricGateSpec spec, Map<String, String> vars, Duration bake, Consumer<GateEvaluation> listener) {
                throw new UsageException("metric gate " + spec.name() + " needs spec.prometheus.url");
            }

            @Override
            public GateEvaluation evaluateOnce(Plan.MetricGateSpec spec, Map<String, String> vars) {
                throw new UsageException("metric gate " + spec.name() + " needs spec.prometheus.url");
            }
        });
        GitOpsRepository git = plan.spec().git().filter(g -> withGit).<GitOpsRepository>map(g -> {
            JGitOpsRepository repo = JGitOpsRepository.open(g, plan.name());
            closeables.add(repo);
            return repo;
        }).orElseGet(NoGitRecord::new);
        RunWindow window = plan.spec().window().map(w -> RunWindow.of(MaintenanceWindow.of(w))).orElse(RunWindow.ALWAYS);
        return new RolloutEngine(new RolloutEngine.Ports(new ClientJavaKubernetesGateway(connection), journal(cp),
                new LeaseRunLock(connection, cp), git, metrics, gates, window, Clock.systemUTC(), POLL, LOCK_TTL));
    }

    /** The plan's Prometheus history (range queries) for a backtest, once {@link #engine} has opened it; empty without spec.prometheus. */
    Optional<dev.revroll.ports.MetricsHistory> history() {
        return Optional.ofNullable(prometheus);
    }

    /**
     * Refuses (exit 3) a plan meant for another cluster before any request reaches this one: the plan's
     * {@code spec.cluster.context} against the context the connection was opened with (opening one sends nothing).
     */
    void checkContext(Plan plan) {
        String actual = connection.contextName();
        plan.spec().cluster().context().filter(wanted -> !wanted.equals(actual)).ifPresent(wanted -> {
            throw new PreflightException(List.of("kube context is '" + actual + "' but the plan is for '" + wanted
                    + "' (spec.cluster.context); nothing was read from or written to '" + actual + "'. Use --context " + wanted));
        });
    }

    private static MetricGates gates(MetricsProvider provider) {
        dev.revroll.gates.MetricGateRunner runner = new dev.revroll.gates.MetricGateRunner(provider, GateClock.system());
        return new MetricGates() {
            @Override
            public GateResult run(Plan.MetricGateSpec spec, Map<String, String> vars, Duration bake, Consumer<GateEvaluation> listener) {
                return runner.run(spec, vars, bake, listener);
            }

            @Override
            public GateEvaluation evaluateOnce(Plan.MetricGateSpec spec, Map<String, String> vars) {
                return runner.evaluateOnce(spec, vars);
            }
        };
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // closing adapters never changes the outcome
            }
        }
    }
}
