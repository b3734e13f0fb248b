package dev.revroll.kube;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Small readings of client-java model objects shared by the adapter (null-safe). */
final class KubeObjects {

    private KubeObjects() {
    }

    static Map<String, String> labels(V1ObjectMeta meta) {
        return meta == null || meta.getLabels() == null ? Map.of() : copy(meta.getLabels());
    }

    static Map<String, String> annotations(V1ObjectMeta meta) {
        return meta == null || meta.getAnnotations() == null ? Map.of() : copy(meta.getAnnotations());
    }

    static Map<String, String> templateLabels(V1PodTemplateSpec template) {
        return template == null ? Map.of() : labels(template.getMetadata());
    }

    static Map<String, String> templateAnnotations(V1PodTemplateSpec template) {
        return template == null ? Map.of() : annotations(template.getMetadata());
    }

    /** As written in the spec: "1", "25%"; empty when not set. */
    static Optional<String> intOrString(IntOrString v) {
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(v.isInteger() ? String.valueOf(v.getIntValue()) : v.getStrValue());
    }

    static long generation(V1ObjectMeta meta) {
        return meta == null || meta.getGeneration() == null ? 0 : meta.getGeneration();
    }

    static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static Map<String, String> copy(Map<String, String> m) {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
