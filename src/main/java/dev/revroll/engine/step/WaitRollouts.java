package dev.revroll.engine.step;

import dev.revroll.engine.StepFailure;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Waits for every rollout of the step by kubectl's rule within {@code restart.timeout}
 * (docs/kubernetes-rollouts.md#rollout-complete-kubectls-rule-per-kind); a stall names the FailedCreate events behind it.
 * OnDelete workloads were waited for pod by pod by {@link Restart}.
 */
public record WaitRollouts() implements Action {

    @Override
    public String id() {
        return "wait-rollouts";
    }

    @Override
    public String does() {
        return "wait for every rollout (kubectl's rule) within restart.timeout";
    }

    @Override
    public void apply(StepScope step) {
        Duration timeout = step.restartTimeout();
        List<WorkloadRef> refs = step.workloads();
        String namespace = step.record().namespace();
        Set<WorkloadKind> kinds = EnumSet.noneOf(WorkloadKind.class);
        refs.forEach(r -> kinds.add(r.kind()));
        if (refs.isEmpty()) {
            return;
        }
        Map<WorkloadRef, RolloutState> states;
        // one list and one watch per kind for the whole wait, as kubectl rollout status does; looked at again at
        // each change, and at least every poll interval
        try (KubernetesGateway.WorkloadView view = step.cluster().watchWorkloads(namespace, kinds)) {
            states = step.pollOnChange("rollouts-" + namespace, timeout, view, () -> {
                Map<WorkloadRef, RolloutState> m = new LinkedHashMap<>();
                for (WorkloadRef ref : refs) {
                    Optional<Workload> w = view.workload(ref);
                    if (w.isEmpty() || "OnDelete".equals(w.get().strategyType())) {
                        continue;
                    }
                    m.put(ref, view.rolloutState(ref));
                }
                return m;
            }, m -> m.values().stream().allMatch(RolloutState::done) || m.values().stream().anyMatch(RolloutState::failed));
        }
        List<String> stuck = states.entrySet().stream().filter(e -> !e.getValue().done())
                .map(e -> e.getKey().key() + ": " + e.getValue().message()).toList();
        if (!stuck.isEmpty()) {
            throw new StepFailure("rollout not complete within " + StepScope.human(timeout) + " in " + namespace + ": "
                    + String.join("; ", stuck) + step.eventsHint());
        }
    }

    /** Preview waits for nothing: nothing was restarted. */
    @Override
    public void preview(StepScope step) {
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
