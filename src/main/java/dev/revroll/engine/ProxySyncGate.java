package dev.revroll.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.revroll.json.Json;
import dev.revroll.ports.ClusterModel.IstiodPod;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.KubernetesGateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
        List<PodState> pods = gateway.pods(namespace).stream().filter(ProxySyncGate::live).filter(inScope).toList();
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
        Map<String, List<Connection>> connections = new HashMap<>();
        for (IstiodPod istiod : istiods) {
            String body = gateway.podHttpGet(istiod.namespace(), istiod.name(), MONITORING_PORT, synczPath(namespace), Duration.ofSeconds(10));
            bytesFetched.addAndGet(body.length());
            fetches.incrementAndGet();
            parseSyncz(istiod.name(), body).forEach((proxy, list) -> connections.computeIfAbsent(proxy, k -> new ArrayList<>()).addAll(list));
        }
        for (PodState p : pods) {
            List<Connection> cs = connections.get(p.name() + "." + p.namespace());
            if (cs == null) {
                problems.add(p.name() + ": not connected to istiod " + revision);
            } else {
                worst(cs).forEach((type, c) -> {
                    String status = type.toUpperCase() + " " + c.types().get(type);
                    problems.add(p.name() + ": " + (cs.size() == 1 ? status : cs.size() + " xDS connections; worst: " + status + " (" + c.istiod() + ")"));
                });
            }
        }
        return new Report(problems.isEmpty(), problems, pods.size());
    }

    /** A pod the gates look at: not being deleted, not in phase Succeeded or Failed. */
    static boolean live(PodState p) {
        return !p.deleting() && !"Succeeded".equals(p.phase()) && !"Failed".equals(p.phase());
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

    /** One xDS connection of a proxy, as the syncz answer of istiod pod {@code istiod} shows it: status per type. */
    public record Connection(String istiod, Map<String, String> types) {
    }

    /**
     * {@code /debug/syncz} of one istiod pod: a JSON list of {proxy, <type>_sent, <type>_acked}, one entry per xDS
     * connection, so one proxy id may appear more than once (a reconnect whose old stream lingers, an Envoy hot
     * restart); per connection and type SYNCED / NOT SENT / STALE (docs/proxy-sync.md#what-revroll-requires).
     */
    public static Map<String, List<Connection>> parseSyncz(String istiod, String body) {
        Map<String, List<Connection>> out = new LinkedHashMap<>();
        try {
            JsonNode list = Json.tree(body);
            for (JsonNode entry : list) {
                String proxy = entry.path("proxy").asText("");
                if (proxy.isEmpty()) {
                    continue;
                }
                Map<String, String> types = new LinkedHashMap<>();
                for (String t : concat(REQUIRED, OPTIONAL)) {
                    String sent = entry.path(t + "_sent").asText("");
                    String acked = entry.path(t + "_acked").asText("");
                    types.put(t, sent.isEmpty() ? "NOT SENT" : sent.equals(acked) ? "SYNCED" : acked.isEmpty() ? "STALE (never ACKed)" : "STALE");
                }
                out.computeIfAbsent(proxy, k -> new ArrayList<>()).add(new Connection(istiod, types));
            }
        } catch (Exception e) {
            throw new IllegalStateException("istiod's /debug/syncz answer is not the expected JSON list: " + e.getMessage());
        }
        return out;
    }

    /**
     * A proxy judged by its worst connection, type by type (STALE worse than NOT SENT worse than SYNCED; the first
     * connection wins a tie): the failing types, each with the connection that fails it.
     */
    static Map<String, Connection> worst(List<Connection> connections) {
        Map<String, Connection> failing = new LinkedHashMap<>();
        for (String t : concat(REQUIRED, OPTIONAL)) {
            Connection worst = connections.stream().min(java.util.Comparator.comparingInt(c -> rank(c.types().get(t)))).orElseThrow();
            String status = worst.types().get(t);
            if (!status.equals("SYNCED") && !(OPTIONAL.contains(t) && status.equals("NOT SENT"))) {
                failing.put(t, worst);
            }
        }
        return failing;
    }

    private static int rank(String status) {
        return status.startsWith("STALE") ? 0 : status.equals("NOT SENT") ? 1 : 2;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}
