package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.errors.PreflightException;
import dev.revroll.gates.GateOutcome;
import dev.revroll.output.PreviewReport;
import dev.revroll.output.RunReport;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-workload control (docs/kubernetes-rollouts.md#per-workload-control): {@code revroll.dev/skip},
 * {@code revroll.dev/order}, {@code restart.maxConcurrentRestarts}, and what revroll cannot restart make-before-break.
 */
class WorkloadControlTest {

    static final String OLD = RolloutTest.OLD;
    static final String NEW = RolloutTest.NEW;

    FakeCluster cluster;
    Fakes.Journal journal;
    Fakes.Lock lock;
    Fakes.Gates gates;
    List<RunEvent> events;

    @BeforeEach
    void world() {
        cluster = FakeCluster.twoRevisions(OLD, NEW);
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        journal = new Fakes.Journal();
        lock = new Fakes.Lock();
        gates = new Fakes.Gates();
        events = new ArrayList<>();
    }

    void deployment(String name, Map<String, String> annotations) {
        deployment(name, "RollingUpdate", annotations);
    }

    void deployment(String name, String strategy, Map<String, String> annotations) {
        WorkloadRef ref = new WorkloadRef(WorkloadKind.Deployment, "shop", name);
        cluster.addWorkload(new Workload(ref, 1, 2, strategy, Optional.of("0"), Optional.of("1"), annotations,
                Map.of("app", name), Map.of()));
    }

    static Plan plan(OptionalInt cap, boolean requireMakeBeforeBreak, OnFailure onFailure) {
        Plan base = Fakes.plan(OLD, NEW, List.of(Fakes.wave("only", List.of("shop"))), SurgePolicy.ENFORCE, onFailure, List.of(Fakes.errorRate()));
        Plan.Spec s = base.spec();
        Plan.Restart r = s.restart();
        Plan.Spec spec = new Plan.Spec(s.cluster(), s.controlPlane(), s.revision(), s.waves(),
                new Plan.Restart(r.kinds(), r.surge(), r.timeout(), cap, requireMakeBeforeBreak),
                s.gates(), s.bake(), s.onFailure(), s.prometheus(), s.git(), s.window());
        return new Plan(base.source(), base.apiVersion(), base.kind(), base.metadata(), spec);
    }

    RolloutEngine engine() {
        return Fakes.engine(cluster, journal, lock, gates, RunWindow.ALWAYS);
    }

    RunOutcome run(Plan plan) {
        return engine().run(plan, "hash", events::add);
    }

    /** The workloads in the order the run restarted them. */
    List<String> restarts() {
        return cluster.writes.stream().filter(w -> w.startsWith("restart ")).map(w -> w.substring(w.lastIndexOf('/') + 1)).toList();
    }

    static WorkloadRef deploy(String name) {
        return new WorkloadRef(WorkloadKind.Deployment, "shop", name);
    }

    @Test
    void groupsByOrderLowestFirstEqualOrdersTogetherAbsentIsZero() {
        List<WorkloadControl.Group> groups = WorkloadControl.groups(List.of("Deployment/db", "Deployment/web", "Deployment/api", "Deployment/cache"),
                Map.of("Deployment/db", 10, "Deployment/cache", -5, "Deployment/api", 10));
        assertEquals(List.of(new WorkloadControl.Group(-5, List.of("Deployment/cache")), new WorkloadControl.Group(0, List.of("Deployment/web")),
                new WorkloadControl.Group(10, List.of("Deployment/db", "Deployment/api"))), groups);
        assertEquals(1, WorkloadControl.groups(List.of("Deployment/a", "Deployment/b"), Map.of()).size());
    }

    @Test
    void orderedWorkloadsRestartGroupAfterGroupEachRolledOutBeforeTheNext() {
        cluster.rolloutLooks = 3;
        deployment("db", Map.of(WorkloadControl.ORDER, "10"));
        deployment("web", Map.of());
        deployment("api", Map.of(WorkloadControl.ORDER, "0"));
        deployment("cache", Map.of(WorkloadControl.ORDER, "5"));

        RunOutcome outcome = run(plan(OptionalInt.empty(), false, OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertEquals(List.of("web", "api", "cache", "db"), restarts());
        assertEquals(2, cluster.maxMidRollout, "web and api (order 0) together, never one of a later group beside them");
        StepRecord s = outcome.record().step("only/shop").orElseThrow();
        assertEquals(Map.of("Deployment/db", 10, "Deployment/cache", 5), s.restartOrder());
        assertEquals(3, s.groupsRolledOut(false));
        List<String> groupEvents = events.stream().map(RunEvent::message).filter(m -> m.startsWith("restart group")).toList();
        assertEquals(List.of("restart group 1 of 3 (order 0): Deployment/web, Deployment/api", "restart group 1 of 3 (order 0) rolled out",
                "restart group 2 of 3 (order 5): Deployment/cache", "restart group 2 of 3 (order 5) rolled out",
                "restart group 3 of 3 (order 10): Deployment/db", "restart group 3 of 3 (order 10) rolled out"), groupEvents);
        assertTrue(cluster.podRevisions("shop").stream().allMatch(NEW::equals));
    }

    @Test
    void theCapHoldsForwardAndInTheRollbackWhichGoesBackHighestOrderFirst() {
        cluster.rolloutLooks = 4;
        for (String name : List.of("a", "b", "c", "d", "e")) {
            deployment(name, Map.of());
        }
        deployment("z", Map.of(WorkloadControl.ORDER, "1"));
        gates.verdict = (ns, gate) -> GateOutcome.FAIL;

        RunOutcome outcome = run(plan(OptionalInt.of(2), false, OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result(), outcome.message());
        assertEquals(2, cluster.maxMidRollout, "never more than 2 mid-rollout, forward or back");
        assertEquals(List.of("a", "b", "c", "d", "e", "z", "z", "a", "b", "c", "d", "e"), restarts(),
                "forward: order 0 then order 1; back: order 1 first");
        assertTrue(cluster.podRevisions("shop").stream().allMatch(OLD::equals), cluster.podRevisions("shop").toString());
        StepRecord s = outcome.record().step("only/shop").orElseThrow();
        assertEquals(2, s.groupsRolledOut(true));
    }

    @Test
    void withoutOrdersOrCapEveryWorkloadIsRestartedAtOnceAsBefore() {
        cluster.rolloutLooks = 3;
        for (String name : List.of("a", "b", "c")) {
            deployment(name, Map.of());
        }

        RunOutcome outcome = run(plan(OptionalInt.empty(), false, OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertEquals(3, cluster.maxMidRollout);
        assertEquals(0, outcome.record().step("only/shop").orElseThrow().groupsRolledOut(false), "no groups: wait-rollouts waits");
    }

    @Test
    void aKilledRestartResumesAtTheGroupItWasInWithinTheCap() {
        cluster.rolloutLooks = 2;
        deployment("web", Map.of());
        deployment("db", Map.of(WorkloadControl.ORDER, "10"));
        deployment("db2", Map.of(WorkloadControl.ORDER, "10"));
        boolean[] armed = {true};
        cluster.beforeWrite = w -> {
            if (armed[0] && w.equals("restart Deployment/shop/db2")) {
                armed[0] = false;
                throw new RolloutTest.Killed();
            }
        };
        Plan plan = plan(OptionalInt.of(1), false, OnFailure.ROLLBACK_STEP);
        assertThrows(Throwable.class, () -> run(plan));
        String runId = journal.entries.keySet().iterator().next();
        RunRecord killed = RolloutEngine.status(journal, Optional.of(runId)).orElseThrow();
        assertEquals(1, killed.step("only/shop").orElseThrow().groupsRolledOut(false), "group 1 (web) journaled as rolled out");

        RunOutcome outcome = engine().resume(plan, runId, events::add);

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertEquals(List.of("web", "db", "db2"), restarts(), "nothing restarted twice");
        assertEquals(1, cluster.maxMidRollout);
        assertTrue(cluster.podRevisions("shop").stream().allMatch(NEW::equals));
    }

    @Test
    void aSkippedWorkloadIsLeftBehindReportedAndTheProxySyncGateStillPasses() {
        deployment("web", Map.of());
        deployment("legacy", Map.of(WorkloadControl.SKIP, "true"));

        RunOutcome outcome = run(plan(OptionalInt.empty(), false, OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertEquals(List.of("web"), restarts());
        assertEquals(OLD, cluster.podRevision("shop", "legacy-"));
        assertEquals(NEW, cluster.podRevision("shop", "web-"));
        StepRecord s = outcome.record().step("only/shop").orElseThrow();
        assertEquals(List.of("Deployment/legacy"), s.leftBehind());
        assertEquals(List.of("Deployment/web"), s.workloads());
        String verdict = s.verdicts().stream().filter(v -> v.gate().equals("proxy-sync")).findFirst().orElseThrow().summary();
        assertTrue(verdict.startsWith("proxy-sync: PASS"), verdict);
        assertTrue(verdict.contains("left behind (revroll.dev/skip), not checked: Deployment/legacy 2 pod(s) on " + OLD), verdict);
        String report = text(w -> RunReport.text(outcome.record(), w));
        assertTrue(report.contains("left behind (revroll.dev/skip): Deployment/legacy, not restarted, still on " + OLD), report);
        // the report files (HTML, Markdown, JSON) say it among what a person must do, and the run is still clean
        dev.revroll.output.report.ReportModel model = dev.revroll.output.report.ReportModel.of(outcome.record());
        assertTrue(model.run().clean());
        assertEquals(List.of("Step only/shop left Deployment/legacy (revroll.dev/skip) on revision " + OLD
                + ": restart it when it may move (kubectl -n shop rollout restart deployment/legacy)"), model.whatToDo());
    }

    @Test
    void aRecreateDeploymentABarePodAndAJobPodAreListedWithWhatAPersonMustDo() {
        deployment("web", Map.of());
        deployment("batch", "Recreate", Map.of());
        cluster.pods.get("shop").add(pod("debug", Optional.empty()));
        cluster.pods.get("shop").add(pod("backup-x1", Optional.of("Job/backup")));

        Preview preview = engine().preview(plan(OptionalInt.empty(), false, OnFailure.ROLLBACK_STEP));

        List<String> subjects = preview.survey().attentionIn("shop").stream().map(RunRecord.Attention::subject).toList();
        assertEquals(List.of("Deployment/batch", "Pod/debug", "Pod/backup-x1"), subjects);
        String text = text(w -> PreviewReport.text(preview, w));
        assertTrue(text.contains("not make-before-break: Deployment/batch: strategy Recreate: all 2 pod(s) are stopped before the new ones start"), text);
        assertTrue(text.contains("what a person must do: accept the gap, or set its strategy to RollingUpdate"), text);
        assertTrue(text.contains("not make-before-break: Pod/debug: a bare pod (no controller)"), text);
        assertTrue(text.contains("not make-before-break: Pod/backup-x1: a pod of Job/backup"), text);
        assertTrue(text.contains("preflight: ok"), text);

        RunOutcome outcome = run(plan(OptionalInt.empty(), false, OnFailure.ROLLBACK_STEP));
        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        String report = text(w -> RunReport.text(outcome.record(), w));
        assertTrue(report.contains("not make-before-break: Pod/debug: a bare pod (no controller): revroll cannot restart it; it stays on " + OLD), report);
        assertTrue(report.contains("what a person must do: after the step, delete it and create it again"), report);
        List<String> todo = dev.revroll.output.report.ReportModel.of(outcome.record()).whatToDo();
        assertEquals(3, todo.size(), todo.toString());
        assertTrue(todo.get(0).startsWith("Step only/shop: Deployment/batch cannot be restarted make-before-break (strategy Recreate"), todo.get(0));
    }

    @Test
    void requireMakeBeforeBreakRefusesAndChangesNothing() {
        deployment("web", Map.of());
        deployment("batch", "Recreate", Map.of());

        PreflightException e = assertThrows(PreflightException.class, () -> run(plan(OptionalInt.empty(), true, OnFailure.ROLLBACK_STEP)));

        assertTrue(e.getMessage().contains("restart.requireMakeBeforeBreak: shop/Deployment/batch cannot be restarted make-before-break: strategy Recreate"),
                e.getMessage());
        assertEquals(List.of(), cluster.writes);
        assertEquals(OLD, cluster.namespaces.get("shop").labels().get("istio.io/rev"));
    }

    @Test
    void requireMakeBeforeBreakDoesNotCountASkippedWorkload() {
        deployment("web", Map.of());
        deployment("batch", "Recreate", Map.of(WorkloadControl.SKIP, "true"));

        RunOutcome outcome = run(plan(OptionalInt.empty(), true, OnFailure.ROLLBACK_STEP));

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        assertEquals(List.of("web"), restarts());
    }

    @Test
    void anUnreadableAnnotationIsRefusedNamingTheWorkloadAndTheValue() {
        deployment("web", Map.of(WorkloadControl.ORDER, "first"));
        deployment("api", Map.of(WorkloadControl.SKIP, "yes please"));

        PreflightException e = assertThrows(PreflightException.class, () -> run(plan(OptionalInt.empty(), false, OnFailure.ROLLBACK_STEP)));

        assertTrue(e.getMessage().contains("shop/Deployment/web: annotation revroll.dev/order=\"first\" is not a whole number"), e.getMessage());
        assertTrue(e.getMessage().contains("shop/Deployment/api: annotation revroll.dev/skip=\"yes please\" is neither \"true\" nor \"false\""),
                e.getMessage());
        assertEquals(List.of(), cluster.writes);
    }

    @Test
    void previewShowsTheOrderTheCapAndWhatIsLeftBehind() {
        deployment("web", Map.of());
        deployment("db", Map.of(WorkloadControl.ORDER, "10"));
        deployment("legacy", Map.of(WorkloadControl.SKIP, "true"));

        Preview preview = engine().preview(plan(OptionalInt.of(3), false, OnFailure.ROLLBACK_STEP));

        String text = text(w -> PreviewReport.text(preview, w));
        assertTrue(text.contains("restart order: 1. order 0: Deployment/web → 2. order 10: Deployment/db (each group rolled out before the next);"
                + " at most 3 mid-rollout at once"), text);
        assertTrue(text.contains("left behind (revroll.dev/skip): Deployment/legacy stay on revision " + OLD), text);
        String json = text(w -> PreviewReport.json(preview, w));
        assertTrue(json.contains("\"maxConcurrentRestarts\" : 3"), json);
        assertTrue(json.contains("\"leftBehind\" : [ \"Deployment/legacy\" ]"), json);
        // the restart writes preview dry-runs come in the run's order
        List<String> writes = preview.step("shop").writes().stream().filter(w -> w.action().equals("restart"))
                .map(w -> w.write().reason()).toList();
        assertEquals(List.of("restart Deployment/web", "restart Deployment/db"), writes);
    }

    static PodState pod(String name, Optional<String> controller) {
        Map<String, String> ann = new HashMap<>();
        ann.put(ProxySyncGate.STATUS_ANNOTATION, "{\"revision\":\"" + OLD + "\"}");
        return new PodState("shop", name, Map.of(), ann, "Running", true, false, true, Optional.empty(), Instant.now(), 0, controller);
    }

    static String text(java.util.function.Consumer<PrintWriter> render) {
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out);
        render.accept(w);
        w.flush();
        return out.toString();
    }
}
