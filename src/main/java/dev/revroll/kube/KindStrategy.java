package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;

import java.util.List;
import java.util.Optional;

/**
 * What differs between Deployments, StatefulSets and DaemonSets: how they are read, where their rolling-update
 * knobs live, and kubectl's rule for "rollout done". Restart and annotations are the same merge patch for all three.
 */
interface KindStrategy {

    WorkloadKind kind();

    List<Workload> list(String namespace);

    Optional<Workload> read(String namespace, String name);

    /** Sends a JSON merge patch to the workload (server-side dry run when asked). */
    void patch(String namespace, String name, MergePatch patch, boolean dryRun);

    /**
     * Sets {@code rollingUpdate.maxUnavailable}/{@code maxSurge} (null removes the field, so the API's default applies).
     * What this means per kind is documented on each implementation.
     */
    void patchRollingUpdate(String namespace, String name, String maxUnavailable, String maxSurge, boolean dryRun);

    /** kubectl's {@code rollout status} rule for this kind; a workload that is gone is a failed rollout. */
    RolloutState rolloutState(String namespace, String name);
}
