package dev.revroll.kube;

import dev.revroll.json.Json;
import io.kubernetes.client.custom.V1Patch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON merge patch (RFC 7386) document: nested objects, where a {@code null} value removes the field. Sent with
 * {@link V1Patch#PATCH_FORMAT_JSON_MERGE_PATCH} through {@code PatchUtils}.
 */
final class MergePatch {

    private final Map<String, Object> root = new LinkedHashMap<>();

    /** Sets {@code value} (null: remove) at the path, creating the objects on the way. */
    MergePatch set(Object value, String... path) {
        Map<String, Object> node = root;
        for (int i = 0; i < path.length - 1; i++) {
            node = child(node, path[i]);
        }
        node.put(path[path.length - 1], value);
        return this;
    }

    /** Sets each entry of {@code values} (null: remove) in the object at {@code path}; nothing when empty. */
    MergePatch setAll(Map<String, String> values, String... path) {
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

    boolean isEmpty() {
        return root.isEmpty();
    }

    String json() {
        return Json.compact(root);
    }

    V1Patch toV1Patch() {
        return new V1Patch(json());
    }

    /** "0", "1" as JSON numbers, "25%" as a string, null stays null (removes): the API's int-or-string. */
    static Object intOrString(String value) {
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
