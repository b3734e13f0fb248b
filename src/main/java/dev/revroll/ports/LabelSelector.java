package dev.revroll.ports;

import java.util.List;
import java.util.Map;

/** A Kubernetes label selector (matchLabels + matchExpressions), evaluated in pure code. Empty selector matches all. */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> expressions) {

    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public record Requirement(String key, String operator, List<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case "In" -> v != null && values.contains(v);
                case "NotIn" -> v == null || !values.contains(v);
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> false;
            };
        }
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return expressions.stream().allMatch(r -> r.matches(labels));
    }
}
