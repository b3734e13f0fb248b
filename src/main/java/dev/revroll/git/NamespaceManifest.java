package dev.revroll.git;

import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest file holding one or more YAML documents, one of them the {@code kind: Namespace} a step edits.
 *
 * <p>Edits are made on the text, guided by the positions snakeyaml reports for each node, so only the label lines
 * change: comments, key order, quoting, indentation, line endings and the other documents stay byte for byte.
 */
public final class NamespaceManifest {

    private static final Resolver RESOLVER = new Resolver();

    private final String file;
    private final String text;
    private final List<Node> documents;
    private final int[] lineStarts;
    private final String eol;

    private NamespaceManifest(String file, String text, List<Node> documents) {
        this.file = file;
        this.text = text;
        this.documents = documents;
        this.lineStarts = lineStarts(text);
        this.eol = text.contains("\r\n") ? "\r\n" : "\n";
    }

    /** Parses the file; a YAML syntax error becomes a {@link ManifestException} with file:line:column. */
    public static NamespaceManifest parse(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<Node> docs = new ArrayList<>();
        try {
            for (Node node : new Yaml(options).composeAll(new StringReader(text))) {
                if (node != null) {
                    docs.add(node);
                }
            }
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            String where = m == null ? file : file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            throw new ManifestException(where + ": not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ManifestException(file + ": not valid YAML: " + e.getMessage());
        }
        return new NamespaceManifest(file, text, docs);
    }

    public String text() {
        return text;
    }

    /** Whether a {@code kind: Namespace} document named {@code namespace} is in the file. */
    public boolean hasNamespace(String namespace) {
        return namespaceDocument(namespace).isPresent();
    }

    /** The Namespace's labels (empty map when it has none); empty when the file holds no such Namespace. */
    public Optional<Map<String, String>> labels(String namespace) {
        return namespaceDocument(namespace).map(doc -> {
            Map<String, String> labels = new LinkedHashMap<>();
            Node metadata = value(doc, "metadata");
            Node labelsNode = metadata instanceof MappingNode m ? value(m, "labels") : null;
            if (labelsNode instanceof MappingNode lm) {
                for (NodeTuple t : lm.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && t.getValueNode() instanceof ScalarNode v) {
                        labels.put(k.getValue(), isNull(v) ? null : v.getValue());
                    }
                }
            }
            return labels;
        });
    }

    /**
     * The file's text with the Namespace's labels changed: each entry of {@code changes} is set, or removed when its
     * value is null. Nothing else in the file changes. A labels block is created when the Namespace has none.
     */
    public String withLabels(String namespace, Map<String, String> changes) {
        MappingNode doc = namespaceDocument(namespace).orElseThrow(() -> new ManifestException(
                file + ": no 'kind: Namespace' document named '" + namespace + "'"));
        Node metadataNode = value(doc, "metadata");
        if (!(metadataNode instanceof MappingNode metadata)) {
            throw new ManifestException(where(doc.getStartMark()) + ": the Namespace has no metadata mapping");
        }
        List<TextEdit> edits = new ArrayList<>();
        NodeTuple labelsTuple = tuple(metadata, "labels");
        if (labelsTuple == null) {
            addLabelsBlock(doc, metadata, changes, edits);
        } else if (labelsTuple.getValueNode() instanceof MappingNode labels) {
            if (labels.getFlowStyle() == org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW) {
                editFlowMapping(labels, changes, edits);
            } else {
                editBlockMapping(labels, changes, edits);
            }
        } else if (labelsTuple.getValueNode() instanceof ScalarNode s && isNull(s)) {
            fillNullLabels(doc, metadata, labelsTuple, changes, edits);
        } else {
            throw new ManifestException(where(labelsTuple.getValueNode().getStartMark()) + ": metadata.labels is not a mapping");
        }
        return apply(edits);
    }

    // ---- finding the document -------------------------------------------------------------------------------------

