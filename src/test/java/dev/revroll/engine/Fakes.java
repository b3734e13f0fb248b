package dev.revroll.engine;

import dev.revroll.errors.LockedException;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.GateResult;
import dev.revroll.plan.Condition;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.JournalStore;
import dev.revroll.ports.RunLock;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiFunction;

/** In-memory ports (test scope only): journal with compare-and-swap, lock, metric gates. */
final class Fakes {

    private Fakes() {
    }

    static final class Journal implements JournalStore {
        final Map<String, Entry> entries = new LinkedHashMap<>();
        int writes;

        @Override
        public synchronized String write(String runId, String planName, String document, Optional<String> expectedVersion) {
            Entry current = entries.get(runId);
            String currentVersion = current == null ? null : current.version();
            if (!java.util.Objects.equals(currentVersion, expectedVersion.orElse(null))) {
                throw new IllegalStateException("version conflict on " + runId);
            }
            String v = String.valueOf(++writes);
            entries.put(runId, new Entry(runId, planName, document, v));
            return v;
        }

        @Override
        public synchronized Optional<Entry> read(String runId) {
            return Optional.ofNullable(entries.get(runId));
        }

        @Override
        public synchronized List<Entry> list(Optional<String> planName) {
            List<Entry> l = new ArrayList<>(entries.values());
            l.sort(Comparator.comparing(Entry::runId).reversed());
            return l;
        }
    }

    static final class Lock implements RunLock {
        String holder;

        @Override
        public synchronized Optional<String> liveHolder() {
            return Optional.ofNullable(holder);
        }

        @Override
        public synchronized Handle acquire(String who, Duration ttl) {
            if (holder != null && !holder.equals(who)) {
                throw new LockedException("run " + holder + " holds the lock");
            }
            holder = who;
            return new Handle() {
                @Override
                public void renew() {
                }

                @Override
                public void close() {
                    holder = null;
                }
            };
        }
    }

    /** Gates answering per namespace: outcome decided by {@code verdict(namespace, gate)}. */
    static final class Gates implements MetricGates {
        BiFunction<String, String, GateOutcome> verdict = (ns, gate) -> GateOutcome.PASS;

        @Override
        public GateResult run(Plan.MetricGateSpec spec, Map<String, String> vars, Duration bake, java.util.function.Consumer<GateEvaluation> listener) {
            GateOutcome o = verdict.apply(vars.get("namespace"), spec.name());
            GateEvaluation e = new GateEvaluation(spec.name(), Instant.now(), spec.query().replace("{{namespace}}", vars.get("namespace")),
                    OptionalDouble.of(o == GateOutcome.PASS ? 0.0 : 0.5), o, "");
            listener.accept(e);
            return new GateResult(spec.name(), o, List.of(e), o.name());
        }

        @Override
        public GateEvaluation evaluateOnce(Plan.MetricGateSpec spec, Map<String, String> vars) {
            return new GateEvaluation(spec.name(), Instant.now(), spec.query(), OptionalDouble.of(0), GateOutcome.PASS, "");
        }
    }

    static Plan.MetricGateSpec errorRate() {
        return new Plan.MetricGateSpec("error-rate", "errors{ns=\"{{namespace}}\"}", new Condition(Condition.Operator.GT, 0.01),
                Duration.ofMillis(10), 1, 0, OnNoData.FAIL, Optional.empty(), Optional.empty(), Optional.empty());
    }

    static Plan plan(String from, String to, List<Plan.Wave> waves, SurgePolicy surge, OnFailure onFailure, List<Plan.MetricGateSpec> gates) {
        Plan.Spec spec = new Plan.Spec(new Plan.Cluster(Optional.empty()), new Plan.ControlPlane("istio-system"),
                new Plan.Revision(Optional.ofNullable(from), to), waves,
                new Plan.Restart(List.of(WorkloadKind.Deployment, WorkloadKind.StatefulSet, WorkloadKind.DaemonSet), surge, Duration.ofSeconds(1)),
                new Plan.Gates(new Plan.ProxySyncGateSpec(true, Duration.ofMillis(200)), gates), Duration.ofMillis(10), onFailure,
                gates.isEmpty() ? Optional.empty() : Optional.of(new Plan.PrometheusConfig("http://prom", Duration.ofSeconds(1))),
                Optional.empty(), Optional.empty());
        return new Plan(Path.of("plan.yaml"), "revroll.dev/v1alpha1", "RolloutPlan", new Plan.Metadata("test-plan"), spec);
    }

    static Plan.Wave wave(String name, List<String> namespaces) {
        return new Plan.Wave(name, namespaces, Optional.empty(), List.of(), 1);
    }

    /** The real clock moved on by what a test says (a long bake, without waiting for it). */
    static final class ShiftedClock extends Clock {
        private volatile Duration shift = Duration.ZERO;

        void shift(Duration by) {
            shift = shift.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift);
        }
    }

    static RolloutEngine engine(FakeCluster cluster, Journal journal, Lock lock, Gates gates, RunWindow window) {
        return engine(cluster, journal, lock, gates, window, Clock.systemUTC());
    }

    static RolloutEngine engine(FakeCluster cluster, Journal journal, Lock lock, Gates gates, RunWindow window, Clock clock) {
        dev.revroll.ports.MetricsProvider prom = new dev.revroll.ports.MetricsProvider() {
            @Override
            public QueryResult query(String promql, Instant at) {
                return new QueryResult(List.of(), Optional.empty());
            }

            @Override
            public boolean reachable() {
                return true;
            }

            @Override
            public String describe() {
                return "fake";
            }
        };
        return new RolloutEngine(new RolloutEngine.Ports(cluster, journal, lock, new NoGitRecord(), Optional.of(prom), gates, window,
                clock, Duration.ofMillis(5), Duration.ofSeconds(30)));
    }
}
