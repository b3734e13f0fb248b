package dev.revroll.ports;

import dev.revroll.json.Json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A JSON merge patch (RFC 7396) document: nested objects, where a {@code null} value removes the field
 * (docs/kubernetes-rollouts.md#json-merge-patch). Every write revroll makes to the cluster is one of these on one
 * object, so an action can declare its writes as data and preview can show and dry-run exactly them. Kept as the
 * list of fields it sets (a preview of thousands of namespaces holds every write); the nested document is built
 * when it is sent or shown.
 */
public final class MergePatch {

    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    /** A field set by the patch: its path from the object's root, and its value (null removes it). */
    private record Field(String[] path, Object value) {
    }

    private final List<Field> fields = new ArrayList<>();

    /** Sets {@code value} (null: remove) at the path, creating the objects on the way. */
    public MergePatch set(Object value, String... path) {
        fields.add(new Field(path, value));
        return this;
    }

    /** Sets each entry of {@code values} (null: remove) in the object at {@code path}; nothing when empty. */
    public MergePatch setAll(Map<String, String> values, String... path) {
        if (values == null || values.isEmpty()) {
            return this;
        }
        values.forEach((key, value) -> {
            String[] full = Arrays.copyOf(path, path.length + 1);
            full[path.length] = key;
            fields.add(new Field(full, value));
        });
        return this;
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The document as nested maps, the fields in the order they were set (a later one wins). */
    public Map<String, Object> document() {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Field f : fields) {
            Map<String, Object> node = root;
            for (int i = 0; i < f.path().length - 1; i++) {
                node = child(node, f.path()[i]);
            }
            node.put(f.path()[f.path().length - 1], f.value());
        }
        return root;
    }

    public String json() {
        return Json.compact(document());
    }

    @Override
    public String toString() {
        return json();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MergePatch p && p.document().equals(document());
    }

    @Override
    public int hashCode() {
        return document().hashCode();
    }

    /** "0", "1" as JSON numbers, "25%" as a string, null stays null (removes): the API's int-or-string. */
    public static Object intOrString(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (INTEGER.matcher(v).matches()) {
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
