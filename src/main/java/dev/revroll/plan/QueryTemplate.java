package dev.revroll.plan;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PromQL query with {@code {{ name }}} placeholders (spaces inside the braces optional), for example
 * {@code sum(rate(istio_requests_total{destination_workload_namespace="{{namespace}}"}[1m]))}.
 * Values are inserted verbatim.
 */
public final class QueryTemplate {

    /** The placeholders the engine fills in, in the order they are documented. */
    public static final Set<String> KNOWN_PLACEHOLDERS = Collections.unmodifiableSet(new LinkedHashSet<>(
            List.of("namespace", "revision", "fromRevision", "workload", "wave", "plan", "interval")));

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    private static final Pattern ANY_OPENING = Pattern.compile("\\{\\{");

    private final String text;
    private final List<Object> parts; // String literal or Placeholder
    private final Set<String> placeholders;

    private record Placeholder(String name, int at) {
    }

    /** A problem of the template's text, at a character offset into it (0-based). */
    public record Problem(int offset, String message) {
    }

    /** A {@code {{} that starts no well-formed placeholder, at {@link #offset()} (0-based) of the text. */
    public static final class MalformedPlaceholderException extends IllegalArgumentException {
        private final int offset;

        MalformedPlaceholderException(String message, int offset) {
            super(message);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    private QueryTemplate(String text, List<Object> parts, Set<String> placeholders) {
        this.text = text;
        this.parts = parts;
        this.placeholders = placeholders;
    }

    /**
     * Parses a template. Throws {@link IllegalArgumentException} when a {@code {{} does not start a well-formed
     * placeholder ({@code {{ name }}} with a name of letters, digits and underscores).
     */
    public static QueryTemplate of(String text) {
        List<Object> parts = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int at = 0;
        while (at < text.length()) {
            Matcher open = ANY_OPENING.matcher(text);
            if (!open.find(at)) {
                parts.add(text.substring(at));
                break;
            }
            int start = open.start();
            m.region(start, text.length());
            if (!m.lookingAt()) {
                int close = text.indexOf("}}", start + 2);
                String fragment = close < 0 ? text.substring(start, Math.min(text.length(), start + 20)) : text.substring(start, close + 2);
                throw new MalformedPlaceholderException("malformed placeholder '" + fragment + "' at character " + (start + 1)
                        + "; write {{ name }} with one of: " + String.join(", ", KNOWN_PLACEHOLDERS), start);
            }
            if (start > at) {
                parts.add(text.substring(at, start));
            }
            parts.add(new Placeholder(m.group(1), start));
            names.add(m.group(1));
            at = m.end();
        }
        return new QueryTemplate(text, List.copyOf(parts), Collections.unmodifiableSet(names));
    }

    public String text() {
        return text;
    }

    /** Every placeholder name used, in order of first use. */
    public Set<String> placeholders() {
        return placeholders;
    }

    /** Placeholders the engine does not know (typos such as {@code namespce}). */
    public List<String> unknownPlaceholders() {
        return placeholders.stream().filter(p -> !KNOWN_PLACEHOLDERS.contains(p)).toList();
    }

    /** Where the first use of a placeholder starts (0-based), or -1 when it is not used. */
    public int offsetOf(String placeholder) {
        for (Object part : parts) {
            if (part instanceof Placeholder p && p.name().equals(placeholder)) {
                return p.at();
            }
        }
        return -1;
    }

    /** Fills in every placeholder. Throws {@link IllegalArgumentException} naming the placeholders without a value. */
    public String render(Map<String, String> values) {
        List<String> missing = placeholders.stream().filter(p -> values.get(p) == null).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no value for placeholder" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " in query: " + text);
        }
        StringBuilder sb = new StringBuilder();
        for (Object part : parts) {
            sb.append(part instanceof Placeholder p ? values.get(p.name()) : (String) part);
        }
        return sb.toString();
    }

    /**
     * PromQL shape problems a reader can fix without a Prometheus at hand: unbalanced {@code ( ) [ ] { }} and
     * unterminated string literals. Placeholders count as plain text. Empty when none.
     */
    public List<String> syntaxProblems() {
        return syntaxProblemsAt().stream().map(Problem::message).toList();
    }

    /** {@link #syntaxProblems()} with where each is in the text (character positions in messages are the text's). */
    public List<Problem> syntaxProblemsAt() {
        StringBuilder neutral = new StringBuilder();
        List<Integer> origin = new ArrayList<>();
        int at = 0;
        for (Object part : parts) {
            if (part instanceof Placeholder p) {
                neutral.append('x');
                origin.add(p.at());
                at = text.indexOf("}}", p.at()) + 2;
            } else {
                String literal = (String) part;
                for (int i = 0; i < literal.length(); i++) {
                    origin.add(at + i);
                }
                neutral.append(literal);
                at += literal.length();
            }
        }
        int[] map = origin.stream().mapToInt(Integer::intValue).toArray();
        return shapeProblems(neutral.toString(), map);
    }

    private static List<Problem> shapeProblems(String q, int[] origin) {
        List<Problem> problems = new ArrayList<>();
        Deque<int[]> open = new ArrayDeque<>(); // {char, position}
        int i = 0;
        while (i < q.length()) {
            char c = q.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                int end = endOfString(q, i);
                if (end < 0) {
                    problems.add(new Problem(origin[i], "unterminated string starting with " + c + " at character " + (origin[i] + 1)));
                    return problems;
                }
                i = end + 1;
                continue;
            }
            if (c == '#') { // PromQL comment to end of line
                int nl = q.indexOf('\n', i);
                i = nl < 0 ? q.length() : nl + 1;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                open.push(new int[] {c, i});
            } else if (c == ')' || c == ']' || c == '}') {
                char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (open.isEmpty()) {
                    problems.add(new Problem(origin[i], "'" + c + "' at character " + (origin[i] + 1) + " closes nothing"));
                    return problems;
                }
                int[] top = open.pop();
                if (top[0] != expected) {
                    problems.add(new Problem(origin[i], "'" + (char) top[0] + "' at character " + (origin[top[1]] + 1) + " is closed by '" + c
                            + "' at character " + (origin[i] + 1)));
                    return problems;
                }
            }
            i++;
        }
        if (!open.isEmpty()) {
            int[] first = open.peekLast();
            problems.add(new Problem(origin[first[1]], "'" + (char) first[0] + "' at character " + (origin[first[1]] + 1) + " is never closed"));
        }
        return problems;
    }

    /** Index of the closing quote of the string starting at {@code start}, or -1. Backslash escapes except in backticks. */
    private static int endOfString(String q, int start) {
        char quote = q.charAt(start);
        for (int j = start + 1; j < q.length(); j++) {
            char c = q.charAt(j);
            if (c == '\\' && quote != '`') {
                j++;
            } else if (c == quote) {
                return j;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryTemplate t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
