package dev.revroll.engine;

import dev.revroll.ports.ClusterModel.IstiodPod;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything read from the cluster before anything is touched: the target, the layout of steps, each namespace's
 * workload plans, and preflight's refusals and warnings. {@code run} refuses when {@link #refusals()} is not empty;
 * {@code preview} prints it all.
 */
public record Survey(
        String context,
        Optional<RevisionTarget> target,
        Optional<RolloutLayout> layout,
        Map<String, List<WorkloadPlan>> workloads,
        List<IstiodPod> istiodPods,
        List<String> refusals,
        List<String> warnings) {

    public List<WorkloadPlan> workloadsOf(String namespace) {
        return workloads.getOrDefault(namespace, List.of());
    }
}
