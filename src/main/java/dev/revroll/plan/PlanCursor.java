package dev.revroll.plan;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One place in a plan file: the YAML node there ({@code null} where the file leaves the field out), its field path for
 * messages ({@code spec.waves[0].name}) and its pointer into the plan schema for defaults ({@code spec.waves[].name}).
 * Descending ({@code root.field("spec").field("waves").items()}) works out both once, and through absent fields too.
 * <p>
 * Reading is lenient, since the schema check has already reported wrong types: a value of the wrong type reads as
 * absent. The {@code x()} accessors fall back to the schema's default at the pointer; the {@code optionalX()} ones
 * give only what the file says.
 */
final class PlanCursor {

    private static final Set<String> TRUE = Set.of("true", "yes", "on");

    private final Node node;
    private final Node key;
    private final String path;
    private final List<String> pointer;
    private final PlanSchema schema;
    private final Consumer<Node> onRead;

    private PlanCursor(Node node, Node key, String path, List<String> pointer, PlanSchema schema, Consumer<Node> onRead) {
        this.node = node;
        this.key = key;
        this.path = path;
        this.pointer = pointer;
        this.schema = schema;
        this.onRead = onRead;
    }

    /** The document's root; {@code onRead} is told of every field value a descent finds. */
    static PlanCursor root(Node document, PlanSchema schema, Consumer<Node> onRead) {
        return new PlanCursor(document, null, "", List.of(), schema, onRead);
    }

    /** The document's root, for reading without counting anything as read. */
    static PlanCursor root(Node document, PlanSchema schema) {
        return root(document, schema, n -> {
        });
    }

    /** The field {@code name} of this mapping; absent when this is not a mapping or has no such field. */
    PlanCursor field(String name) {
        NodeTuple t = node instanceof MappingNode m ? PlanSchema.tupleOf(m, name) : null;
        if (t != null) {
            onRead.accept(t.getValueNode());
        }
        return new PlanCursor(t == null ? null : t.getValueNode(), t == null ? null : t.getKeyNode(),
                path.isEmpty() ? name : path + "." + name, append(name), schema, onRead);
    }

    /** The entries of this list ({@code [i]} in the path, {@code []} in the pointer); none when this is not a list. */
    List<PlanCursor> items() {
        if (!(node instanceof SequenceNode s)) {
            return List.of();
        }
        List<String> itemPointer = append("[]");
        List<PlanCursor> items = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
            items.add(new PlanCursor(s.getValue().get(i), null, path + "[" + i + "]", itemPointer, schema, onRead));
        }
        return items;
    }

    /** The keys of this mapping in file order (for a map of names to values, such as headers); none when this is not a mapping. */
    List<String> names() {
        if (!(node instanceof MappingNode m)) {
            return List.of();
        }
        return m.getValue().stream().map(NodeTuple::getKeyNode).filter(ScalarNode.class::isInstance)
                .map(k -> ((ScalarNode) k).getValue()).distinct().toList();
    }

    private List<String> append(String step) {
        List<String> p = new ArrayList<>(pointer);
        p.add(step);
        return List.copyOf(p);
    }

    /** The YAML node here; {@code null} when the field is left out. */
    Node node() {
        return node;
    }

    /** The key node of this field in its mapping; {@code null} for the root, list entries and left-out fields. */
    Node key() {
        return key;
    }

    /** The field path for messages, such as {@code spec.waves[0].namespaces[1]}. */
    String path() {
        return path;
    }

    /** The schema pointer, such as {@code spec.waves[].namespaces[]}. */
    String pointer() {
        return String.join(".", pointer).replace(".[]", "[]");
    }

    /** The 1-based line the node starts on. */
    int line() {
        return node.getStartMark().getLine() + 1;
    }

    /** Left out, or written without a value ({@code field:}, {@code ~}, {@code null}). */
    boolean isNull() {
        return PlanSchema.isNull(node);
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    boolean isSequence() {
        return node instanceof SequenceNode;
    }

    /** The schema's default here, if it declares one. */
    Optional<Object> schemaDefault() {
        return schema.declaredDefault(pointer.toArray(String[]::new));
    }

    private Object requiredDefault() {
        return schema.defaultAt(pointer.toArray(String[]::new));
    }

    /** The text of a scalar with a value. */
    Optional<String> optionalString() {
        return node instanceof ScalarNode s && !PlanSchema.isNull(s) ? Optional.of(s.getValue()) : Optional.empty();
    }

    /** The text, else the schema default; {@code null} when there is neither (a required field, reported missing). */
    String string() {
        return optionalString().orElseGet(() -> (String) schemaDefault().orElse(null));
    }

    /**
     * The whole number ({@code 1_000} allowed; see {@link YamlNumbers}), else the schema default, which the field must
     * declare. A text that is no such number was reported by the schema check, so the default never stands in for it
     * in a plan that loads.
     */
    int integer() {
        Optional<YamlNumbers.Read> read = optionalString().map(text -> YamlNumbers.read(text, true)).filter(YamlNumbers.Read::ok);
        return read.map(r -> r.value().intValueExact()).orElseGet(() -> ((Number) requiredDefault()).intValue());
    }

    /** The finite number ({@code 1_000}, {@code 1.5e3} allowed; see {@link YamlNumbers}); empty when absent or not one. */
    Optional<Double> optionalNumber() {
        return optionalString().map(text -> YamlNumbers.read(text, false)).filter(YamlNumbers.Read::ok)
                .map(r -> r.value().doubleValue());
    }

    /**
     * The YAML 1.1 boolean (true, yes, on are true; false, no, off are false; any case), else the schema default,
     * which the field must declare.
     */
    boolean bool() {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
            return TRUE.contains(s.getValue().toLowerCase(Locale.ROOT));
        }
        return (Boolean) requiredDefault();
    }

    /** The duration the file gives; empty when absent or not a duration (reported by the schema check). */
    Optional<Duration> optionalDuration() {
        try {
            return optionalString().map(DurationText::parse);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The duration, else the schema default; {@code null} when there is neither (a required field, reported missing). */
    Duration duration() {
        return optionalDuration().orElseGet(() -> schemaDefault().map(d -> DurationText.parse((String) d)).orElse(null));
    }

    /** The constant the file spells; empty when absent or not a spelling of {@code type} (reported by the schema check). */
    <E extends Enum<E> & YamlEnum> Optional<E> optionalEnum(Class<E> type) {
        return optionalString().flatMap(text -> YamlEnum.fromYaml(type, text));
    }

    /** The constant the file spells, else the schema default's, which the field must declare. */
    <E extends Enum<E> & YamlEnum> E enumValue(Class<E> type) {
        return optionalEnum(type).orElseGet(() -> YamlEnum.fromYaml(type, (String) requiredDefault()).orElseThrow(
                () -> new IllegalStateException("the plan schema's default for " + pointer() + " is no " + type.getSimpleName())));
    }
}
