package dev.revroll.engine;

import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.step.StepPreview;
import dev.revroll.errors.LockedException;
import dev.revroll.errors.PreflightException;
import dev.revroll.gates.GateOutcome;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RolloutTest {

    static final String OLD = "1-27-0";
    static final String NEW = "1-28-0";

    FakeCluster cluster;
    Fakes.Journal journal;
    Fakes.Lock lock;
    Fakes.Gates gates;
    List<RunEvent> events;

    @BeforeEach
    void world() {
        cluster = FakeCluster.twoRevisions(OLD, NEW);
        cluster.webhooks.add(FakeCluster.tagWebhook("default", OLD));
        cluster.addNamespace("a", Map.of("istio.io/rev", OLD));
        cluster.addNamespace("b", Map.of("istio.io/rev", OLD, "team", "shop"));
        cluster.addNamespace("c", Map.of("istio-injection", "enabled", "istio.io/rev", OLD, "team", "shop"));
        cluster.addDeployment("a", "web", 2, null, null);
        cluster.addDeployment("b", "api", 2, "0", "1");
        cluster.addDeployment("b", "worker", 1, "25%", "25%");
        cluster.addDeployment("c", "db", 1, null, null);
        journal = new Fakes.Journal();
        lock = new Fakes.Lock();
        gates = new Fakes.Gates();
        events = new ArrayList<>();
    }

    Plan plan(OnFailure onFailure) {
        return Fakes.plan(OLD, NEW, List.of(Fakes.wave("canary", List.of("a")), Fakes.wave("shop", List.of("b", "c"))),
                SurgePolicy.ENFORCE, onFailure, List.of(Fakes.errorRate()));
    }

    RunOutcome run(Plan plan) {
        return Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).run(plan, "hash", events::add);
    }

    static WorkloadRef deploy(String ns, String name) {
        return new WorkloadRef(WorkloadKind.Deployment, ns, name);
    }

    @Test
    void movesEveryNamespaceAndRecordsEveryGate() {
        RunOutcome outcome = run(plan(OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        for (String ns : List.of("a", "b", "c")) {
            assertEquals(NEW, cluster.namespaces.get(ns).labels().get("istio.io/rev"));
            assertTrue(cluster.podRevisions(ns).stream().allMatch(NEW::equals), ns + ": " + cluster.podRevisions(ns));
        }
        assertNull(cluster.namespaces.get("c").labels().get("istio-injection"));
        assertEquals("{\"istio.io/rev\":\"1-27-0\",\"istio-injection\":\"enabled\"}",
                cluster.namespaces.get("c").annotations().get(ClusterRecords.PREVIOUS_LABELS));
        cluster.workloads.keySet().forEach(w -> assertEquals(1, cluster.restarts.get(w), w.toString()));
        RunRecord r = outcome.record();
        assertEquals("DONE", r.state().name());
        assertEquals(List.of("canary/a", "shop/b", "shop/c"), r.steps().stream().map(s -> s.id()).toList());
        r.steps().forEach(s -> assertEquals(3, s.gates().size(), s.id() + " keeps proxy-sync, error-rate and bake-health evaluations"));
        assertEquals(List.of("bake-health", "error-rate", "proxy-sync"), events.stream().filter(e -> e.type() == RunEvent.Type.GATE_EVALUATION)
                .filter(e -> "canary/a".equals(e.step())).map(RunEvent::action).sorted().toList(), "a gate's evaluation event names the gate");
        // surge enforce: worker had 25%/25%, set to 0/1 for the restart and put back after
        assertEquals("25%", cluster.workloads.get(deploy("b", "worker")).maxUnavailable().orElseThrow());
        assertTrue(cluster.writes.contains("rolling-update Deployment/b/worker 0/1"));
        assertTrue(cluster.writes.contains("rolling-update Deployment/b/worker 25%/25%"));
        // the journal in the store is the same document
        assertEquals("DONE", RolloutEngine.status(journal, java.util.Optional.empty()).orElseThrow().state().name());
    }

    @Test
    void failingGateRollsTheStepBackExactlyAndLeavesEarlierStepsAlone() {
        gates.verdict = (ns, gate) -> ns.equals("c") ? GateOutcome.FAIL : GateOutcome.PASS;

        RunOutcome outcome = run(plan(OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result());
        Map<String, String> c = cluster.namespaces.get("c").labels();
        assertEquals("enabled", c.get("istio-injection"));
        assertEquals(OLD, c.get("istio.io/rev"));
        assertTrue(cluster.podRevisions("c").stream().allMatch(OLD::equals), cluster.podRevisions("c").toString());
        assertEquals(NEW, cluster.namespaces.get("a").labels().get("istio.io/rev"));
        assertEquals(NEW, cluster.namespaces.get("b").labels().get("istio.io/rev"));
        assertTrue(cluster.podRevisions("b").stream().allMatch(NEW::equals));
        RunRecord r = outcome.record();
        assertEquals("ROLLED_BACK", r.step("shop/c").orElseThrow().state().name());
        assertEquals("DONE", r.step("shop/b").orElseThrow().state().name());
        assertEquals(2, cluster.restarts.get(deploy("c", "db")), "restarted forward, then back");
    }

    @Test
    void rollbackWaveUndoesEveryStepOfTheWaveNewestFirst() {
        gates.verdict = (ns, gate) -> ns.equals("c") ? GateOutcome.NO_DATA : GateOutcome.PASS;

        RunOutcome outcome = run(plan(OnFailure.ROLLBACK_WAVE));

        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result());
        assertEquals(OLD, cluster.namespaces.get("b").labels().get("istio.io/rev"));
        assertTrue(cluster.podRevisions("b").stream().allMatch(OLD::equals));
        assertEquals(NEW, cluster.namespaces.get("a").labels().get("istio.io/rev"));
    }

    @Test
    void pauseLeavesTheFailedStepAsItIs() {
        gates.verdict = (ns, gate) -> ns.equals("b") ? GateOutcome.FAIL : GateOutcome.PASS;

        RunOutcome outcome = run(plan(OnFailure.PAUSE));

        assertEquals(RunOutcome.Result.PAUSED, outcome.result());
        assertEquals(NEW, cluster.namespaces.get("b").labels().get("istio.io/rev"));
        assertEquals("PAUSED", outcome.record().step("shop/b").orElseThrow().state().name());
        assertEquals("PENDING", outcome.record().step("shop/c").orElseThrow().state().name());
    }

    static final class Killed extends Error {
    }

    @Test
    void resumeAfterAKillDoesNotRestartWhatWasRestarted() {
        boolean[] armed = {true};
        cluster.beforeWrite = w -> {
            if (armed[0] && w.equals("restart Deployment/b/worker")) {
                armed[0] = false;
                throw new Killed();
            }
        };
        Plan plan = plan(OnFailure.ROLLBACK_STEP);
        assertThrows(Throwable.class, () -> run(plan));
        assertEquals(1, cluster.restarts.get(deploy("b", "api")));
        String runId = journal.entries.keySet().iterator().next();

        RunOutcome outcome = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).resume(plan, runId, events::add);

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertEquals(1, cluster.restarts.get(deploy("a", "web")));
        assertEquals(1, cluster.restarts.get(deploy("b", "api")), "already restarted before the kill");
        assertEquals(1, cluster.restarts.get(deploy("b", "worker")));
        assertTrue(cluster.podRevisions("b").stream().allMatch(NEW::equals));
    }

    @Test
    void runKilledAsItsUndoStartsIsRefusedByResumeAndFinishedByRollback() {
        gates.verdict = (ns, gate) -> ns.equals("c") ? GateOutcome.FAIL : GateOutcome.PASS;
        Plan plan = plan(OnFailure.ROLLBACK_WAVE);
        List<String> journaledAtUndoStart = new ArrayList<>();
        assertThrows(Killed.class, () -> Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).run(plan, "hash", e -> {
            events.add(e);
            if (e.type() == RunEvent.Type.UNDO_STARTED) {
                // what the stored journal says at the moment the event is out: a pipeline may kill the process now
                RunRecord stored = RolloutEngine.status(journal, java.util.Optional.empty()).orElseThrow();
                stored.steps().forEach(s -> journaledAtUndoStart.add(s.id() + "=" + s.state()));
                throw new Killed();
            }
        }));
        assertEquals(List.of("canary/a=DONE", "shop/b=ROLLING_BACK", "shop/c=ROLLING_BACK"), journaledAtUndoStart,
                "every step to undo is journaled ROLLING_BACK before the first undo starts");
        String runId = journal.entries.keySet().iterator().next();

        dev.revroll.errors.RevrollException refused = assertThrows(dev.revroll.errors.RevrollException.class,
                () -> Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).resume(plan, runId, events::add));
        assertEquals(dev.revroll.cli.ExitCode.INVALID, dev.revroll.cli.ExitCodes.of(refused));
        assertTrue(refused.getMessage().contains("revroll rollback " + runId), refused.getMessage());
        assertEquals(1, cluster.restarts.get(deploy("c", "db")), "the refused resume did not go forward again");

        RunOutcome outcome = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS)
                .rollback(plan, runId, java.util.Optional.of("canary/a"), false, events::add);

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        for (String ns : List.of("b", "c")) {
            assertEquals(OLD, cluster.namespaces.get(ns).labels().get("istio.io/rev"), ns);
            assertTrue(cluster.podRevisions(ns).stream().allMatch(OLD::equals), ns + ": " + cluster.podRevisions(ns));
        }
        assertEquals("enabled", cluster.namespaces.get("c").labels().get("istio-injection"));
        assertEquals(NEW, cluster.namespaces.get("a").labels().get("istio.io/rev"));
        assertEquals(2, cluster.restarts.get(deploy("c", "db")), "restarted forward, then back once");
    }

    /** A run killed the moment a step's failure is journaled, before onFailure decided (the STEP_FAILED event). */
    private String killedAtStepFailed(Plan plan) {
        gates.verdict = (ns, gate) -> ns.equals("c") ? GateOutcome.FAIL : GateOutcome.PASS;
        assertThrows(Killed.class, () -> Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).run(plan, "hash", e -> {
            events.add(e);
            if (e.type() == RunEvent.Type.STEP_FAILED) {
                throw new Killed();
            }
        }));
        String runId = journal.entries.keySet().iterator().next();
        assertEquals("FAILED", RolloutEngine.status(journal, Optional.of(runId)).orElseThrow().step("shop/c").orElseThrow().state().name());
        // the gate would pass now: a resume that tried it again would go forward although the run had failed
        gates.verdict = (ns, gate) -> GateOutcome.PASS;
        events.clear();
        return runId;
    }

    @Test
    void resumeOfARunKilledBetweenAStepsFailureAndTheDecisionRollsBackAsOnFailureSays() {
        Plan plan = plan(OnFailure.ROLLBACK_STEP);
        String runId = killedAtStepFailed(plan);

        RunOutcome outcome = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).resume(plan, runId, events::add);

        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result(), outcome.message());
        assertTrue(outcome.message().contains("metric-gates: FAIL") && outcome.message().contains("rollback-step: rolled back shop/c"), outcome.message());
        assertTrue(events.stream().noneMatch(e -> e.type() == RunEvent.Type.GATE_EVALUATION), "the failed gate is not evaluated again");
        assertTrue(events.stream().anyMatch(e -> e.type() == RunEvent.Type.WARNING && e.message().contains("decides now")));
        assertEquals(OLD, cluster.namespaces.get("c").labels().get("istio.io/rev"));
        assertEquals("enabled", cluster.namespaces.get("c").labels().get("istio-injection"));
        assertTrue(cluster.podRevisions("c").stream().allMatch(OLD::equals), cluster.podRevisions("c").toString());
        assertEquals(2, cluster.restarts.get(deploy("c", "db")), "restarted forward once, back once");
        assertEquals(1, cluster.restarts.get(deploy("b", "api")), "the done step is left alone");
        assertEquals("ROLLED_BACK", outcome.record().step("shop/c").orElseThrow().state().name());
        assertEquals("DONE", outcome.record().step("shop/b").orElseThrow().state().name());
    }

    @Test
    void resumeOfARunKilledBetweenAStepsFailureAndAPauseDecisionPausesThenTheNextResumeTriesAgain() {
        Plan plan = plan(OnFailure.PAUSE);
        String runId = killedAtStepFailed(plan);

        RunOutcome paused = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).resume(plan, runId, events::add);

        assertEquals(RunOutcome.Result.PAUSED, paused.result(), paused.message());
        assertEquals("PAUSED", paused.record().step("shop/c").orElseThrow().state().name());
        assertTrue(events.stream().noneMatch(e -> e.type() == RunEvent.Type.GATE_EVALUATION));

        RunOutcome done = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).resume(plan, runId, events::add);

        assertEquals(RunOutcome.Result.DONE, done.result(), done.message());
        assertEquals(1, cluster.restarts.get(deploy("c", "db")), "a resumed pause restarts nothing again");
        assertTrue(cluster.podRevisions("c").stream().allMatch(NEW::equals));
    }

    @Test
    void undoThatFailsEndsRollbackIncompleteWithWhatToDo() {
        gates.verdict = (ns, gate) -> ns.equals("a") ? GateOutcome.FAIL : GateOutcome.PASS;
        cluster.beforeWrite = w -> {
            if (w.startsWith("patch-ns a") && w.contains(OLD)) {
                throw new IllegalStateException("admission webhook denied the request");
            }
        };

        RunOutcome outcome = run(plan(OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.ROLLBACK_INCOMPLETE, outcome.result());
        assertTrue(outcome.message().contains("kubectl label namespace a --overwrite istio.io/rev=1-27-0 istio-injection-"), outcome.message());
        assertTrue(outcome.message().contains("admission webhook denied"));
        assertEquals("UNDO_FAILED", outcome.record().step("canary/a").orElseThrow().state().name());
    }

    @Test
    void rollbackAfterAnIncompleteOneFinishesWhatWasDecidedAndKeepsTheStepsThatStayedMoved() {
        gates.verdict = (ns, gate) -> ns.equals("b") ? GateOutcome.FAIL : GateOutcome.PASS;
        boolean[] denied = {false};
        cluster.beforeWrite = w -> {
            if (!denied[0] && w.startsWith("patch-ns b") && w.contains(OLD)) {
                denied[0] = true;
                throw new IllegalStateException("admission webhook denied the request");
            }
        };
        Plan plan = plan(OnFailure.ROLLBACK_STEP);
        RunOutcome incomplete = run(plan);
        assertEquals(RunOutcome.Result.ROLLBACK_INCOMPLETE, incomplete.result(), incomplete.message());
        assertTrue(incomplete.message().contains("  1. restore the namespace labels: kubectl label namespace b"), incomplete.message());
        assertFalse(incomplete.message().contains("  5."), "numbered as listed: " + incomplete.message());

        RunOutcome finished = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS)
                .rollback(plan, incomplete.record().runId(), java.util.Optional.empty(), false, events::add);

        assertEquals(RunOutcome.Result.DONE, finished.result(), finished.message());
        assertTrue(finished.message().startsWith("finished the rollback of shop/b"), finished.message());
        assertTrue(finished.message().contains("canary/a") && finished.message().contains("stayed moved"), finished.message());
        assertEquals(OLD, cluster.namespaces.get("b").labels().get("istio.io/rev"));
        assertEquals(NEW, cluster.namespaces.get("a").labels().get("istio.io/rev"), "the step onFailure kept moved stays moved");
    }

    @Test
    void staleProxyFailsTheProxySyncGate() {
        cluster.staleRevisions.add(NEW);

        RunOutcome outcome = run(plan(OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result());
        String failure = outcome.record().step("canary/a").orElseThrow().failure().orElse(null);
        assertTrue(failure.contains("proxy-sync") && failure.contains("CLUSTER STALE"), failure);
        assertEquals(OLD, cluster.namespaces.get("a").labels().get("istio.io/rev"));
        assertTrue(cluster.podRevisions("a").stream().allMatch(OLD::equals));
    }

    @Test
    void closedWindowPausesBeforeTheFirstStepAndTouchesNothing() {
        RunWindow closed = Windows.closedUntil(Instant.now().plusSeconds(3600));
        RunOutcome outcome = Fakes.engine(cluster, journal, lock, gates, closed).run(plan(OnFailure.ROLLBACK_STEP), "h", events::add);

        assertEquals(RunOutcome.Result.PAUSED, outcome.result());
        assertTrue(cluster.writes.isEmpty(), cluster.writes.toString());
    }

    @Test
    void aStepThatDoesNotFitInWhatIsLeftIsNotStartedAndTheRunPausesWhereItStands() {
        // the window closes 5s from now; the step of 2 replicas is estimated at 40s: it is not started
        Plan p = withRestartTimeout(plan(OnFailure.ROLLBACK_STEP), java.time.Duration.ofMinutes(10));
        RunOutcome outcome = Fakes.engine(cluster, journal, lock, gates, Windows.openUntil(Instant.now().plusSeconds(5)))
                .run(p, "h", events::add);

        assertEquals(RunOutcome.Result.PAUSED, outcome.result());
        assertTrue(cluster.writes.isEmpty(), cluster.writes.toString());
        RunRecord r = outcome.record();
        RunRecord.WindowHold hold = r.windowHold().orElseThrow();
        assertEquals("canary/a", hold.step());
        assertEquals(10 + 15 * 2, hold.estimateSeconds(), "10s + 15s per replica, no metric-gate time (10ms interval)");
        assertTrue(hold.leftSeconds() <= 5, hold.toString());
        assertTrue(r.message().startsWith("step canary/a not started: its estimate (40s10ms: gates 10ms + rollout of 2 replicas ~40s (the plan's estimate)) does not fit"), r.message());
        assertTrue(r.message().contains("continue with 'revroll run PLAN' (the same plan) or 'revroll resume " + r.runId() + "'"), r.message());
        assertEquals("PENDING", r.step("canary/a").orElseThrow().state().name());
        assertEquals(2, r.step("canary/a").orElseThrow().replicas(), "the survey's replicas are journaled with the step");
        assertTrue(events.stream().anyMatch(e -> e.type() == RunEvent.Type.PAUSED && Long.valueOf(40).equals(e.data().get("estimateSeconds"))));

        // inside a long enough window the same run goes on; what the first step took refines the next estimates
        RunOutcome resumed = Fakes.engine(cluster, journal, lock, gates, Windows.openUntil(Instant.now().plusSeconds(3600)))
                .resume(p, r.runId(), events::add);
        assertEquals(RunOutcome.Result.DONE, resumed.result(), resumed.message());
        assertTrue(resumed.record().windowHold().isEmpty());
        assertEquals(3, StepEstimator.measured(resumed.record()).size());
        assertTrue(resumed.record().steps().stream().allMatch(s -> s.windowClosesAt().isPresent() && s.windowOverrunSeconds().isEmpty()));
    }

    /** The fake plan's restart timeout is 1s (its estimate's cap); a realistic one makes the plan's estimate show. */
    static Plan withRestartTimeout(Plan p, java.time.Duration timeout) {
        Plan.Spec s = p.spec();
        return new Plan(p.source(), p.apiVersion(), p.kind(), p.metadata(), new Plan.Spec(s.cluster(), s.controlPlane(), s.revision(), s.waves(),
                new Plan.Restart(s.restart().kinds(), s.restart().surge(), timeout), s.gates(), s.bake(), s.onFailure(), s.prometheus(), s.git(), s.window()));
    }

    @Test
    void aStepRunningWhenTheWindowClosesFinishesItsGatesAndTheRunPausesAfterItSayingByHowMuch() {
        // the metric gates of canary/a take 100s on this clock; the window closes 41s after the step starts (it fits the
        // estimate, capped by the fake plan's 1s restart timeout): the step is finished anyway, shop/b is not started,
        // and the overrun is said
        Fakes.ShiftedClock clock = new Fakes.ShiftedClock();
        Instant closes = clock.instant().plusSeconds(41);
        gates.verdict = (ns, gate) -> {
            clock.shift(java.time.Duration.ofSeconds(100));
            return GateOutcome.PASS;
        };
        Plan p = Fakes.plan(OLD, NEW, List.of(Fakes.wave("canary", List.of("a")), Fakes.wave("shop", List.of("b"))),
                SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, List.of(Fakes.errorRate()));

        RunOutcome outcome = Fakes.engine(cluster, journal, lock, gates, Windows.openUntil(closes), clock).run(p, "h", events::add);

        assertEquals(RunOutcome.Result.PAUSED, outcome.result(), outcome.message());
        RunRecord.StepRecord a = outcome.record().step("canary/a").orElseThrow();
        assertEquals("DONE", a.state().name(), "the begun step was finished, gates and all");
        assertEquals(Optional.of(closes.toString()), a.windowClosesAt());
        long over = a.windowOverrunSeconds().orElseThrow();
        assertTrue(over >= 59 && over <= 60, "overran by " + over);
        assertEquals("PENDING", outcome.record().step("shop/b").orElseThrow().state().name());
        String m = outcome.record().message();
        assertTrue(m.startsWith("step shop/b not started: maintenance window closed"), m);
        String overText = dev.revroll.plan.DurationText.format(java.time.Duration.ofSeconds(over));
        assertTrue(m.contains("; step canary/a overran the maintenance window by " + overText), m);
        assertTrue(events.stream().anyMatch(e -> e.type() == RunEvent.Type.STEP_DONE && e.message().contains("overran the maintenance window by")),
                "the step's own event says so too");
        java.io.StringWriter text = new java.io.StringWriter();
        dev.revroll.output.RunReport.text(outcome.record(), new java.io.PrintWriter(text));
        assertTrue(text.toString().contains("step canary/a: DONE") && text.toString().contains("(overran the maintenance window by " + overText + ")"), text.toString());
        assertTrue(text.toString().contains("window: step shop/b held at"), text.toString());
    }

    @Test
    void anotherRunHoldingTheLockIsRefused() {
        lock.holder = "someone-else";
        assertThrows(LockedException.class, () -> run(plan(OnFailure.ROLLBACK_STEP)));
        assertTrue(cluster.writes.isEmpty());
    }

    @Test
    void surgeRequireRefusesWithoutTouching() {
        Plan p = Fakes.plan(OLD, NEW, List.of(Fakes.wave("shop", List.of("b"))), SurgePolicy.REQUIRE, OnFailure.ROLLBACK_STEP, List.of());
        PreflightException e = assertThrows(PreflightException.class, () -> run(p));
        assertTrue(e.reasons().stream().anyMatch(r -> r.contains("b/Deployment/worker")), e.reasons().toString());
        assertTrue(e.reasons().stream().noneMatch(r -> r.contains("b/Deployment/api")), e.reasons().toString());
        assertTrue(cluster.writes.isEmpty());
        assertTrue(journal.entries.isEmpty());
    }

    @Test
    void manualRollbackUndoesTheWholeRunAndBreakGlassAnnotates() {
        RunOutcome done = run(plan(OnFailure.ROLLBACK_STEP));
        assertEquals(RunOutcome.Result.DONE, done.result());
        // record a git commit id as if Git had been used, so break-glass has something to annotate
        journal.entries.clear();
        done.record().steps().forEach(s -> s.committed("abc123"));
        journal.write(done.record().runId(), "test-plan", ClusterRecords.journal(done.record()), java.util.Optional.empty());

        RunOutcome back = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS)
                .rollback(plan(OnFailure.ROLLBACK_STEP), done.record().runId(), java.util.Optional.of("canary/a"), true, events::add);

        assertEquals(RunOutcome.Result.DONE, back.result(), back.message());
        assertEquals(NEW, cluster.namespaces.get("a").labels().get("istio.io/rev"), "kept: the step named by --to");
        assertEquals(OLD, cluster.namespaces.get("b").labels().get("istio.io/rev"));
        assertEquals("enabled", cluster.namespaces.get("c").labels().get("istio-injection"));
        assertTrue(cluster.namespaces.get("c").annotations().get(ClusterRecords.BREAK_GLASS).contains("\"commit\":\"abc123\""));
        assertNull(cluster.namespaces.get("a").annotations().get(ClusterRecords.BREAK_GLASS));
        Map<String, String> none = new HashMap<>();
        assertEquals(none, new HashMap<>(back.record().step("shop/b").orElseThrow().savedStrategies()));
    }

    @Test
    void rollbackWithTheJournalRecordLostRestoresLabelsFromTheNamespaceAnnotation() {
        RunOutcome done = run(plan(OnFailure.ROLLBACK_STEP));
        assertEquals(RunOutcome.Result.DONE, done.result());
        journal.entries.clear();
        journal.write(done.record().runId(), "test-plan", withoutPreviousLabels(ClusterRecords.journal(done.record())), java.util.Optional.empty());

        RunOutcome back = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS)
                .rollback(plan(OnFailure.ROLLBACK_STEP), done.record().runId(), java.util.Optional.empty(), false, events::add);

        assertEquals(RunOutcome.Result.DONE, back.result(), back.message());
        assertEquals("enabled", cluster.namespaces.get("c").labels().get("istio-injection"));
        assertEquals(OLD, cluster.namespaces.get("c").labels().get("istio.io/rev"));
        assertEquals(OLD, cluster.namespaces.get("a").labels().get("istio.io/rev"));
        assertTrue(cluster.podRevisions("a").stream().allMatch(OLD::equals));
        assertNull(cluster.namespaces.get("a").annotations().get(ClusterRecords.PREVIOUS_LABELS));
    }

    @Test
    void stalledRolloutNamesTheFailedCreateEventAndRollsBack() {
        cluster.stuck.add(deploy("a", "web"));
        cluster.events.add(new dev.revroll.ports.ClusterModel.ClusterEvent("ReplicaSet", "web-7d9", "FailedCreate",
                "Internal error occurred: failed calling webhook \"rev.namespace.sidecar-injector.istio.io\": connection refused", Instant.now()));

        RunOutcome outcome = run(plan(OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result());
        String failure = outcome.record().step("canary/a").orElseThrow().failure().orElse(null);
        assertTrue(failure.startsWith("wait-rollouts: rollout not complete within 1s"), failure);
        assertTrue(failure.contains("FailedCreate on ReplicaSet/web-7d9: Internal error occurred: failed calling webhook"), failure);
    }

    @Test
    void previewSendsEveryWriteAsDryRunAndShowsAdmissionErrors() {
        cluster.admissionRejects.add("b");

        Preview preview = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).preview(plan(OnFailure.ROLLBACK_STEP));

        assertTrue(preview.admissionErrors("b").get(0).startsWith("relabel namespace b: admission webhook"), preview.admissionErrors("b").toString());
        assertEquals(List.of(), preview.admissionErrors("a"));
        assertTrue(cluster.writes.isEmpty(), "preview writes nothing: " + cluster.writes);
        assertEquals("errors{ns=\"c\"}", preview.step("c").gates().get(0).query().replace("{{namespace}}", "c"));
        assertTrue(journal.entries.isEmpty());
    }

    @Test
    void everyWorkloadWhoseSurgeWasEnforcedGetsItsOwnValuesBack() {
        cluster.addNamespace("d", Map.of("istio.io/rev", OLD));
        cluster.addDeployment("d", "api", 2, null, null);
        cluster.addDeployment("d", "worker", 2, "25%", "25%");
        Plan plan = Fakes.plan(OLD, NEW, List.of(Fakes.wave("only", List.of("d"))), SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, List.of());

        RunOutcome outcome = run(plan);

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertTrue(cluster.workloads.get(deploy("d", "api")).maxUnavailable().isEmpty(), "api had no values of its own");
        assertEquals("25%", cluster.workloads.get(deploy("d", "worker")).maxUnavailable().orElseThrow());
        assertEquals(Map.of(), outcome.record().step("only/d").orElseThrow().savedStrategies());
    }

    @Test
    void previewSendsAsDryRunExactlyTheWritesTheRunMakes() {
        Plan plan = plan(OnFailure.ROLLBACK_STEP);
        cluster.recordDryRuns = true;

        Preview preview = Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS).preview(plan);
        List<String> dryRun = List.copyOf(cluster.dryRuns);
        RunOutcome outcome = run(plan);

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        // steps are previewed side by side, so only each namespace's own writes keep an order
        assertEquals(byNamespace(cluster.writes), byNamespace(dryRun), "preview dry-runs the writes run makes, in each step's order");
        assertEquals(cluster.writes.size(), dryRun.size());
        // relabel, enforce-surge (annotation + 0/1), restart and restore-surge of b/worker, each shown with its action
        List<String> actions = preview.step("b").writes().stream().map(w -> w.action() + " " + w.write().reason()).toList();
        assertEquals(List.of("relabel relabel namespace b", "enforce-surge enforce maxUnavailable=0 maxSurge=1 on Deployment/worker",
                "restart restart Deployment/api", "restart restart Deployment/worker",
                "restore-surge put back maxUnavailable=25% maxSurge=25% on Deployment/worker"), actions);
        assertTrue(preview.step("b").writes().stream().noneMatch(StepPreview.PlannedWrite::refused));
    }

    @Test
    void onDeleteStatefulSetPodsAreReplacedOneAtATime() {
        WorkloadRef db = new WorkloadRef(WorkloadKind.StatefulSet, "a", "db");
        cluster.addWorkload(new dev.revroll.ports.ClusterModel.Workload(db, 1, 3, "OnDelete", java.util.Optional.empty(),
                java.util.Optional.empty(), Map.of(), Map.of("app", "db"), Map.of()));
        Plan p = Fakes.plan(OLD, NEW, List.of(Fakes.wave("canary", List.of("a"))), SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, List.of());

        RunOutcome outcome = run(p);

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        List<String> deletes = cluster.writes.stream().filter(w -> w.startsWith("delete-pod a/db-")).toList();
        assertEquals(3, deletes.size(), cluster.writes.toString());
        assertTrue(cluster.podRevisions("a").stream().allMatch(NEW::equals), cluster.podRevisions("a").toString());
        assertTrue(cluster.writes.indexOf("restart StatefulSet/a/db") < cluster.writes.indexOf(deletes.get(0)));
    }

    /** The journal document as if its steps had lost their record of the labels before them. */
    static String withoutPreviousLabels(String document) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode) dev.revroll.json.Json.tree(document);
            doc.withArray("steps").forEach(step -> ((com.fasterxml.jackson.databind.node.ObjectNode) step).putNull("previousLabels"));
            return doc.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fake cluster's write log split by namespace ("patch-ns a ..." or "verb Kind/a/name ..."), each in its order. */
    private static Map<String, List<String>> byNamespace(List<String> log) {
        Map<String, List<String>> by = new java.util.TreeMap<>();
        for (String line : log) {
            String[] words = line.split(" ");
            String ns = words[0].equals("patch-ns") ? words[1] : words[1].split("/")[1];
            by.computeIfAbsent(ns, n -> new java.util.ArrayList<>()).add(line);
        }
        return by;
    }
}
