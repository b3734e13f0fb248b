package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord.Attention;
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
        List<String> warnings,
        Map<String, List<Attention>> attention) {

    public Survey(String context, Optional<RevisionTarget> target, Optional<RolloutLayout> layout, Map<String, List<WorkloadPlan>> workloads,
                  List<IstiodPod> istiodPods, List<String> refusals, List<String> warnings) {
        this(context, target, layout, workloads, istiodPods, refusals, warnings, Map.of());
    }

    /** What revroll cannot restart make-before-break in the namespace, with what a person must do. */
    public List<Attention> attentionIn(String namespace) {
        return attention.getOrDefault(namespace, List.of());
    }

    /** The namespace's workloads annotated {@code revroll.dev/skip} ({@code Kind/name}). */
    public List<String> leftBehindIn(String namespace) {
        return workloadsOf(namespace).stream().filter(WorkloadPlan::skipped).map(WorkloadPlan::key).toList();
    }

    /** The non-zero {@code revroll.dev/order} of the namespace's workloads that move. */
    public Map<String, Integer> ordersIn(String namespace) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        workloadsOf(namespace).stream().filter(WorkloadPlan::moves).filter(w -> w.order() != 0).forEach(w -> out.put(w.key(), w.order()));
        return out;
    }

    public List<WorkloadPlan> workloadsOf(String namespace) {
        return workloads.getOrDefault(namespace, List.of());
    }
}
