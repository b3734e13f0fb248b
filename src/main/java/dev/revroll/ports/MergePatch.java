package dev.revroll.ports;

import dev.revroll.json.Json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON merge patch (RFC 7396) document: nested objects, where a {@code null} value removes the field
 * (docs/kubernetes-rollouts.md#json-merge-patch). Every write revroll makes to the cluster is one of these on one
 * object, so an action can declare its writes as data and preview can show and dry-run exactly them.
 */
public final class MergePatch {

    private final Map<String, Object> root = new LinkedHashMap<>();

    /** Sets {@code value} (null: remove) at the path, creating the objects on the way. */
    public MergePatch set(Object value, String... path) {
        Map<String, Object> node = root;
        for (int i = 0; i < path.length - 1; i++) {
            node = child(node, path[i]);
        }
        node.put(path[path.length - 1], value);
        return this;
    }

    /** Sets each entry of {@code values} (null: remove) in the object at {@code path}; nothing when empty. */
    public MergePatch setAll(Map<String, String> values, String... path) {
        if (values == null || values.isEmpty()) {
            return this;
        }
        Map<String, Object> node = root;
        for (String p : path) {
            node = child(node, p);
        }
        node.putAll(values);
        return this;
    }

    public boolean isEmpty() {
        return root.isEmpty();
    }

    /** The document as nested maps (read only). */
    public Map<String, Object> document() {
        return Collections.unmodifiableMap(root);
    }

    public String json() {
        return Json.compact(root);
    }

    @Override
    public String toString() {
        return json();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MergePatch p && p.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    /** "0", "1" as JSON numbers, "25%" as a string, null stays null (removes): the API's int-or-string. */
    public static Object intOrString(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.matches("-?\\d+")) {
            return Integer.parseInt(v);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> node, String key) {
        Object existing = node.get(key);
        if (existing instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        node.put(key, created);
        return created;
    }
}