    private Optional<MappingNode> namespaceDocument(String namespace) {
        for (Node doc : documents) {
            if (doc instanceof MappingNode m
                    && value(m, "kind") instanceof ScalarNode kind && "Namespace".equals(kind.getValue())
                    && value(m, "metadata") instanceof MappingNode md
                    && value(md, "name") instanceof ScalarNode name && namespace.equals(name.getValue())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static NodeTuple tuple(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue())) {
                return t;
            }
        }
        return null;
    }

    private static Node value(MappingNode m, String key) {
        NodeTuple t = tuple(m, key);
        return t == null ? null : t.getValueNode();
    }

    private static boolean isNull(ScalarNode s) {
        return Tag.NULL.equals(s.getTag());
    }

    // ---- the three shapes of edit ---------------------------------------------------------------------------------

    private void editBlockMapping(MappingNode labels, Map<String, String> changes, List<TextEdit> edits) {
        List<NodeTuple> entries = labels.getValue();
        String indent = " ".repeat(entries.get(0).getKeyNode().getStartMark().getColumn());
        ScalarStyle style = preferredStyle(entries);
        StringBuilder added = new StringBuilder();
        for (Map.Entry<String, String> change : changes.entrySet()) {
            NodeTuple existing = tuple(labels, change.getKey());
            if (existing == null) {
                if (change.getValue() != null) {
                    added.append(indent).append(renderKey(change.getKey())).append(": ")
                            .append(render(change.getValue(), style)).append(eol);
                }
            } else if (change.getValue() == null) {
                int first = existing.getKeyNode().getStartMark().getLine();
                int last = lastLine(existing.getValueNode());
                edits.add(new TextEdit(lineStarts[first], lineEnd(last), ""));
            } else {
                replaceValue(existing, change.getValue(), edits);
            }
        }
        if (added.length() > 0) {
            insertAfterLine(lastLine(entries.get(entries.size() - 1).getValueNode()), added.toString(), edits);
        }
    }

    private void editFlowMapping(MappingNode labels, Map<String, String> changes, List<TextEdit> edits) {
        List<NodeTuple> entries = labels.getValue();
        int start = offset(labels.getStartMark());
        int end = offset(labels.getEndMark());
        String open = "{";
        String close = "}";
        String separator = ", ";
        String keyValue = ": ";
        if (!entries.isEmpty()) {
            NodeTuple first = entries.get(0);
            NodeTuple last = entries.get(entries.size() - 1);
            open = text.substring(start, offset(first.getKeyNode().getStartMark()));
            close = text.substring(offset(last.getValueNode().getEndMark()), end);
            keyValue = text.substring(offset(first.getKeyNode().getEndMark()), offset(first.getValueNode().getStartMark()));
            if (entries.size() > 1) {
                separator = text.substring(offset(first.getValueNode().getEndMark()),
                        offset(entries.get(1).getKeyNode().getStartMark()));
            }
        }
        ScalarStyle style = preferredStyle(entries);
        List<String> items = new ArrayList<>();
        boolean changed = false;
        for (NodeTuple t : entries) {
            String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
            String source = text.substring(offset(t.getKeyNode().getStartMark()), offset(t.getValueNode().getEndMark()));
            if (key != null && changes.containsKey(key)) {
                String wanted = changes.get(key);
                if (wanted == null) {
                    changed = true;
                    continue;
                }
                if (!(t.getValueNode() instanceof ScalarNode v) || !wanted.equals(v.getValue())) {
                    ScalarStyle own = t.getValueNode() instanceof ScalarNode v2 ? v2.getScalarStyle() : style;
                    source = text.substring(offset(t.getKeyNode().getStartMark()), offset(t.getValueNode().getStartMark()))
                            + render(wanted, own);
                    changed = true;
                }
            }
            items.add(source);
        }
        for (Map.Entry<String, String> change : changes.entrySet()) {
            if (change.getValue() != null && tuple(labels, change.getKey()) == null) {
                items.add(renderKey(change.getKey()) + keyValue + render(change.getValue(), style));
                changed = true;
            }
        }
        if (changed) {
            edits.add(new TextEdit(start, end, open + String.join(separator, items) + close));
        }
    }

