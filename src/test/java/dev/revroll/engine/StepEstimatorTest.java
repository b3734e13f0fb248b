package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.plan.Condition;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepEstimatorTest {

    static Plan.MetricGateSpec gate(String name, Duration interval, int samples) {
        return new Plan.MetricGateSpec(name, "up", new Condition(Condition.Operator.GT, 1), interval, samples, 0, OnNoData.FAIL,
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** restart.timeout 1s and proxy sync 200ms in the fake plan: override both for a realistic cap. */
    static Plan plan(Duration bake, Duration restartTimeout, List<Plan.MetricGateSpec> gates) {
        Plan p = Fakes.plan("1-27-0", "1-28-0", List.of(Fakes.wave("w", List.of("a"))), SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, gates);
        Plan.Spec s = p.spec();
        return new Plan(p.source(), p.apiVersion(), p.kind(), p.metadata(), new Plan.Spec(s.cluster(), s.controlPlane(), s.revision(), s.waves(),
                new Plan.Restart(s.restart().kinds(), s.restart().surge(), restartTimeout),
                new Plan.Gates(new Plan.ProxySyncGateSpec(true, Duration.ofMinutes(2)), gates), bake, s.onFailure(), s.prometheus(), s.git(), s.window()));
    }

    @Test
    void gatesAreTheLongestGateSamplesTimesIntervalOrTheBake() {
        // 4 × 30s = 2m; bake 3m at 20s = 9 evaluations = 3m: the longest decides (gates run side by side)
        StepEstimator e = new StepEstimator(plan(Duration.ofMinutes(3), Duration.ofMinutes(10),
                List.of(gate("error-rate", Duration.ofSeconds(30), 4), gate("latency", Duration.ofSeconds(20), 2))));
        assertEquals(Duration.ofMinutes(3), e.gates());
        assertEquals(Duration.ofMinutes(3), new StepEstimator(plan(Duration.ofMinutes(3), Duration.ofMinutes(10), List.of())).gates(),
                "no metric gate: the bake is still waited (the pods are watched through it)");
        assertEquals(Duration.ZERO, new StepEstimator(plan(Duration.ZERO, Duration.ofMinutes(10), List.of())).gates());
    }

    @Test
    void planEstimateGrowsWithReplicasUpToTheTimeouts() {
        StepEstimator e = new StepEstimator(plan(Duration.ZERO, Duration.ofMinutes(1), List.of(gate("g", Duration.ofSeconds(10), 3))));
        StepEstimator.Estimate one = e.estimate(1);
        assertEquals(Duration.ofSeconds(30 + 10 + 15), one.total());
        assertEquals(Duration.ofSeconds(10 + 15 * 4), e.estimate(4).rollout());
        assertEquals(Duration.ofSeconds(10 + 15), e.estimate(0).rollout(), "a namespace without replicas counts as one");
        // restart.timeout 1m + proxy-sync timeout 2m: a step past those fails, so no estimate is longer
        assertEquals(Duration.ofMinutes(3), e.estimate(100).rollout());
        assertEquals("55s: gates 30s + rollout of 1 replica ~25s (the plan's estimate)", one.explain());
    }

    @Test
    void measuredStepsScaleTheRolloutPartNotTheGates() {
        StepEstimator e = new StepEstimator(plan(Duration.ZERO, Duration.ofMinutes(10), List.of(gate("g", Duration.ofSeconds(10), 3))));
        // a 1-replica step (planned rollout 25s) took 35s: gates 30s + 5s rollout → 20% of the plan's rollout
        StepEstimator.Estimate next = e.estimate(3, List.of(new StepEstimator.Measured(1, Duration.ofSeconds(35))));
        assertEquals(Duration.ofSeconds(11), next.rollout(), "20% of 55s, rounded up");
        assertEquals(Duration.ofSeconds(41), next.total());
        assertTrue(next.explain().contains("20% of the plan's estimate, as measured on 1 finished step of this run"), next.explain());
        // slower than planned: 1 replica took 80s → 50s rollout = 200%
        assertEquals(Duration.ofSeconds(110), e.estimate(3, List.of(new StepEstimator.Measured(1, Duration.ofSeconds(80)))).rollout());
    }

    @Test
    void measurementsComeFromStepsDoneInOneGo() {
        RunRecord r = RunRecord.of("run", "p", "h", null, "ctx", "istio-system", "1-27-0", "1-28-0", "1-28-0");
        StepRecord done = StepRecord.of("w/a", "w", 0, "a", "1-27-0", List.of(), 2);
        done.begin("2026-12-02T10:00:00Z");
        done.done("2026-12-02T10:00:42Z");
        StepRecord resumed = StepRecord.of("w/b", "w", 0, "b", "1-27-0", List.of(), 1);
        resumed.begin("2026-12-02T10:01:00Z");
        resumed.begin("2026-12-02T11:00:00Z"); // the process died; resumed an hour later
        resumed.done("2026-12-02T11:00:05Z");
        StepRecord pending = StepRecord.of("w/c", "w", 0, "c", "1-27-0", List.of(), 1);
        r.addStep(done);
        r.addStep(resumed);
        r.addStep(pending);
        assertEquals(List.of(new StepEstimator.Measured(2, Duration.ofSeconds(42))), StepEstimator.measured(r));
    }
}
