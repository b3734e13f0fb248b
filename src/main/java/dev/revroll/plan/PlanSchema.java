package dev.revroll.plan;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The plan's JSON Schema ({@code plans/rolloutplan.schema.json}, on the classpath as {@link #RESOURCE}), and the
 * structural check the loader runs with it: known fields, types, required fields, enum values, minimums; a map of names
 * to values ({@code additionalProperties} a schema) has its values checked; a field named in {@code x-refused} is refused
 * with that message (a password where only where-to-read-it belongs). The schema
 * is the one list of fields and defaults; value checks a schema cannot explain well (names, durations) are named
 * by their {@code $defs} entry and done in Java.
 */
final class PlanSchema {

    static final String RESOURCE = "/dev/revroll/plan/rolloutplan.schema.json";

    private static volatile PlanSchema instance;

    private final Map<String, Object> root;

    private PlanSchema(Map<String, Object> root) {
        this.root = root;
    }

    static PlanSchema get() {
        PlanSchema s = instance;
        if (s == null) {
            try (InputStream in = PlanSchema.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the plan schema " + RESOURCE + " is missing from the classpath");
                }
                Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
                s = new PlanSchema(map);
                instance = s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return s;
    }

    /** The schema node at a path of property names; {@code "[]"} steps into array items. */
    @SuppressWarnings("unchecked")
    Map<String, Object> at(String... path) {
        Map<String, Object> s = resolve(root);
        for (String p : path) {
            if (p.equals("[]")) {
                s = resolve((Map<String, Object>) s.get("items"));
            } else {
                Map<String, Object> props = (Map<String, Object>) s.get("properties");
                if (props == null || !props.containsKey(p)) {
                    throw new IllegalArgumentException("no field " + String.join(".", path) + " in the plan schema");
                }
                s = resolve((Map<String, Object>) props.get(p));
            }
        }
        return s;
    }

    /** The default the schema declares for a field. */
    Object defaultAt(String... path) {
        return declaredDefault(path).orElseThrow(
                () -> new IllegalArgumentException("the plan schema has no default for " + String.join(".", path)));
    }

    /** The default the schema declares for a field, if it declares one. */
    Optional<Object> declaredDefault(String... path) {
        return Optional.ofNullable(at(path).get("default"));
    }

    /** True when the object at {@code path} maps any names to values ({@code headers}) rather than having fields. */
    boolean isMapOfValues(String... path) {
        return at(path).get("additionalProperties") instanceof Map;
    }

    /** The field names of the object at {@code path}. */
    @SuppressWarnings("unchecked")
    Set<String> fieldsAt(String... path) {
        Map<String, Object> props = (Map<String, Object>) at(path).get("properties");
        return props == null ? Set.of() : props.keySet();
    }

    /** A {@code $ref} resolved into the referenced definition; sibling keywords (description, default) win. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> resolve(Map<String, Object> s) {
        Object ref = s.get("$ref");
        if (ref == null) {
            return s;
        }
        String name = refName((String) ref);
        Map<String, Object> def = (Map<String, Object>) ((Map<String, Object>) root.get("$defs")).get(name);
        Map<String, Object> merged = new LinkedHashMap<>(resolve(def));
        s.forEach((k, v) -> {
            if (!k.equals("$ref")) {
                merged.put(k, v);
            }
        });
        merged.put("x-def", name);
        return merged;
    }

    private static String refName(String ref) {
        if (!ref.startsWith("#/$defs/")) {
            throw new IllegalStateException("unsupported $ref " + ref + " in the plan schema");
        }
        return ref.substring("#/$defs/".length());
    }

    /**
     * Checks {@code node} against the whole schema. {@code valueChecks} maps a {@code $defs} name to a check of a
     * scalar's text that returns a problem message or {@code null}.
     */
    void check(Node node, PlanProblems problems, Map<String, Function<String, String>> valueChecks) {
        new Walk(problems, valueChecks).check(node, root, "", null);
    }

    private final class Walk {
        private final PlanProblems problems;
        private final Map<String, Function<String, String>> valueChecks;

        Walk(PlanProblems problems, Map<String, Function<String, String>> valueChecks) {
            this.problems = problems;
            this.valueChecks = valueChecks;
        }

        @SuppressWarnings("unchecked")
        void check(Node node, Map<String, Object> rawSchema, String path, Node keyNode) {
            Map<String, Object> schema = resolve(rawSchema);
            String type = (String) schema.get("type");
            if (!hasType(node, type)) {
                problems.add(node, path, "must be " + typeName(type) + ", found " + describe(node));
                return;
            }
            switch (type) {
                case "object" -> checkObject((MappingNode) node, schema, path, keyNode);
                case "array" -> checkArray((SequenceNode) node, schema, path);
                default -> checkScalar((ScalarNode) node, schema, path);
            }
        }

        @SuppressWarnings("unchecked")
        private void checkObject(MappingNode node, Map<String, Object> schema, String path, Node keyNode) {
            Map<String, Object> props = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
            for (String required : (List<String>) schema.getOrDefault("required", List.of())) {
                NodeTuple present = tupleOf(node, required);
                String field = (path.isEmpty() ? "" : path + ".") + required;
                if (present == null) {
                    problems.add(keyNode == null ? node : keyNode, field, "required field is missing");
                } else if (isNull(present.getValueNode())) {
                    problems.add(present.getKeyNode(), field, "required field has no value");
                }
            }
            Map<String, Node> seen = new HashMap<>();
            for (NodeTuple t : node.getValue()) {
                Node k = t.getKeyNode();
                String field = path.isEmpty() ? "" : path + ".";
                if (!(k instanceof ScalarNode sk)) {
                    problems.add(k, path, "field names must be plain words, found " + describe(k));
                    continue;
                }
                String name = sk.getValue();
                Node first = seen.putIfAbsent(name, k);
                if (first != null) {
                    problems.add(k, field + name, "duplicate field (first at line " + (first.getStartMark().getLine() + 1) + ")");
                    continue;
                }
                Map<String, Object> ps = (Map<String, Object>) props.get(name);
                if (ps == null && schema.get("additionalProperties") instanceof Map<?, ?> values) {
                    ps = (Map<String, Object>) values; // a map of names to values (headers), not of fields
                }
                String refused = (String) ((Map<String, Object>) schema.getOrDefault("x-refused", Map.of())).get(name);
                if (refused != null) {
                    problems.add(k, field + name, refused);
                    continue;
                }
                if (ps == null) {
                    String suggestion = DidYouMean.closest(name, props.keySet())
                            .map(s -> ", did you mean '" + s + "'?")
                            .orElse("; valid fields: " + String.join(", ", props.keySet()));
                    problems.add(k, field + name, "unknown field" + suggestion);
                    continue;
                }
                if (isNull(t.getValueNode())) {
                    continue; // an empty value is an omitted one; required fields were checked above
                }
                check(t.getValueNode(), ps, field + name, k);
            }
        }

        private void checkArray(SequenceNode node, Map<String, Object> schema, String path) {
            Number minItems = (Number) schema.get("minItems");
            if (minItems != null && node.getValue().size() < minItems.intValue()) {
                problems.add(node, path, minItems.intValue() == 1 ? "must list at least one entry" : "must list at least " + minItems + " entries");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> items = (Map<String, Object>) schema.get("items");
            Map<String, Integer> seenValues = new HashMap<>();
            for (int i = 0; i < node.getValue().size(); i++) {
                Node item = node.getValue().get(i);
                String itemPath = path + "[" + i + "]";
                if (isNull(item)) {
                    problems.add(item, itemPath, "empty entry");
                    continue;
                }
                if (Boolean.TRUE.equals(schema.get("uniqueItems")) && item instanceof ScalarNode s) {
                    Integer before = seenValues.putIfAbsent(s.getValue(), i);
                    if (before != null) {
                        problems.add(item, itemPath, "'" + s.getValue() + "' is listed twice");
                    }
                }
                check(item, items, itemPath, null);
            }
        }

        @SuppressWarnings("unchecked")
        private void checkScalar(ScalarNode node, Map<String, Object> schema, String path) {
            String value = node.getValue();
            List<Object> allowed = (List<Object>) schema.get("enum");
            if (allowed != null && !allowed.contains(value)) {
                List<String> names = allowed.stream().map(String::valueOf).toList();
                if (names.size() == 1) {
                    problems.add(node, path, "must be " + names.get(0) + ", found '" + value + "'");
                } else {
                    String suggestion = DidYouMean.closest(value, names).map(s -> "did you mean '" + s + "'? ").orElse("");
                    problems.add(node, path, "'" + value + "' is not valid; " + suggestion + "valid values: " + String.join(", ", names));
                }
                return;
            }
            Number minLength = (Number) schema.get("minLength");
            if (minLength != null && value.length() < minLength.intValue()) {
                problems.add(node, path, "must not be empty");
                return;
            }
            if (node.getTag().equals(Tag.INT) || node.getTag().equals(Tag.FLOAT)) {
                String t = (String) schema.get("type");
                if (t.equals("integer") || t.equals("number")) {
                    YamlNumbers.Read read = YamlNumbers.read(value, t.equals("integer"));
                    if (!read.ok()) {
                        problems.add(node, path, read.problem());
                        return;
                    }
                    java.math.BigDecimal v = read.value();
                    Number min = (Number) schema.get("minimum");
                    Number max = (Number) schema.get("maximum");
                    Number exclusiveMin = (Number) schema.get("exclusiveMinimum");
                    if (min != null && v.compareTo(new java.math.BigDecimal(min.toString())) < 0) {
                        problems.add(node, path, "must be at least " + min + ", found " + value);
                    } else if (max != null && v.compareTo(new java.math.BigDecimal(max.toString())) > 0) {
                        problems.add(node, path, "must be at most " + max + ", found " + value);
                    } else if (exclusiveMin != null && v.compareTo(new java.math.BigDecimal(exclusiveMin.toString())) <= 0) {
                        problems.add(node, path, "must be more than " + exclusiveMin + ", found " + value);
                    }
                    return;
                }
            }
            String def = (String) schema.get("x-def");
            Function<String, String> valueCheck = def == null ? null : valueChecks.get(def);
            if (valueCheck != null) {
                String problem = valueCheck.apply(value);
                if (problem != null) {
                    problems.add(node, path, problem);
                }
            }
        }
    }

    static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
    }

    /** The first key/value pair of {@code node} whose key is {@code key}; {@code null} when there is none. */
    static NodeTuple tupleOf(MappingNode node, String key) {
        for (NodeTuple t : node.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return t;
            }
        }
        return null;
    }

    private static boolean hasType(Node node, String type) {
        return switch (type) {
            case "object" -> node instanceof MappingNode;
            case "array" -> node instanceof SequenceNode;
            case "string" -> node instanceof ScalarNode s && !s.getTag().equals(Tag.NULL);
            case "integer" -> node instanceof ScalarNode s && s.getTag().equals(Tag.INT);
            case "number" -> node instanceof ScalarNode s && (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT));
            case "boolean" -> node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL);
            default -> throw new IllegalStateException("unsupported type " + type + " in the plan schema");
        };
    }

    private static String typeName(String type) {
        return switch (type) {
            case "object" -> "a mapping of fields";
            case "array" -> "a list";
            case "string" -> "a string";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            default -> type;
        };
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode s) {
            return "a list (" + s.getValue().stream().map(n -> n instanceof ScalarNode sc ? sc.getValue() : "…").collect(Collectors.joining(", ")) + ")";
        }
        if (node instanceof ScalarNode s) {
            return "'" + s.getValue() + "'";
        }
        return "nothing";
    }
}
