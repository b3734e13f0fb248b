package dev.revroll.plan;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How much input a plan may be, so that no file can exhaust memory or time: its size (checked before it is read),
 * how deeply its collections nest, how many aliases it uses, and how many values it stands for once its aliases
 * are expanded (anchors and aliases stay usable for sharing a gate or an exclude list, but a "billion laughs"
 * document is refused). Every limit that is hit is reported at the line and column where it is hit.
 */
final class PlanLimits {

    /** A plan file's largest size: 4 MiB (a plan of 20000 listed namespaces in 1000 waves is about 330 KB). */
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    /** Collections nested deeper than this are refused (a plan needs 7). */
    static final int MAX_DEPTH = 50;
    /** Aliases ({@code *name}) in one plan. */
    static final int MAX_ALIASES = 1000;
    /** Values (mappings, lists, scalars) the document stands for with every alias expanded. */
    static final long MAX_EXPANDED_NODES = 1_000_000;

    private PlanLimits() {
    }

    /** SnakeYAML's own limits, set just above ours so that ours (with line and column) are met first. */
    static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(MAX_FILE_BYTES + 1);
        o.setNestingDepthLimit(MAX_DEPTH + 2);
        o.setMaxAliasesForCollections(MAX_ALIASES + 1);
        o.setAllowRecursiveKeys(false);
        o.setAllowDuplicateKeys(true); // duplicates are reported by the schema check, with both lines
        return o;
    }

    /**
     * Streams the document's events (nothing is built) and reports the first place that nests too deeply, uses one
     * alias too many, or refers to a collection from inside itself. {@code false} when something was reported.
     */
    static boolean checkEvents(Iterable<Event> events, PlanProblems problems) {
        int depth = 0;
        int aliases = 0;
        Deque<String> openAnchors = new ArrayDeque<>();
        for (Event e : events) {
            if (e instanceof CollectionStartEvent c) {
                depth++;
                if (depth > MAX_DEPTH) {
                    problems.add(c.getStartMark(), "", "nested more than " + MAX_DEPTH + " levels deep; a plan needs a handful");
                    return false;
                }
                openAnchors.push(c.getAnchor() == null ? "" : c.getAnchor());
            } else if (e instanceof CollectionEndEvent) {
                depth--;
                openAnchors.pop();
            } else if (e instanceof AliasEvent a) {
                aliases++;
                if (aliases > MAX_ALIASES) {
                    problems.add(a.getStartMark(), "", "more than " + MAX_ALIASES + " aliases (*name) in one plan");
                    return false;
                }
                if (a.getAnchor() != null && openAnchors.contains(a.getAnchor())) {
                    problems.add(a.getStartMark(), "", "alias *" + a.getAnchor() + " refers to a collection from inside itself; a plan cannot be recursive");
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Counts the values the document stands for with aliases expanded (each shared node once, memoized, so this is
     * linear in the file) and, when there are too many, reports the innermost collection that alone is too large.
     */
    static boolean checkExpandedSize(Node root, PlanProblems problems) {
        Map<Node, Long> sizes = new IdentityHashMap<>();
        if (size(root, sizes) <= MAX_EXPANDED_NODES) {
            return true;
        }
        Node at = root;
        while (true) {
            Node bigger = null;
            for (Node child : children(at)) {
                if (sizes.getOrDefault(child, 0L) > MAX_EXPANDED_NODES) {
                    bigger = child;
                    break;
                }
            }
            if (bigger == null) {
                break;
            }
            at = bigger;
        }
        Mark mark = at.getStartMark();
        problems.add(mark, "", "with its aliases expanded this stands for more than " + MAX_EXPANDED_NODES
                + " values; share less through anchors and aliases");
        return false;
    }

    /** Expanded size, capped just above the limit so that the arithmetic cannot overflow. Iterative: no deep recursion. */
    private static long size(Node root, Map<Node, Long> sizes) {
        Deque<Node> stack = new ArrayDeque<>();
        Set<Node> expanded = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        stack.push(root);
        while (!stack.isEmpty()) {
            Node n = stack.peek();
            if (sizes.containsKey(n)) {
                stack.pop();
                continue;
            }
            List<Node> children = children(n);
            if (expanded.add(n)) {
                for (Node c : children) {
                    if (!sizes.containsKey(c) && !expanded.contains(c)) {
                        stack.push(c);
                    }
                }
                continue;
            }
            stack.pop();
            long total = 1;
            for (Node c : children) {
                total = Math.min(MAX_EXPANDED_NODES + 1, total + sizes.getOrDefault(c, 1L));
            }
            sizes.put(n, total);
        }
        return sizes.get(root);
    }

    private static List<Node> children(Node n) {
        if (n instanceof MappingNode m) {
            List<Node> out = new ArrayList<>(m.getValue().size() * 2);
            for (NodeTuple t : m.getValue()) {
                out.add(t.getKeyNode());
                out.add(t.getValueNode());
            }
            return out;
        }
        if (n instanceof SequenceNode s) {
            return s.getValue();
        }
        return List.of();
    }
}
