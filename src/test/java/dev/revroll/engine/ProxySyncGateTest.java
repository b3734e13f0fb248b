package dev.revroll.engine;

import dev.revroll.engine.ProxySyncGate.Connection;
import dev.revroll.ports.ClusterModel.IstiodPod;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.KubernetesGateway;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxySyncGateTest {

    @Test
    void syncedStaleAndNotSentPerTypeAsIstioctlShowsThem() {
        String body = """
                [
                  {"proxy": "web-1.shop", "cluster_sent": "a", "cluster_acked": "a", "listener_sent": "b", "listener_acked": "b",
                   "endpoint_sent": "c", "endpoint_acked": "old", "route_sent": "d", "route_acked": "d"},
                  {"proxy": "web-2.shop", "cluster_sent": "a", "cluster_acked": "a", "listener_sent": "b", "listener_acked": "b"},
                  {"cluster_sent": "x"}
                ]
                """;
        Map<String, List<Connection>> s = ProxySyncGate.parseSyncz("istiod-a", body);
        assertEquals(2, s.size(), "entries without a proxy id are ignored");
        Map<String, String> web1 = s.get("web-1.shop").get(0).types();
        assertEquals("SYNCED", web1.get("cluster"));
        assertEquals("STALE", web1.get("endpoint"));
        assertEquals("SYNCED", web1.get("route"));
        assertEquals("NOT SENT", s.get("web-2.shop").get(0).types().get("endpoint"));
        assertEquals("NOT SENT", s.get("web-2.shop").get(0).types().get("extensionconfig"));
        assertEquals("istiod-a", s.get("web-1.shop").get(0).istiod());
    }

    @Test
    void everyConnectionOfOneProxyIdIsKeptInTheOrderIstiodListsThem() {
        Map<String, List<Connection>> s = ProxySyncGate.parseSyncz("istiod-a", "[" + entry("web-1.shop", STALE_CDS) + "," + entry("web-1.shop", SYNCED) + "]");
        assertEquals(1, s.size());
        assertEquals(List.of("STALE", "SYNCED"), s.get("web-1.shop").stream().map(c -> c.types().get("cluster")).toList());
    }

    @Test
    void aLingeringStaleStreamFailsTheProxyWhicheverEntryComesLast() {
        for (List<String> order : List.of(List.of(STALE_CDS, SYNCED), List.of(SYNCED, STALE_CDS))) {
            ProxySyncGate.Report r = check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", order.get(0)) + "," + entry("web-1.shop", order.get(1)) + "]"));
            assertFalse(r.synced(), order.toString());
            assertEquals("web-1: 2 xDS connections; worst: CLUSTER STALE (istiod-1-28-0-a)", r.summary());
        }
    }

    @Test
    void connectionsToTwoReplicasAreJudgedTogetherWhicheverReplicaAnswersLast() {
        ProxySyncGate.Report staleOnB = check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", SYNCED) + "]",
                "istiod-1-28-0-b", "[" + entry("web-1.shop", STALE_CDS) + "]"));
        assertEquals("web-1: 2 xDS connections; worst: CLUSTER STALE (istiod-1-28-0-b)", staleOnB.summary());
        ProxySyncGate.Report staleOnA = check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", STALE_CDS) + "]",
                "istiod-1-28-0-b", "[" + entry("web-1.shop", SYNCED) + "]"));
        assertEquals("web-1: 2 xDS connections; worst: CLUSTER STALE (istiod-1-28-0-a)", staleOnA.summary());
        ProxySyncGate.Report both = check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", SYNCED) + "]",
                "istiod-1-28-0-b", "[" + entry("web-1.shop", SYNCED) + "]"));
        assertTrue(both.synced(), both.summary());
    }

    @Test
    void listenersNeverAckedFailInEveryFormAlsoBesideASyncedConnection() {
        String notSent = "\"cluster_sent\":\"c1\",\"cluster_acked\":\"c1\",\"endpoint_sent\":\"e1\",\"endpoint_acked\":\"e1\"";
        String sentNeverAcked = notSent + ",\"listener_sent\":\"l1\"";
        String ackedOther = notSent + ",\"listener_sent\":\"l2\",\"listener_acked\":\"l1\"";
        assertEquals("web-1: LISTENER NOT SENT", check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", notSent) + "]")).summary());
        assertEquals("web-1: LISTENER STALE (never ACKed)", check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", sentNeverAcked) + "]")).summary());
        assertEquals("web-1: LISTENER STALE", check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", ackedOther) + "]")).summary());
        for (String bad : List.of(notSent, sentNeverAcked)) {
            for (List<String> order : List.of(List.of(bad, SYNCED), List.of(SYNCED, bad))) {
                ProxySyncGate.Report r = check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", order.get(0)) + "," + entry("web-1.shop", order.get(1)) + "]"));
                assertFalse(r.synced(), order.toString());
                assertTrue(r.summary().startsWith("web-1: 2 xDS connections; worst: LISTENER "), r.summary());
            }
        }
    }

    @Test
    void optionalTypesNotSentOnOneConnectionStillPass() {
        String noRoutes = "\"cluster_sent\":\"c1\",\"cluster_acked\":\"c1\",\"listener_sent\":\"l1\",\"listener_acked\":\"l1\","
                + "\"endpoint_sent\":\"e1\",\"endpoint_acked\":\"e1\"";
        ProxySyncGate.Report r = check(Map.of("istiod-1-28-0-a", "[" + entry("web-1.shop", SYNCED) + "," + entry("web-1.shop", noRoutes) + "]"));
        assertTrue(r.synced(), r.summary());
    }

    static final String SYNCED = "\"cluster_sent\":\"c2\",\"cluster_acked\":\"c2\",\"listener_sent\":\"l1\",\"listener_acked\":\"l1\","
            + "\"endpoint_sent\":\"e1\",\"endpoint_acked\":\"e1\",\"route_sent\":\"r1\",\"route_acked\":\"r1\"";
    /** An old stream that ACKed the first push and not the next CDS push. */
    static final String STALE_CDS = SYNCED.replace("\"cluster_acked\":\"c2\"", "\"cluster_acked\":\"c1\"");

    static String entry(String proxy, String fields) {
        return "{\"proxy\":\"" + proxy + "\"," + fields + "}";
    }

    /** One look at pod web-1 of shop on 1-28-0, with these Ready istiod pods answering these syncz bodies (sorted by name). */
    static ProxySyncGate.Report check(Map<String, String> synczByIstiod) {
        PodState pod = new PodState("shop", "web-1", Map.of(), Map.of(ProxySyncGate.STATUS_ANNOTATION, "{\"revision\":\"1-28-0\"}"),
                "Running", true, false, true, Optional.empty(), Instant.now(), 0);
        List<IstiodPod> istiods = new TreeMap<>(synczByIstiod).keySet().stream().map(n -> new IstiodPod("istio-system", n, "1-28-0", true)).toList();
        KubernetesGateway gateway = (KubernetesGateway) java.lang.reflect.Proxy.newProxyInstance(ProxySyncGateTest.class.getClassLoader(),
                new Class<?>[] {KubernetesGateway.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "pods" -> List.of(pod);
                    case "istiodPods" -> istiods;
                    case "podHttpGet" -> synczByIstiod.get((String) args[1]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new ProxySyncGate(gateway).check("istio-system", "shop", "1-28-0", p -> true);
    }

    @Test
    void oneLookAsksIstiodOnlyForTheStepsNamespaceAndCountsWhatItRead() {
        FakeCluster cluster = new FakeCluster();
        java.util.List<String> paths = new java.util.ArrayList<>();
        dev.revroll.ports.KubernetesGateway recording = (dev.revroll.ports.KubernetesGateway) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.revroll.ports.KubernetesGateway.class}, (proxy, method, args) -> {
                    if (method.getName().equals("podHttpGet")) {
                        paths.add((String) args[3]);
                        return "[]";
                    }
                    if (method.getName().equals("pods")) {
                        return java.util.List.of();
                    }
                    return method.invoke(cluster, args);
                });
        cluster.istiodReady.put("1-28-0", true);
        ProxySyncGate gate = new ProxySyncGate(recording);
        gate.check("istio-system", "shop", "1-28-0", p -> true);
        gate.check("istio-system", "shop", "1-28-0", p -> true);
        assertEquals(java.util.List.of("/debug/syncz?namespace=shop", "/debug/syncz?namespace=shop"), paths);
        assertEquals(2, gate.fetches());
        assertEquals(4, gate.bytesFetched());
    }
}
