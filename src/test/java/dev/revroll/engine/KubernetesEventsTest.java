package dev.revroll.engine;

import dev.revroll.errors.ClusterException;
import dev.revroll.errors.Secrets;
import dev.revroll.gates.GateOutcome;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.ports.ClusterModel.EventType;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.ReportedEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run's events become Kubernetes Events on each step's namespace: which, with what note, and only best effort. */
class KubernetesEventsTest {

    static final String OLD = "1-27-0";
    static final String NEW = "1-28-0";

    FakeCluster cluster;
    Fakes.Journal journal;
    Fakes.Gates gates;
    List<RunEvent> events;

    @BeforeEach
    void world() {
        cluster = FakeCluster.twoRevisions(OLD, NEW);
        cluster.addNamespace("a", Map.of("istio.io/rev", OLD));
        cluster.addNamespace("b", Map.of("istio.io/rev", OLD));
        cluster.addDeployment("a", "web", 2, "0", "1");
        cluster.addDeployment("b", "api", 1, "0", "1");
        journal = new Fakes.Journal();
        gates = new Fakes.Gates();
        events = new ArrayList<>();
    }

    Plan plan() {
        return Fakes.plan(OLD, NEW, List.of(Fakes.wave("one", List.of("a")), Fakes.wave("two", List.of("b"))),
                SurgePolicy.KEEP, OnFailure.ROLLBACK_STEP, List.of(Fakes.errorRate()));
    }

    RolloutEngine engine() {
        return Fakes.engine(cluster, journal, new Fakes.Lock(), gates, RunWindow.ALWAYS);
    }

    List<String> reasons(String namespace) {
        return cluster.reported.stream().filter(e -> e.namespace().equals(namespace)).map(ReportedEvent::reason).toList();
    }

    ReportedEvent first(String namespace, String reason) {
        return cluster.reported.stream().filter(e -> e.namespace().equals(namespace) && e.reason().equals(reason)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + reason + " in " + namespace + ": " + cluster.reported));
    }

    @Test
    void aPassingStepAndAFailingOneEachGetTheirEventsInOrder() {
        gates.verdict = (ns, gate) -> ns.equals("b") ? GateOutcome.FAIL : GateOutcome.PASS;

        RunOutcome outcome = engine().run(plan(), "hash", events::add);

        assertEquals(RunOutcome.Result.ROLLED_BACK, outcome.result());
        assertEquals(List.of("RevrollStepStarted", "RevrollGatePassed", "RevrollGatePassed", "RevrollGatePassed", "RevrollStepSucceeded"), reasons("a"),
                "proxy-sync, bake-health and error-rate passed");
        assertEquals(List.of("RevrollStepStarted", "RevrollGatePassed", "RevrollGatePassed", "RevrollGateFailed", "RevrollStepFailed",
                "RevrollRollbackStarted", "RevrollRolledBack"), reasons("b"), "proxy-sync and bake-health passed, error-rate failed");
        String runId = outcome.record().runId();
        for (ReportedEvent e : cluster.reported) {
            assertEquals(new NamespaceRef(e.namespace()), e.regarding(), "an Event regards the step's Namespace");
            assertEquals(runId, e.reportingInstance(), "the run reports it");
            assertTrue(e.note().contains("run " + runId), e.note());
        }
        ReportedEvent failed = first("b", "RevrollGateFailed");
        assertEquals(EventType.Warning, failed.type());
        assertEquals("EvaluateGate", failed.action());
        assertTrue(failed.note().startsWith("gate error-rate failed (FAIL) on revision " + NEW + ": last value 0.5, fails when > 0.01"),
                failed.note());
        assertEquals(EventType.Normal, first("a", "RevrollGatePassed").type());
        assertTrue(first("a", "RevrollStepStarted").note().startsWith("revroll is moving namespace a from revision " + OLD
                + " to revision " + NEW), first("a", "RevrollStepStarted").note());
        ReportedEvent stepFailed = first("b", "RevrollStepFailed");
        assertEquals(EventType.Warning, stepFailed.type());
        assertTrue(stepFailed.note().startsWith("moving namespace b to revision " + NEW + " failed in metric-gates: "), stepFailed.note());
        assertTrue(first("b", "RevrollRolledBack").note().startsWith("namespace b rolled back to revision " + OLD),
                first("b", "RevrollRolledBack").note());
        assertEquals(1, events.stream().filter(e -> e.type() == RunEvent.Type.GATE_RESULT && "error-rate".equals(e.action())
                && "b".equals(e.step().substring(e.step().indexOf('/') + 1))).count(), "one GATE_RESULT per gate and step");
    }

    @Test
    void anEventThatCannotBeWrittenIsOneWarningAndTheRunGoesOn() {
        cluster.eventFailure = new ClusterException("cannot create Event: HTTP 403 Forbidden: events.events.k8s.io is forbidden",
                "create", "Event", 403, "Forbidden", true, null);

        RunOutcome outcome = engine().run(plan(), "hash", events::add);

        assertEquals(RunOutcome.Result.DONE, outcome.result(), outcome.message());
        List<RunEvent> warnings = events.stream().filter(e -> e.type() == RunEvent.Type.WARNING).toList();
        assertEquals(1, warnings.size(), "one warning for the same failure, not one per Event: " + warnings);
        assertTrue(warnings.get(0).message().contains("could not write the Kubernetes Event RevrollStepStarted in namespace a: "
                + "cannot create Event: HTTP 403"), warnings.get(0).message());
        assertTrue(warnings.get(0).message().contains("'create' on events.events.k8s.io"), warnings.get(0).message());
        assertEquals(NEW, cluster.namespaces.get("b").labels().get("istio.io/rev"), "every step still ran");
    }

    @Test
    void previewWritesNoEvent() {
        engine().preview(plan());

        assertTrue(cluster.reported.isEmpty(), cluster.reported.toString());
    }

    @Test
    void aRollbackCommandReportsTheRollbackOnEachNamespace() {
        RunOutcome done = engine().run(plan(), "hash", events::add);
        cluster.reported.clear();

        engine().rollback(plan(), done.record().runId(), java.util.Optional.empty(), false, events::add);

        assertEquals(List.of("RevrollRollbackStarted", "RevrollRolledBack"), reasons("a"));
        assertEquals(List.of("RevrollRollbackStarted", "RevrollRolledBack"), reasons("b"));
    }

    @Test
    void aNoteNeverCarriesASecretTheRunHasRead() {
        Secrets.register("s3cr3t-token-value");
        cluster.beforeWrite = w -> {
            if (w.startsWith("restart Deployment/b/")) {
                throw new IllegalStateException("push to https://bot:s3cr3t-token-value@git.example/x.git refused");
            }
        };

        engine().run(plan(), "hash", events::add);

        ReportedEvent failed = first("b", "RevrollStepFailed");
        assertFalse(failed.note().contains("s3cr3t-token-value"), failed.note());
        assertTrue(failed.note().contains("https://***@git.example/x.git"), failed.note());
    }
}
