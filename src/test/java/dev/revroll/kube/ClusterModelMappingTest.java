package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.CoreV1EventSeries;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1MutatingWebhook;
import io.kubernetes.client.openapi.models.V1MutatingWebhookConfiguration;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading client-java model objects into the engine's records. */
class ClusterModelMappingTest {

    private static V1Pod pod(String ownerKind, String ownerName, List<V1Container> containers, List<V1Container> inits) {
        return new V1Pod()
                .metadata(new V1ObjectMeta().name("web-abc").namespace("shop")
                        .ownerReferences(ownerKind == null ? null : List.of(new V1OwnerReference().kind(ownerKind).name(ownerName).controller(true))))
                .spec(new V1PodSpec().containers(containers).initContainers(inits))
                .status(new V1PodStatus().phase("Running").conditions(List.of(new V1PodCondition().type("Ready").status("True"))));
    }

    @Test
    void aPodsDeploymentIsToldFromItsReplicaSetsNameAndPodTemplateHash() {
        List<V1Container> app = List.of(new V1Container().name("app"));
        V1Pod hashed = pod("ReplicaSet", "web-api-5d8f7c", app, null);
        hashed.getMetadata().labels(Map.of("pod-template-hash", "5d8f7c"));
        assertEquals(Map.of("web-api-5d8f7c", "web-api"), ClientJavaKubernetesGateway.deploymentByName(hashed));
        assertEquals(Optional.of(new WorkloadRef(WorkloadKind.Deployment, "shop", "web-api")),
                ClientJavaKubernetesGateway.toPod(hashed, ClientJavaKubernetesGateway.deploymentByName(hashed)).owner());
        V1Pod handMade = pod("ReplicaSet", "bare-rs", app, null);  // no pod-template-hash: no Deployment
        assertEquals(Map.of(), ClientJavaKubernetesGateway.deploymentByName(handMade));
        V1Pod otherHash = pod("ReplicaSet", "web-5d8f7c", app, null);
        otherHash.getMetadata().labels(Map.of("pod-template-hash", "99aa"));
        assertEquals(Map.of(), ClientJavaKubernetesGateway.deploymentByName(otherHash));
        V1Pod onlyHash = pod("ReplicaSet", "-5d8f", app, null);
        onlyHash.getMetadata().labels(Map.of("pod-template-hash", "5d8f"));
        assertEquals(Map.of(), ClientJavaKubernetesGateway.deploymentByName(onlyHash));
        V1Pod ofStatefulSet = pod("StatefulSet", "db", app, null);
        ofStatefulSet.getMetadata().labels(Map.of("pod-template-hash", "db"));
        assertEquals(Map.of(), ClientJavaKubernetesGateway.deploymentByName(ofStatefulSet));
    }

    @Test
    void ownersResolveToTheTopLevelWorkload() {
        List<V1Container> app = List.of(new V1Container().name("app"));
        PodState viaReplicaSet = ClientJavaKubernetesGateway.toPod(pod("ReplicaSet", "web-5d8f", app, null), Map.of("web-5d8f", "web"));
        assertEquals(Optional.of(new WorkloadRef(WorkloadKind.Deployment, "shop", "web")), viaReplicaSet.owner());
        assertTrue(viaReplicaSet.ready());
        assertTrue(ClientJavaKubernetesGateway.toPod(pod("ReplicaSet", "bare-rs", app, null), Map.of()).owner().isEmpty());
        assertEquals(Optional.of(new WorkloadRef(WorkloadKind.StatefulSet, "shop", "db")),
                ClientJavaKubernetesGateway.toPod(pod("StatefulSet", "db", app, null), Map.of()).owner());
        assertEquals(Optional.of(new WorkloadRef(WorkloadKind.DaemonSet, "shop", "agent")),
                ClientJavaKubernetesGateway.toPod(pod("DaemonSet", "agent", app, null), Map.of()).owner());
        assertTrue(ClientJavaKubernetesGateway.toPod(pod("Job", "once", app, null), Map.of()).owner().isEmpty());
        assertTrue(ClientJavaKubernetesGateway.toPod(pod(null, null, app, null), Map.of()).owner().isEmpty());
    }

    @Test
    void istioProxyIsAContainerOrANativeSidecar() {
        V1Container app = new V1Container().name("app");
        assertTrue(ClientJavaKubernetesGateway.hasIstioProxy(pod(null, null, List.of(app, new V1Container().name("istio-proxy")), null)));
        assertTrue(ClientJavaKubernetesGateway.hasIstioProxy(pod(null, null, List.of(app),
                List.of(new V1Container().name("istio-init"), new V1Container().name("istio-proxy").restartPolicy("Always")))));
        assertFalse(ClientJavaKubernetesGateway.hasIstioProxy(pod(null, null, List.of(app), List.of(new V1Container().name("istio-proxy")))),
                "an istio-proxy init container that is not a sidecar does not count");
        assertFalse(ClientJavaKubernetesGateway.hasIstioProxy(pod(null, null, List.of(app), null)));
    }

    @Test
    void injectorWebhooksCarryRevisionTagAndSelectors() {
        V1MutatingWebhookConfiguration tag = new V1MutatingWebhookConfiguration()
                .metadata(new V1ObjectMeta().name("istio-revision-tag-stable").labels(Map.of("istio.io/rev", "1-28-0", "istio.io/tag", "stable")))
                .webhooks(List.of(new V1MutatingWebhook().name("rev.namespace.sidecar-injector.istio.io")
                        .namespaceSelector(new V1LabelSelector().matchExpressions(List.of(
                                new V1LabelSelectorRequirement().key("istio.io/rev").operator("In").values(List.of("stable")),
                                new V1LabelSelectorRequirement().key("istio-injection").operator("DoesNotExist"))))
                        .objectSelector(new V1LabelSelector().matchLabels(Map.of("app", "x")))));
        InjectorWebhook w = ClientJavaKubernetesGateway.toInjector(tag);
        assertEquals(Optional.of("1-28-0"), w.revision());
        assertEquals(Optional.of("stable"), w.tag());
        assertTrue(w.entries().get(0).namespaceSelector().matches(Map.of("istio.io/rev", "stable")));
        assertFalse(w.entries().get(0).namespaceSelector().matches(Map.of("istio.io/rev", "stable", "istio-injection", "enabled")));
        assertTrue(w.entries().get(0).objectSelector().matches(Map.of("app", "x")));
        assertTrue(ClientJavaKubernetesGateway.selector(null).matches(Map.of("any", "thing")));
    }

    @Test
    void anEventWasLastSeenWhenItLastHappenedNotWhenItWasWritten() {
        OffsetDateTime old = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        OffsetDateTime later = old.plusHours(1);
        OffsetDateTime written = old.plusYears(5);
        CoreV1Event e = new CoreV1Event().metadata(new V1ObjectMeta().creationTimestamp(written)).lastTimestamp(old).firstTimestamp(old);
        assertEquals(old.toInstant(), ClientJavaKubernetesGateway.lastSeen(e));
        e.series(new CoreV1EventSeries().lastObservedTime(later));
        assertEquals(later.toInstant(), ClientJavaKubernetesGateway.lastSeen(e));
        assertEquals(written.toInstant(), ClientJavaKubernetesGateway.lastSeen(new CoreV1Event().metadata(new V1ObjectMeta().creationTimestamp(written))));
    }
}