    private void addLabelsBlock(MappingNode doc, MappingNode metadata, Map<String, String> changes, List<TextEdit> edits) {
        Map<String, String> toSet = new LinkedHashMap<>();
        changes.forEach((k, v) -> {
            if (v != null) {
                toSet.put(k, v);
            }
        });
        if (toSet.isEmpty()) {
            return;
        }
        if (metadata.getFlowStyle() == org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW) {
            List<NodeTuple> entries = metadata.getValue();
            int insertAt = offset(entries.get(entries.size() - 1).getValueNode().getEndMark());
            List<String> items = new ArrayList<>();
            toSet.forEach((k, v) -> items.add(renderKey(k) + ": " + render(v, ScalarStyle.PLAIN)));
            edits.add(new TextEdit(insertAt, insertAt, ", labels: {" + String.join(", ", items) + "}"));
            return;
        }
        int keyColumn = metadata.getValue().get(0).getKeyNode().getStartMark().getColumn();
        String indent = " ".repeat(keyColumn);
        String inner = " ".repeat(keyColumn + indentStep(doc, keyColumn));
        StringBuilder block = new StringBuilder(indent).append("labels:").append(eol);
        toSet.forEach((k, v) -> block.append(inner).append(renderKey(k)).append(": ").append(render(v, ScalarStyle.PLAIN)).append(eol));
        List<NodeTuple> entries = metadata.getValue();
        insertAfterLine(lastLine(entries.get(entries.size() - 1).getValueNode()), block.toString(), edits);
    }

    /** {@code labels:} with no value (or {@code ~}/{@code null}): the entries go on the lines below. */
    private void fillNullLabels(MappingNode doc, MappingNode metadata, NodeTuple labelsTuple, Map<String, String> changes,
                                List<TextEdit> edits) {
        StringBuilder block = new StringBuilder();
        int keyColumn = labelsTuple.getKeyNode().getStartMark().getColumn();
        String inner = " ".repeat(keyColumn + indentStep(doc, metadata.getValue().get(0).getKeyNode().getStartMark().getColumn()));
        changes.forEach((k, v) -> {
            if (v != null) {
                block.append(inner).append(renderKey(k)).append(": ").append(render(v, ScalarStyle.PLAIN)).append(eol);
            }
        });
        if (block.length() == 0) {
            return;
        }
        Node nullValue = labelsTuple.getValueNode();
        int from = offset(labelsTuple.getKeyNode().getEndMark());
        int colon = text.indexOf(':', from);
        int valueEnd = offset(nullValue.getEndMark());
        if (valueEnd > colon + 1 && nullValue.getEndMark().getLine() == labelsTuple.getKeyNode().getStartMark().getLine()) {
            edits.add(new TextEdit(colon + 1, valueEnd, ""));
        }
        insertAfterLine(labelsTuple.getKeyNode().getStartMark().getLine(), block.toString(), edits);
    }

    private void replaceValue(NodeTuple entry, String wanted, List<TextEdit> edits) {
        Node valueNode = entry.getValueNode();
        if (valueNode instanceof ScalarNode v && wanted.equals(v.getValue()) && !isNull(v)) {
            return;
        }
        ScalarStyle style = valueNode instanceof ScalarNode v ? v.getScalarStyle() : ScalarStyle.PLAIN;
        if (style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) {
            style = ScalarStyle.PLAIN;
        }
        int from = offset(valueNode.getStartMark());
        int to = offset(valueNode.getEndMark());
        if (from == to) {
            // "key:" with no value: the value goes after the colon
            int colon = text.indexOf(':', offset(entry.getKeyNode().getEndMark()));
            edits.add(new TextEdit(colon + 1, colon + 1, " " + render(wanted, style)));
            return;
        }
        edits.add(new TextEdit(from, to, render(wanted, style)));
    }

    // ---- rendering ------------------------------------------------------------------------------------------------

