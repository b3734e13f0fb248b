package dev.revroll.engine;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        Map<String, Map<String, String>> s = ProxySyncGate.parseSyncz(body);
        assertEquals(2, s.size(), "entries without a proxy id are ignored");
        assertEquals("SYNCED", s.get("web-1.shop").get("cluster"));
        assertEquals("STALE", s.get("web-1.shop").get("endpoint"));
        assertEquals("SYNCED", s.get("web-1.shop").get("route"));
        assertEquals("NOT SENT", s.get("web-2.shop").get("endpoint"));
        assertEquals("NOT SENT", s.get("web-2.shop").get("extensionconfig"));
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
