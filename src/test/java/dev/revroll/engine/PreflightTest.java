package dev.revroll.engine;

import dev.revroll.plan.OnFailure;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.WebhookEntry;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.LabelSelector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreflightTest {

    static final String OLD = "1-27-0";
    static final String NEW = "1-28-0";

    FakeCluster cluster = FakeCluster.twoRevisions(OLD, NEW);

    Survey survey(Plan plan) {
        return new Preflight(cluster, Optional.empty(), new NoGitRecord()).survey(plan);
    }

    Plan plan(String to, List<String> namespaces) {
        return Fakes.plan(null, to, List.of(Fakes.wave("w", namespaces)), SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, List.of());
    }

    @Test
    void namespaceWithBothLabelsIsOnTheDefaultInjectorAndMovesCleanly() {
        cluster.webhooks.add(FakeCluster.tagWebhook("default", OLD));
        cluster.addNamespace("both", Map.of("istio-injection", "enabled", "istio.io/rev", NEW));
        Survey s = survey(plan(NEW, List.of("both")));
        assertEquals(List.of(), s.refusals());
        RolloutLayout.NamespaceTarget t = s.layout().orElseThrow().allTargets().get(0);
        assertEquals(Optional.of(OLD), t.currentRevision(), "istio-injection=enabled beats istio.io/rev");
    }

    @Test
    void secondInjectorMatchingAfterTheRelabelIsIst0139() {
        // a stray webhook that injects every namespace carrying any istio.io/rev
        cluster.webhooks.add(new InjectorWebhook("stray-injector", Optional.of("1-26-0"), Optional.empty(), List.of(
                new WebhookEntry("stray", new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("istio.io/rev", "Exists", List.of()))),
                        LabelSelector.EVERYTHING))));
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        Survey s = survey(plan(NEW, List.of("shop")));
        assertTrue(s.refusals().stream().anyMatch(r -> r.startsWith("IST0139: namespace shop") && r.contains("stray-injector")), s.refusals().toString());
    }

    @Test
    void tagResolvesToItsRevisionAndNamespacesGetTheTag() {
        cluster.webhooks.add(FakeCluster.tagWebhook("stable", NEW));
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        Survey s = survey(plan("stable", List.of("shop")));
        assertEquals(List.of(), s.refusals());
        RevisionTarget t = s.target().orElseThrow();
        assertEquals("stable", t.label());
        assertEquals(NEW, t.revision());
        assertEquals("istio-revision-tag-stable", t.webhook());
    }

    @Test
    void missingInjectorAndIstiodNotReadyAreRefused() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        assertTrue(survey(plan("1-29-0", List.of("shop"))).refusals().get(0).contains("istio-sidecar-injector-1-29-0"));
        cluster.istiodReady.put(NEW, false);
        assertTrue(survey(plan(NEW, List.of("shop"))).refusals().stream().anyMatch(r -> r.contains("no Ready pod")));
    }

    @Test
    void breakGlassNotYetReconciledIsRefused() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        cluster.namespaces.get("shop").annotations().put("revroll.dev/break-glass", "{\"run\":\"r1\",\"step\":\"w/shop\"}");
        cluster.addNamespace("cart", Map.of("istio.io/rev", OLD));
        List<String> refusals = survey(plan(NEW, List.of("shop", "cart"))).refusals();
        assertEquals(1, refusals.size(), refusals.toString());
        assertTrue(refusals.get(0).startsWith("namespace shop was rolled back with --break-glass") && refusals.get(0).endsWith("run 'revroll reconcile PLAN' first"),
                refusals.toString());
    }

    @Test
    void contextMismatchIsRefused() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        Plan p = plan(NEW, List.of("shop"));
        Plan other = new Plan(p.source(), p.apiVersion(), p.kind(), p.metadata(), new Plan.Spec(new Plan.Cluster(Optional.of("prod-eu-1")),
                p.spec().controlPlane(), p.spec().revision(), p.spec().waves(), p.spec().restart(), p.spec().gates(), p.spec().bake(),
                p.spec().onFailure(), p.spec().prometheus(), p.spec().git(), p.spec().window()));
        assertTrue(survey(other).refusals().get(0).contains("'test' but the plan is for 'prod-eu-1'"));
    }

    @Test
    void optedOutAndPinnedWorkloadsAreReported() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        WorkloadRef out = new WorkloadRef(WorkloadKind.Deployment, "shop", "batch");
        cluster.addWorkload(new Workload(out, 1, 1, "RollingUpdate", Optional.of("0"), Optional.of("1"), Map.of(),
                Map.of("sidecar.istio.io/inject", "false"), Map.of()));
        WorkloadRef pinned = new WorkloadRef(WorkloadKind.Deployment, "shop", "pinned");
        cluster.addWorkload(new Workload(pinned, 1, 1, "RollingUpdate", Optional.of("0"), Optional.of("1"), Map.of(),
                Map.of("istio.io/rev", OLD), Map.of()));
        Survey s = survey(plan(NEW, List.of("shop")));
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("shop/Deployment/batch will not move: sidecar.istio.io/inject=false")), s.warnings().toString());
        WorkloadPlan p = s.workloadsOf("shop").stream().filter(w -> w.key().equals("Deployment/pinned")).findFirst().orElseThrow();
        assertTrue(p.moves(), "a pod-level istio.io/rev is ignored in a labelled namespace");
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("Deployment/pinned: holdApplicationUntilProxyStarts is not set")));
    }

    @Test
    void surgeRequireAcceptsOnlyMakeBeforeBreak() {
        Workload ok = new Workload(new WorkloadRef(WorkloadKind.Deployment, "n", "a"), 1, 1, "RollingUpdate", Optional.of("0"), Optional.of("1"), Map.of(), Map.of(), Map.of());
        Workload defaults = new Workload(new WorkloadRef(WorkloadKind.Deployment, "n", "b"), 1, 1, "RollingUpdate", Optional.empty(), Optional.empty(), Map.of(), Map.of(), Map.of());
        Workload recreate = new Workload(new WorkloadRef(WorkloadKind.Deployment, "n", "c"), 1, 1, "Recreate", Optional.empty(), Optional.empty(), Map.of(), Map.of(), Map.of());
        Workload sts = new Workload(new WorkloadRef(WorkloadKind.StatefulSet, "n", "d"), 1, 1, "OnDelete", Optional.empty(), Optional.empty(), Map.of(), Map.of(), Map.of());
        assertTrue(WorkloadPlan.makeBeforeBreak(ok));
        assertTrue(!WorkloadPlan.makeBeforeBreak(defaults));
        assertTrue(!WorkloadPlan.makeBeforeBreak(recreate));
        assertTrue(WorkloadPlan.makeBeforeBreak(sts));
    }

    @Test
    void prometheusNotAnsweringRefusesWhenThereAreMetricGates() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        dev.revroll.ports.MetricsProvider down = new dev.revroll.ports.MetricsProvider() {
            @Override
            public QueryResult query(String promql, java.time.Instant at) {
                return QueryResult.failed("connection refused");
            }

            @Override
            public boolean reachable() {
                return false;
            }

            @Override
            public String describe() {
                return "Prometheus at http://prometheus:9090";
            }
        };
        Plan withGate = Fakes.plan(null, NEW, List.of(Fakes.wave("w", List.of("shop"))), SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP,
                List.of(Fakes.errorRate()));
        Survey s = new Preflight(cluster, Optional.of(down), new NoGitRecord()).survey(withGate);
        assertEquals(List.of("Prometheus at http://prometheus:9090 cannot be queried: it does not answer (metric gates need it)"), s.refusals());
        assertEquals(List.of(), new Preflight(cluster, Optional.of(down), new NoGitRecord()).survey(plan(NEW, List.of("shop"))).refusals(),
                "without metric gates Prometheus is not needed");
    }

    @Test
    void insecureSkipVerifyIsAWarning() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        Plan p = plan(NEW, List.of("shop"));
        Plan.Spec s = p.spec();
        Plan.PrometheusConfig insecure = new Plan.PrometheusConfig("https://prom:9090", java.time.Duration.ofSeconds(1),
                Optional.of(new Plan.PrometheusTls(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true)),
                Map.of(), Optional.empty(), Optional.empty());
        Plan withInsecure = new Plan(p.source(), p.apiVersion(), p.kind(), p.metadata(), new Plan.Spec(s.cluster(), s.controlPlane(),
                s.revision(), s.waves(), s.restart(), s.gates(), s.bake(), s.onFailure(), Optional.of(insecure), s.git(), s.window()));
        assertTrue(survey(withInsecure).warnings().contains("spec.prometheus.tls.insecureSkipVerify is true: any server can answer for "
                + "Prometheus and see its credentials, and gate verdicts rest on what it says; give tls.caFile instead"));
        assertTrue(survey(p).warnings().stream().noneMatch(w -> w.contains("insecureSkipVerify")));
    }

    @Test
    void shortDrainIsAWarning() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        cluster.addWorkload(new Workload(new WorkloadRef(WorkloadKind.Deployment, "shop", "web"), 1, 1, "RollingUpdate", Optional.of("0"),
                Optional.of("1"), Map.of(), Map.of(), Map.of("proxy.istio.io/config", "holdApplicationUntilProxyStarts: true\nterminationDrainDuration: 1s")));
        Survey s = survey(plan(NEW, List.of("shop")));
        assertTrue(s.warnings().contains("shop/Deployment/web: terminationDrainDuration 1s is short; connections may be cut when old pods stop"), s.warnings().toString());
        assertTrue(s.warnings().stream().noneMatch(w -> w.contains("holdApplicationUntilProxyStarts")), s.warnings().toString());
    }

    @Test
    void everyMissingPermissionIsNamedBeforeAnythingElseIsRead() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        cluster.deniedAccess.add("patch namespaces");
        cluster.deniedAccess.add("create leases.coordination.k8s.io in namespace istio-system");
        cluster.deniedAccess.add("patch deployments.apps");
        Survey s = survey(plan(NEW, List.of("shop")));
        assertEquals(3, s.refusals().size(), s.refusals().toString());
        assertTrue(s.refusals().get(0).startsWith("permission missing: patch namespaces (cluster-scoped): needed to relabel a namespace"), s.refusals().get(0));
        assertTrue(s.refusals().get(1).startsWith("permission missing: create leases.coordination.k8s.io (in namespace istio-system): needed to take the run lock"),
                s.refusals().get(1));
        assertTrue(s.refusals().get(2).startsWith("permission missing: patch deployments.apps (in all namespaces)"), s.refusals().get(2));
        assertTrue(s.layout().isEmpty(), "without the cluster-wide grants the targets are not read");
        assertEquals(List.of(), cluster.writes);
    }

    @Test
    void aPermissionDeniedClusterWideIsAskedAgainInEachTargetNamespace() {
        cluster.addNamespace("shop", Map.of("istio.io/rev", OLD));
        cluster.addNamespace("cart", Map.of("istio.io/rev", OLD));
        cluster.deniedAccess.add("patch deployments.apps");
        Survey granted = survey(plan(NEW, List.of("shop", "cart")));
        assertEquals(List.of(), granted.refusals(), "a RoleBinding in every target namespace is enough");
        assertTrue(cluster.accessAsked.contains(new dev.revroll.ports.Access("patch", "apps", "deployments", "", "cart")));

        cluster.deniedAccess.add("patch deployments.apps in namespace cart");
        Survey refused = survey(plan(NEW, List.of("shop", "cart")));
        assertEquals(1, refused.refusals().size(), refused.refusals().toString());
        assertTrue(refused.refusals().get(0).startsWith("permission missing: patch deployments.apps (in namespace cart): needed to restart a Deployment"),
                refused.refusals().get(0));
    }
}