    private static ScalarStyle preferredStyle(List<NodeTuple> entries) {
        for (NodeTuple t : entries) {
            if (t.getValueNode() instanceof ScalarNode v && !isNull(v)) {
                ScalarStyle s = v.getScalarStyle();
                return s == ScalarStyle.DOUBLE_QUOTED || s == ScalarStyle.SINGLE_QUOTED ? s : ScalarStyle.PLAIN;
            }
        }
        return ScalarStyle.PLAIN;
    }

    static String render(String value, ScalarStyle style) {
        return switch (style) {
            case DOUBLE_QUOTED -> doubleQuoted(value);
            case SINGLE_QUOTED -> "'" + value.replace("'", "''") + "'";
            default -> plainIsSafe(value) ? value : doubleQuoted(value);
        };
    }

    private static String renderKey(String key) {
        return plainIsSafe(key) ? key : doubleQuoted(key);
    }

    private static String doubleQuoted(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** A plain scalar that reads back as the same string (not a number, bool, null, and no indicator characters). */
    static boolean plainIsSafe(String value) {
        if (value.isEmpty() || !value.strip().equals(value)) {
            return false;
        }
        if (!Tag.STR.equals(RESOLVER.resolve(NodeId.scalar, value, true))) {
            return false;
        }
        if ("-?:,[]{}#&*!|>'\"%@`".indexOf(value.charAt(0)) >= 0) {
            return false;
        }
        return !(value.contains(": ") || value.contains(" #") || value.endsWith(":")
                || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f));
    }

    // ---- text positions -------------------------------------------------------------------------------------------

    /** The 0-based line of the last character of a node's content. */
    private int lastLine(Node node) {
        if (node instanceof MappingNode m && m.getFlowStyle() != org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW
                && !m.getValue().isEmpty()) {
            return lastLine(m.getValue().get(m.getValue().size() - 1).getValueNode());
        }
        if (node instanceof SequenceNode s && s.getFlowStyle() != org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW
                && !s.getValue().isEmpty()) {
            return lastLine(s.getValue().get(s.getValue().size() - 1));
        }
        Mark end = node.getEndMark();
        if (end.getColumn() == 0 && end.getLine() > node.getStartMark().getLine()) {
            return end.getLine() - 1; // block scalars end at the start of the following line
        }
        return end.getLine();
    }

    private void insertAfterLine(int line, String lines, List<TextEdit> edits) {
        if (line + 1 < lineStarts.length) {
            int at = lineStarts[line + 1];
            edits.add(new TextEdit(at, at, lines));
        } else {
            edits.add(new TextEdit(text.length(), text.length(), eol + lines.substring(0, lines.length() - eol.length())));
        }
    }

    /** Offset just past the line's terminator (or the end of the text). */
    private int lineEnd(int line) {
        return line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length();
    }

    private int offset(Mark mark) {
        int lineStart = lineStarts[Math.min(mark.getLine(), lineStarts.length - 1)];
        return text.offsetByCodePoints(lineStart, mark.getColumn());
    }

    private String where(Mark mark) {
        return file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }

    /** Line starts as snakeyaml counts lines: CRLF, LF and a lone CR each end a line. */
    private static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                i++;
                starts.add(i + 1);
            } else if (c == '\n' || c == '\r') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** How far nested mappings are indented in this document (the root's first nested mapping), 2 when unclear. */
    private static int indentStep(MappingNode doc, int metadataKeyColumn) {
        int rootColumn = doc.getValue().isEmpty() ? 0 : doc.getValue().get(0).getKeyNode().getStartMark().getColumn();
        int step = metadataKeyColumn - rootColumn;
        return step > 0 ? step : 2;
    }

    private String apply(List<TextEdit> edits) {
        List<TextEdit> ordered = new ArrayList<>(edits);
        ordered.sort(Comparator.comparingInt(TextEdit::start).thenComparingInt(TextEdit::end).reversed());
        StringBuilder sb = new StringBuilder(text);
        for (TextEdit e : ordered) {
            sb.replace(e.start(), e.end(), e.replacement());
        }
        return sb.toString();
    }

    private record TextEdit(int start, int end, String replacement) {
    }
}
