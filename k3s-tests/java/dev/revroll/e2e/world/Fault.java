package dev.revroll.e2e.world;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mesh-agent fault (BRIEF-INTERFACES: {@code {namespace?, revision?, workload?, proxy?, slowSeconds?, notSentTypes?,
 * neverAckTypes?, errorRate?, responseCode?, responseFlags?, latencyMs?}}; k3s-tests/agent/README.md). A fault with a
 * revision applies to a workload only while its pods run that revision. {@code types} are the xDS types the proxy mode
 * names: {@code notSentTypes} of {@code notsent}, {@code neverAckTypes} of {@code neverack}.
 */
public record Fault(
        String namespace,
        Optional<String> revision,
        Optional<String> workload,
        Optional<String> proxy,
        Optional<Integer> slowSeconds,
        List<String> types,
        Optional<Double> errorRate,
        Optional<Integer> responseCode,
        Optional<String> responseFlags,
        Optional<Integer> latencyMs) {

    /** Proxies of the namespace (on the revision, if given) behave as {@code stale}, {@code lingering} or {@code disconnected}. */
    public static Fault proxy(String namespace, Optional<String> revision, String mode) {
        return new Fault(namespace, revision, Optional.empty(), Optional.of(mode), Optional.empty(), List.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Proxies of the namespace (on the revision, if given) behave as {@code notsent} or {@code neverack} for these xDS types ({@code lds}, ...). */
    public static Fault proxy(String namespace, Optional<String> revision, String mode, List<String> types) {
        return new Fault(namespace, revision, Optional.empty(), Optional.of(mode), Optional.empty(), List.copyOf(types),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The same fault for another namespace. */
    public Fault in(String otherNamespace) {
        return new Fault(otherNamespace, revision, workload, proxy, slowSeconds, types, errorRate, responseCode, responseFlags, latencyMs);
    }

    /** A share of the namespace's requests (on the revision, if given) answered with {@code code} and {@code flags}. */
    public static Fault errors(String namespace, Optional<String> revision, double rate, int code, String flags) {
        return new Fault(namespace, revision, Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Optional.of(rate), Optional.of(code), Optional.ofNullable(flags), Optional.empty());
    }

    /** Extra latency on the namespace's requests (on the revision, if given). */
    public static Fault latency(String namespace, Optional<String> revision, int latencyMs) {
        return new Fault(namespace, revision, Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(latencyMs));
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", namespace);
        revision.ifPresent(v -> m.put("revision", v));
        workload.ifPresent(v -> m.put("workload", v));
        proxy.ifPresent(v -> m.put("proxy", v));
        slowSeconds.ifPresent(v -> m.put("slowSeconds", v));
        if (!types.isEmpty()) {
            m.put(proxy.filter("neverack"::equals).isPresent() ? "neverAckTypes" : "notSentTypes", types);
        }
        errorRate.ifPresent(v -> m.put("errorRate", v));
        responseCode.ifPresent(v -> m.put("responseCode", v));
        responseFlags.ifPresent(v -> m.put("responseFlags", v));
        latencyMs.ifPresent(v -> m.put("latencyMs", v));
        return m;
    }
}
