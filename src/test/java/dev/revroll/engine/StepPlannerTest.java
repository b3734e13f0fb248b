package dev.revroll.engine;

import dev.revroll.plan.Plan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StepPlannerTest {

    @Test
    void wavesResolveWithEverySkipExplained() {
        FakeCluster c = FakeCluster.twoRevisions("1-27-0", "1-28-0");
        c.webhooks.add(FakeCluster.revisionWebhook("1-26-0"));
        c.addNamespace("canary", Map.of("istio.io/rev", "1-27-0"));
        c.addNamespace("shop-a", Map.of("istio.io/rev", "1-27-0", "team", "shop"));
        c.addNamespace("shop-b", Map.of("istio.io/rev", "1-27-0", "team", "shop"));
        c.addNamespace("shop-legacy", Map.of("istio.io/rev", "1-27-0", "team", "shop"));
        c.addNamespace("shop-old", Map.of("istio.io/rev", "1-26-0", "team", "shop"));
        c.addNamespace("shop-plain", Map.of("team", "shop"));
        c.addNamespace("shop-done", Map.of("istio.io/rev", "1-28-0", "team", "shop"));
        Plan plan = Fakes.plan("1-27-0", "1-28-0", List.of(
                Fakes.wave("canary", List.of("canary", "kube-system", "istio-system", "missing")),
                new Plan.Wave("shop", List.of("canary"), Optional.of("team=shop"), List.of("shop-legacy"), 2)),
                dev.revroll.plan.SurgePolicy.KEEP, dev.revroll.plan.OnFailure.ROLLBACK_STEP, List.of());
        RevisionTarget target = RevisionTarget.resolve("1-28-0", c.webhooks).orElseThrow();

        RolloutLayout layout = new StepPlanner(c).layout(plan, target, new InjectionTable(c.webhooks));

        assertEquals(List.of("canary/canary", "shop/shop-a", "shop/shop-b"), layout.allTargets().stream().map(RolloutLayout.NamespaceTarget::stepId).toList());
        Map<String, String> skips = new java.util.HashMap<>();
        layout.allSkips().forEach(s -> skips.put(s.namespace(), s.reason()));
        assertEquals("protected namespace (system or control plane); never a target", skips.get("kube-system"));
        assertEquals("protected namespace (system or control plane); never a target", skips.get("istio-system"));
        assertEquals("namespace does not exist", skips.get("missing"));
        assertEquals("already a step of an earlier wave", skips.get("canary"));
        assertEquals("excluded by the wave", skips.get("shop-legacy"));
        assertEquals("on revision 1-26-0, not on revision.from 1-27-0", skips.get("shop-old"));
        assertEquals("already labelled istio.io/rev=1-28-0", skips.get("shop-done"));
        assertEquals(true, skips.get("shop-plain").startsWith("not meshed"));
        assertEquals(2, layout.waves().get(1).parallel());
    }

    @Test
    void aLongListedWaveIsReadWithOneNamespaceListAndResolvesAsAShortOne() {
        FakeCluster c = FakeCluster.twoRevisions("1-27-0", "1-28-0");
        List<String> listed = new java.util.ArrayList<>();
        for (int i = 0; i < WaveMembership.LIST_ALL_FROM; i++) {
            String name = String.format("team-%02d", i);
            listed.add(name);
            if (i != 7) {
                c.addNamespace(name, Map.of("istio.io/rev", i == 3 ? "1-28-0" : "1-27-0"));
            }
        }
        listed.add("kube-system");
        Plan plan = Fakes.plan("1-27-0", "1-28-0", List.of(Fakes.wave("all", listed)),
                dev.revroll.plan.SurgePolicy.KEEP, dev.revroll.plan.OnFailure.ROLLBACK_STEP, List.of());
        RevisionTarget target = RevisionTarget.resolve("1-28-0", c.webhooks).orElseThrow();

        RolloutLayout layout = new StepPlanner(c).layout(plan, target, new InjectionTable(c.webhooks));

        assertEquals(0, c.namespaceReads, "no namespace read one by one");
        assertEquals(1, c.namespaceLists);
        assertEquals(WaveMembership.LIST_ALL_FROM - 2, layout.allTargets().size());
        assertEquals("all/team-00", layout.allTargets().get(0).stepId());
        Map<String, String> skips = new java.util.HashMap<>();
        layout.allSkips().forEach(s -> skips.put(s.namespace(), s.reason()));
        assertEquals("namespace does not exist", skips.get("team-07"));
        assertEquals("already labelled istio.io/rev=1-28-0", skips.get("team-03"));
        assertEquals("protected namespace (system or control plane); never a target", skips.get("kube-system"));
    }
}
