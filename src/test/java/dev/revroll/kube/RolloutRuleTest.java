package dev.revroll.kube;

import dev.revroll.ports.ClusterModel.RolloutState;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1RollingUpdateStatefulSetStrategy;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StatefulSetStatus;
import io.kubernetes.client.openapi.models.V1StatefulSetUpdateStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kubectl's rollout-status rules, one per kind, on plain model objects. */
class RolloutRuleTest {

    private static V1Deployment deployment(long generation, int replicas, V1DeploymentStatus status) {
        return new V1Deployment().metadata(new V1ObjectMeta().name("web").namespace("shop").generation(generation))
                .spec(new V1DeploymentSpec().replicas(replicas)).status(status);
    }

    @Test
    void deploymentWaitsForTheNewGenerationToBeObserved() {
        RolloutState s = DeploymentKind.rolloutRule(deployment(3, 2, new V1DeploymentStatus().observedGeneration(2L)
                .replicas(2).updatedReplicas(2).availableReplicas(2)));
        assertFalse(s.done());
        assertTrue(s.message().contains("spec update to be observed"));
    }

    @Test
    void deploymentWaitsForUpdatedThenOldThenAvailableReplicas() {
        assertFalse(DeploymentKind.rolloutRule(deployment(2, 3, new V1DeploymentStatus().observedGeneration(2L)
                .replicas(4).updatedReplicas(1).availableReplicas(3))).message().contains("old replicas"));
        RolloutState old = DeploymentKind.rolloutRule(deployment(2, 3, new V1DeploymentStatus().observedGeneration(2L)
                .replicas(4).updatedReplicas(3).availableReplicas(3)));
        assertFalse(old.done());
        assertTrue(old.message().contains("1 old replicas are pending termination"), old.message());
        RolloutState unavailable = DeploymentKind.rolloutRule(deployment(2, 3, new V1DeploymentStatus().observedGeneration(2L)
                .replicas(3).updatedReplicas(3).availableReplicas(2)));
        assertFalse(unavailable.done());
        assertTrue(unavailable.message().contains("2 of 3 updated replicas are available"), unavailable.message());
        RolloutState done = DeploymentKind.rolloutRule(deployment(2, 3, new V1DeploymentStatus().observedGeneration(2L)
                .replicas(3).updatedReplicas(3).availableReplicas(3)));
        assertTrue(done.done() && !done.failed());
    }

    @Test
    void deploymentPastItsProgressDeadlineHasFailed() {
        RolloutState s = DeploymentKind.rolloutRule(deployment(2, 3, new V1DeploymentStatus().observedGeneration(2L)
                .replicas(4).updatedReplicas(1).availableReplicas(3)
                .conditions(List.of(new V1DeploymentCondition().type("Progressing").status("False").reason("ProgressDeadlineExceeded")
                        .message("ReplicaSet \"web-1\" has timed out progressing.")))));
        assertTrue(s.failed());
        assertFalse(s.done());
        assertTrue(s.message().contains("exceeded its progress deadline"));
    }

    private static V1StatefulSet sts(String type, Integer partition, int replicas, V1StatefulSetStatus status) {
        V1StatefulSetUpdateStrategy strategy = new V1StatefulSetUpdateStrategy().type(type);
        if (partition != null) {
            strategy.rollingUpdate(new V1RollingUpdateStatefulSetStrategy().partition(partition));
        }
        return new V1StatefulSet().metadata(new V1ObjectMeta().name("db").generation(2L))
                .spec(new V1StatefulSetSpec().replicas(replicas).updateStrategy(strategy)).status(status);
    }

    @Test
    void statefulSetNeedsEveryReplicaReadyAndThePartitionUpdated() {
        assertFalse(StatefulSetKind.rolloutRule(sts("RollingUpdate", 0, 3, new V1StatefulSetStatus().observedGeneration(0L))).done());
        RolloutState notReady = StatefulSetKind.rolloutRule(sts("RollingUpdate", 0, 3, new V1StatefulSetStatus().observedGeneration(2L)
                .readyReplicas(2).updatedReplicas(3)));
        assertTrue(notReady.message().contains("waiting for 1 pods"), notReady.message());
        RolloutState partitioned = StatefulSetKind.rolloutRule(sts("RollingUpdate", 1, 3, new V1StatefulSetStatus().observedGeneration(2L)
                .readyReplicas(3).updatedReplicas(1)));
        assertFalse(partitioned.done());
        assertTrue(partitioned.message().contains("1 out of 2"), partitioned.message());
        assertTrue(StatefulSetKind.rolloutRule(sts("RollingUpdate", 1, 3, new V1StatefulSetStatus().observedGeneration(2L)
                .readyReplicas(3).updatedReplicas(2))).done());
    }

    @Test
    void statefulSetWithoutRollingUpdateBlockComparesRevisions() {
        assertFalse(StatefulSetKind.rolloutRule(sts("RollingUpdate", null, 2, new V1StatefulSetStatus().observedGeneration(2L)
                .readyReplicas(2).currentRevision("db-1").updateRevision("db-2"))).done());
        assertTrue(StatefulSetKind.rolloutRule(sts("RollingUpdate", null, 2, new V1StatefulSetStatus().observedGeneration(2L)
                .readyReplicas(2).currentRevision("db-2").updateRevision("db-2"))).done());
    }

    @Test
    void onDeleteStatefulSetIsDoneWhenEveryPodWasRecreated() {
        RolloutState waiting = StatefulSetKind.rolloutRule(sts("OnDelete", null, 2, new V1StatefulSetStatus().observedGeneration(2L)
                .readyReplicas(2).updatedReplicas(1).updateRevision("db-2")));
        assertFalse(waiting.done());
        assertTrue(waiting.message().contains("1 out of 2 pods recreated"), waiting.message());
        assertTrue(StatefulSetKind.rolloutRule(sts("OnDelete", null, 2, new V1StatefulSetStatus().observedGeneration(2L)
                .readyReplicas(2).updatedReplicas(2).updateRevision("db-2"))).done());
    }

    private static V1DaemonSet ds(long observed, int desired, int updated, int available) {
        return new V1DaemonSet().metadata(new V1ObjectMeta().name("agent").generation(2L))
                .status(new V1DaemonSetStatus().observedGeneration(observed).desiredNumberScheduled(desired)
                        .updatedNumberScheduled(updated).numberAvailable(available));
    }

    @Test
    void daemonSetNeedsEveryDesiredPodUpdatedAndAvailable() {
        assertFalse(DaemonSetKind.rolloutRule(ds(1, 2, 2, 2)).done());
        assertTrue(DaemonSetKind.rolloutRule(ds(2, 2, 1, 2)).message().contains("1 out of 2 new pods"));
        assertTrue(DaemonSetKind.rolloutRule(ds(2, 2, 2, 1)).message().contains("1 of 2 updated pods are available"));
        assertTrue(DaemonSetKind.rolloutRule(ds(2, 2, 2, 2)).done());
    }
}
