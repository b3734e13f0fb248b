package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.engine.journal.RunRecord.GateVerdict;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.gates.GateOutcome;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.KubernetesGateway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bake's health watch (docs/gates.md#the-bake-health-watch), with and without metric gates. */
class BakeHealthTest {

    static final String OLD = "1-27-0";
    static final String NEW = "1-28-0";

    FakeCluster cluster;
    List<RunEvent> events;

    @BeforeEach
    void world() {
        cluster = FakeCluster.twoRevisions(OLD, NEW);
        cluster.addNamespace("a", Map.of("istio.io/rev", OLD));
        cluster.addDeployment("a", "web", 2, null, null);
        events = java.util.Collections.synchronizedList(new ArrayList<>());
    }

    /** One step (namespace a), no metric gates unless given, the proxy-sync gate on or off, this bake. */
    static Plan plan(Duration bake, boolean proxySync, List<Plan.MetricGateSpec> metrics) {
        Plan p = Fakes.plan(OLD, NEW, List.of(Fakes.wave("w", List.of("a"))), SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, metrics);
        Plan.Spec s = p.spec();
        Plan.Gates gates = new Plan.Gates(new Plan.ProxySyncGateSpec(proxySync, Duration.ofMillis(200)), metrics,
                proxySync || !metrics.isEmpty() ? Optional.empty() : Optional.of("test"));
        return new Plan(p.source(), p.apiVersion(), p.kind(), p.metadata(), new Plan.Spec(s.cluster(), s.controlPlane(), s.revision(), s.waves(),
                s.restart(), gates, bake, s.onFailure(), s.prometheus(), s.git(), s.window()));
    }

    /**
     * Runs the plan; {@code duringBake} changes the cluster once, after the bake of the step has started and taken
     * the moved pods (its first read of the pods).
     */
    RunOutcome run(Plan plan, Consumer<FakeCluster> duringBake) {
        return Fakes.engine(cluster, new Fakes.Journal(), new Fakes.Lock(), new Fakes.Gates(), RunWindow.ALWAYS).run(plan, "h", e -> {
            events.add(e);
            if (e.type() == RunEvent.Type.ACTION_STARTED && e.action().equals("metric-gates")) {
                int[] reads = {0};
                cluster.beforePodsRead = () -> {
                    if (++reads[0] == 2) {
                        duringBake.accept(cluster);
                    }
                };
            }
        });
    }

    /** The first pod of namespace a, changed. */
    void change(java.util.function.UnaryOperator<PodState> how) {
        List<PodState> pods = cluster.pods.get("a");
        pods.set(0, how.apply(pods.get(0)));
    }

    static PodState notReady(PodState p) {
        return new PodState(p.namespace(), p.name(), p.labels(), p.annotations(), p.phase(), false, p.deleting(), p.hasIstioProxy(), p.owner(),
                p.created(), p.restarts());
    }

    static PodState restarted(PodState p) {
        return new PodState(p.namespace(), p.name(), p.labels(), p.annotations(), p.phase(), p.ready(), p.deleting(), p.hasIstioProxy(), p.owner(),
                p.created(), p.restarts() + 1);
    }

    StepRecord step(RunOutcome outcome) {
        return outcome.record().step("w/a").orElseThrow();
    }

