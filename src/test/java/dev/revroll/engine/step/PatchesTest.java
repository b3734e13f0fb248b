package dev.revroll.engine.step;

import dev.revroll.engine.journal.RunRecord.SavedStrategy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The patches each action declares: what they say, per kind (docs/kubernetes-rollouts.md). */
class PatchesTest {

    private static Workload workload(WorkloadKind kind, String strategy) {
        return new Workload(new WorkloadRef(kind, "shop", "w"), 1, 2, strategy, Optional.of("25%"), Optional.of("25%"), Map.of(), Map.of(), Map.of());
    }

    @Test
    void eachKindKeepsItsKnobsWhereTheApiWantsThem() {
        assertEquals("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,\"maxSurge\":1}}}}",
                Patches.rollingUpdate(workload(WorkloadKind.Deployment, "RollingUpdate"), "0", "1").orElseThrow().json());
        assertEquals("{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":\"25%\",\"maxSurge\":null}}}}",
                Patches.rollingUpdate(workload(WorkloadKind.DaemonSet, "RollingUpdate"), "25%", null).orElseThrow().json());
        assertEquals("{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":null}}}}",
                Patches.rollingUpdate(workload(WorkloadKind.StatefulSet, "RollingUpdate"), "0", "1").orElseThrow().json(),
                "a StatefulSet has no surge, and 0 (which the API rejects) means its default, one pod at a time");
        assertTrue(Patches.rollingUpdate(workload(WorkloadKind.StatefulSet, "OnDelete"), "0", "1").isEmpty());
    }

    @Test
    void enforcingSurgeKeepsTheValuesBeforeOnTheWorkloadAndRestoringRemovesThem() {
        Workload w = workload(WorkloadKind.Deployment, "RollingUpdate");
        SavedStrategy saved = new SavedStrategy("25%", "25%");
        assertEquals("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,\"maxSurge\":1}}},"
                + "\"metadata\":{\"annotations\":{\"revroll.dev/saved-rolling-update\":\"{\\\"maxUnavailable\\\":\\\"25%\\\",\\\"maxSurge\\\":\\\"25%\\\"}\"}}}",
                Patches.enforceSurge(w, saved).orElseThrow().json());
        assertEquals("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":\"25%\",\"maxSurge\":\"25%\"}}},"
                + "\"metadata\":{\"annotations\":{\"revroll.dev/saved-rolling-update\":null}}}", Patches.restoreSurge(w, saved).orElseThrow().json());
    }

    @Test
    void theRelabelIsOnePatchAndItsUndoPutsEveryLabelBack() {
        Map<String, String> before = new java.util.LinkedHashMap<>();
        before.put("istio.io/rev", "1-27-0");
        before.put("istio-injection", "enabled");
        assertEquals("{\"metadata\":{\"labels\":{\"istio.io/rev\":\"1-28-0\",\"istio-injection\":null},"
                + "\"annotations\":{\"revroll.dev/previous-labels\":\"{\\\"istio.io/rev\\\":\\\"1-27-0\\\",\\\"istio-injection\\\":\\\"enabled\\\"}\"}}}",
                Patches.relabel("1-28-0", before).json());
        assertEquals("{\"metadata\":{\"labels\":{\"istio.io/rev\":\"1-27-0\",\"istio-injection\":\"enabled\"},"
                + "\"annotations\":{\"revroll.dev/previous-labels\":null}}}", Patches.restoreLabels(before).json());
    }
}
