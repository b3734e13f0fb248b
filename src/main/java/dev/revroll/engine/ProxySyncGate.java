package dev.revroll.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.revroll.json.Json;
import dev.revroll.ports.ClusterModel.IstiodPod;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.KubernetesGateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The proxy-sync check (docs/proxy-sync.md): every pod of the namespace that should be injected carries {@code sidecar.istio.io/status}
 * with the target revision, and its proxy is SYNCED in the target istiod's {@code /debug/syncz} (reached through an
 * API-server port-forward to a Ready {@code istiod-<rev>} pod, port 15014, as istioctl does).
 */
public final class ProxySyncGate {

    public static final String STATUS_ANNOTATION = "sidecar.istio.io/status";
    static final int MONITORING_PORT = 15014;
    /** xDS types every sidecar receives; a NOT SENT one means the proxy is not configured. */
    static final List<String> REQUIRED = List.of("cluster", "listener", "endpoint");
    /** xDS types that may legitimately be NOT SENT (no HTTP routes, no extension configs) but must not be STALE. */
    static final List<String> OPTIONAL = List.of("route", "extensionconfig");

    public record Report(boolean synced, List<String> problems, int pods) {
        public String summary() {
            return synced ? pods + " pod(s) on the target revision and SYNCED" : String.join("; ", problems);
        }
    }

    private final KubernetesGateway gateway;
    private final AtomicLong bytesFetched = new AtomicLong();
    private final AtomicLong fetches = new AtomicLong();

    public ProxySyncGate(KubernetesGateway gateway) {
        this.gateway = gateway;
    }

    /**
     * Only the step's namespace: istiod filters {@code /debug/syncz} by {@code ?namespace=} (docs/proxy-sync.md#two-ways-istiod-serves-the-status),
     * so one look costs the namespace's proxies, not the whole mesh's. An istiod without the filter answers with every
     * proxy; the lookup by proxy id below is the same either way.
     */
    static String synczPath(String namespace) {
        return "/debug/syncz?namespace=" + namespace;
    }

    /** Characters of syncz read by this gate's looks so far (what istiod sent, summed over every look and replica). */
    public long bytesFetched() {
        return bytesFetched.get();
    }

    /** How many syncz answers this gate's looks read. */
    public long fetches() {
        return fetches.get();
    }

    /** One look: pods of {@code namespace} selected by {@code inScope}, against the target revision's istiod(s). */
    public Report check(String controlPlaneNamespace, String namespace, String revision, Predicate<PodState> inScope) {
        List<PodState> pods = gateway.pods(namespace).stream()
                .filter(p -> !p.deleting() && !"Succeeded".equals(p.phase()) && !"Failed".equals(p.phase()))
                .filter(inScope).toList();
        List<String> problems = new ArrayList<>();
        for (PodState p : pods) {
            Optional<String> rev = podRevision(p);
            if (rev.isEmpty()) {
                problems.add(p.name() + ": not injected (no " + STATUS_ANNOTATION + ")");
            } else if (!rev.get().equals(revision)) {
                problems.add(p.name() + ": on revision " + rev.get() + ", not " + revision);
            }
        }
        if (!problems.isEmpty()) {
            return new Report(false, problems, pods.size());
        }
        List<IstiodPod> istiods = gateway.istiodPods(controlPlaneNamespace, revision).stream().filter(IstiodPod::ready).toList();
        if (istiods.isEmpty()) {
            return new Report(false, List.of("no Ready istiod pod of revision " + revision), pods.size());
        }
        Map<String, Map<String, String>> statuses = new HashMap<>();
        for (IstiodPod istiod : istiods) {
            String body = gateway.podHttpGet(istiod.namespace(), istiod.name(), MONITORING_PORT, synczPath(namespace), Duration.ofSeconds(10));
            bytesFetched.addAndGet(body.length());
            fetches.incrementAndGet();
            statuses.putAll(parseSyncz(body));
        }
        for (PodState p : pods) {
            String proxy = p.name() + "." + p.namespace();
            Map<String, String> st = statuses.get(proxy);
            if (st == null) {
                problems.add(p.name() + ": not connected to istiod " + revision);
            } else {
                st.entrySet().stream().filter(e -> !e.getValue().equals("SYNCED"))
                        .filter(e -> !(OPTIONAL.contains(e.getKey()) && e.getValue().equals("NOT SENT")))
                        .forEach(e -> problems.add(p.name() + ": " + e.getKey().toUpperCase() + " " + e.getValue()));
            }
        }
        return new Report(problems.isEmpty(), problems, pods.size());
    }

    /** The revision from the pod's {@code sidecar.istio.io/status} JSON. */
    public static Optional<String> podRevision(PodState p) {
        String status = p.annotations().get(STATUS_ANNOTATION);
        if (status == null || status.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = Json.tree(status);
            JsonNode rev = node.get("revision");
            return rev == null || rev.asText().isEmpty() ? Optional.of("default") : Optional.of(rev.asText());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** {@code /debug/syncz}: a JSON list of {proxy, <type>_sent, <type>_acked}; per proxy and type SYNCED / NOT SENT / STALE. */
    public static Map<String, Map<String, String>> parseSyncz(String body) {
        Map<String, Map<String, String>> out = new HashMap<>();
        try {
            JsonNode list = Json.tree(body);
            for (JsonNode entry : list) {
                String proxy = entry.path("proxy").asText("");
                if (proxy.isEmpty()) {
                    continue;
                }
                Map<String, String> types = new java.util.LinkedHashMap<>();
                for (String t : concat(REQUIRED, OPTIONAL)) {
                    String sent = entry.path(t + "_sent").asText("");
                    String acked = entry.path(t + "_acked").asText("");
                    types.put(t, sent.isEmpty() ? "NOT SENT" : sent.equals(acked) ? "SYNCED" : "STALE");
                }
                out.put(proxy, types);
            }
        } catch (Exception e) {
            throw new IllegalStateException("istiod's /debug/syncz answer is not the expected JSON list: " + e.getMessage());
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}