    void assertRolledBackBy(RunOutcome outcome, String reason) {
        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result(), outcome.message());
        String failure = step(outcome).failure().orElseThrow();
        assertTrue(failure.contains("bake-health during the bake: ") && failure.contains(reason), failure);
        List<GateVerdict> health = step(outcome).verdicts().stream().filter(v -> v.gate().equals("bake-health")).toList();
        assertEquals(1, health.size(), "recorded once: " + health);
        assertEquals(GateOutcome.FAIL, health.get(0).outcome());
        assertEquals(1, step(outcome).gates().stream().filter(g -> g.gate().equals("bake-health")).count());
        assertEquals(1, events.stream().filter(e -> e.type() == RunEvent.Type.GATE_RESULT && e.action().equals("bake-health")).count());
        assertEquals(OLD, cluster.namespaces.get("a").labels().get("istio.io/rev"));
        assertTrue(cluster.podRevisions("a").stream().allMatch(OLD::equals), cluster.podRevisions("a").toString());
    }

    @Test
    void withoutMetricGatesTheStepStillBakesAndPassesWhenThePodsStayHealthy() {
        long t0 = System.nanoTime();
        RunOutcome outcome = run(plan(Duration.ofMillis(300), false, List.of()), c -> { });

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofMillis(300)) >= 0, "the bake was waited");
        List<GateRecord> health = step(outcome).gates().stream().filter(g -> g.gate().equals("bake-health")).toList();
        assertEquals(1, health.size(), "one evaluation for the whole bake: " + health);
        assertEquals(GateOutcome.PASS, health.get(0).outcome());
        assertEquals(2.0, health.get(0).value(), "the pods watched");
        assertEquals(List.of(GateOutcome.PASS), step(outcome).verdicts().stream().filter(v -> v.gate().equals("bake-health"))
                .map(GateVerdict::outcome).toList());
    }

    @Test
    void aMovedPodThatIsNoLongerReadyFailsTheBakeAndTheStepIsRolledBack() {
        assertRolledBackBy(run(plan(Duration.ofSeconds(5), false, List.of()), c -> change(BakeHealthTest::notReady)), ": not Ready");
    }

    @Test
    void aMovedPodThatRestartsFailsTheBake() {
        assertRolledBackBy(run(plan(Duration.ofSeconds(5), true, List.of()), c -> change(BakeHealthTest::restarted)), ": restarted (restart count 0 → 1)");
    }

    @Test
    void proxiesThatGoStaleDuringTheBakeFailItWithMetricGatesToo() {
        RunOutcome outcome = run(plan(Duration.ofSeconds(5), true, List.of(Fakes.errorRate())), c -> c.staleRevisions.add(NEW));
        assertRolledBackBy(outcome, "CLUSTER STALE");
    }

    @Test
    void withTheProxySyncGateOffTheProxiesAreNotLookedAt() {
        RunOutcome outcome = run(plan(Duration.ofMillis(200), false, List.of()), c -> c.staleRevisions.add(NEW));
        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
    }

    @Test
    void aPodReplacedByOneOnTheOldRevisionFailsTheBake() {
        RunOutcome outcome = run(plan(Duration.ofSeconds(5), true, List.of()), c -> change(p -> new PodState(p.namespace(), "web-old", p.labels(),
                Map.of(ProxySyncGate.STATUS_ANNOTATION, "{\"revision\":\"" + OLD + "\"}"), p.phase(), true, false, true, p.owner(), Instant.now(), 0)));
        assertRolledBackBy(outcome, "web-old: replaced by a pod on revision 1-27-0, not 1-28-0");
    }

    @Test
    void aProblemCountsOnlyWhenTwoLooksInARowSeeOne() {
        PodState ready = new PodState("a", "web-1", Map.of(), Map.of(ProxySyncGate.STATUS_ANNOTATION, "{\"revision\":\"1-28-0\"}"), "Running", true,
                false, true, Optional.empty(), Instant.now(), 0);
        PodState down = notReady(ready);
        Deque<List<PodState>> looks = new ArrayDeque<>(List.of(List.of(ready), List.of(ready), List.of(down), List.of(ready), List.of(down), List.of(down)));
        KubernetesGateway gateway = (KubernetesGateway) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {KubernetesGateway.class}, (proxy, method, args) -> {
                    if (method.getName().equals("pods")) {
                        return looks.poll();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        BakeHealth health = BakeHealth.start(gateway, false, "istio-system", "a", NEW, p -> true);
        assertTrue(health.check().healthy());
        assertTrue(health.check().healthy(), "one look saw it: not yet");
        assertTrue(health.check().healthy());
        assertTrue(health.check().healthy(), "one look saw it: not yet");
        BakeHealth.Report confirmed = health.check();
        assertFalse(confirmed.healthy());
        assertEquals("web-1: not Ready", confirmed.summary());
    }
}
