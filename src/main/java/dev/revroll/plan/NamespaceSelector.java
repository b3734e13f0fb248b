package dev.revroll.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector in its string form, as the API's {@code labelSelector} parameter takes it:
 * requirements joined by commas (all must hold), each one of {@code a=b}, {@code a==b}, {@code a!=b},
 * {@code a in (x,y)}, {@code a notin (x)}, {@code a} (exists), {@code !a} (does not exist).
 */
public final class NamespaceSelector {

    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    public record Requirement(String key, Operator operator, List<String> values) {

        public boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> v != null && values.contains(v);
                case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
            };
        }

        @Override
        public String toString() {
            return switch (operator) {
                case EQUALS -> key + "=" + values.get(0);
                case NOT_EQUALS -> key + "!=" + values.get(0);
                case IN -> key + " in (" + String.join(",", values) + ")";
                case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final List<Requirement> requirements;

    private NamespaceSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    /** Parses a selector; throws {@link IllegalArgumentException} saying where and what is wrong. */
    public static NamespaceSelector parse(String text) {
        return new NamespaceSelector(new SelectorParser(text).parse());
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    public boolean matches(Map<String, String> labels) {
        return requirements.stream().allMatch(r -> r.matches(labels));
    }

    /** The canonical string form, accepted by the Kubernetes API's {@code labelSelector} parameter. */
    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamespaceSelector s && s.requirements.equals(requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode();
    }

    /** Recursive descent over the selector text; positions in messages are 1-based characters. */
    private static final class SelectorParser {
        private final String text;
        private int pos;

        SelectorParser(String text) {
            this.text = text;
        }

        List<Requirement> parse() {
            List<Requirement> out = new ArrayList<>();
            skipSpaces();
            if (pos >= text.length()) {
                throw fail("the selector is empty; write e.g. team=shop");
            }
            while (true) {
                out.add(requirement());
                skipSpaces();
                if (pos >= text.length()) {
                    return out;
                }
                if (text.charAt(pos) != ',') {
                    throw fail("expected ',' or the end at character " + (pos + 1) + ", found '" + rest() + "'");
                }
                pos++;
                skipSpaces();
            }
        }

        private Requirement requirement() {
            if (peek('!')) {
                pos++;
                skipSpaces();
                String key = key();
                return new Requirement(key, Operator.DOES_NOT_EXIST, List.of());
            }
            String key = key();
            skipSpaces();
            if (pos >= text.length() || text.charAt(pos) == ',') {
                return new Requirement(key, Operator.EXISTS, List.of());
            }
            if (text.startsWith("==", pos)) {
                pos += 2;
                return new Requirement(key, Operator.EQUALS, List.of(value()));
            }
            if (text.startsWith("!=", pos)) {
                pos += 2;
                return new Requirement(key, Operator.NOT_EQUALS, List.of(value()));
            }
            if (peek('=')) {
                pos++;
                return new Requirement(key, Operator.EQUALS, List.of(value()));
            }
            String word = word();
            if (word.equals("in") || word.equals("notin")) {
                return new Requirement(key, word.equals("in") ? Operator.IN : Operator.NOT_IN, valueSet(key, word));
            }
            throw fail("expected =, ==, !=, in or notin after '" + key + "' at character " + (pos - word.length() + 1)
                    + (word.isEmpty() ? ", found '" + rest() + "'" : ", found '" + word + "'"));
        }

        private List<String> valueSet(String key, String op) {
            skipSpaces();
            if (!peek('(')) {
                throw fail("'" + op + "' needs a list in parentheses, e.g. " + key + " " + op + " (a,b)");
            }
            pos++;
            List<String> values = new ArrayList<>();
            while (true) {
                skipSpaces();
                values.add(valueToken());
                skipSpaces();
                if (peek(',')) {
                    pos++;
                } else if (peek(')')) {
                    pos++;
                    return values;
                } else {
                    throw fail("the list after '" + key + " " + op + "' is not closed with ')'");
                }
            }
        }

        private String key() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "-_./".indexOf(text.charAt(pos)) >= 0)) {
                pos++;
            }
            String key = text.substring(start, pos);
            if (key.isEmpty()) {
                throw fail("expected a label key at character " + (start + 1) + (pos < text.length() ? ", found '" + rest() + "'" : ""));
            }
            String name = key;
            int slash = key.indexOf('/');
            if (slash >= 0) {
                String prefix = key.substring(0, slash);
                name = key.substring(slash + 1);
                if (prefix.isEmpty() || prefix.length() > 253 || !PREFIX.matcher(prefix).matches()) {
                    throw fail("'" + key + "' is not a valid label key: its prefix must be a DNS subdomain such as istio.io");
                }
            }
            if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
                throw fail("'" + key + "' is not a valid label key: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
            }
            return key;
        }

        private String value() {
            skipSpaces();
            return valueToken();
        }

        private String valueToken() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "-_.".indexOf(text.charAt(pos)) >= 0)) {
                pos++;
            }
            String v = text.substring(start, pos);
            if (!v.isEmpty() && (v.length() > 63 || !NAME.matcher(v).matches())) {
                throw fail("'" + v + "' is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
            }
            return v;
        }

        private String word() {
            int start = pos;
            while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private String rest() {
            return text.substring(pos);
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException("invalid label selector '" + text + "': " + what);
        }
    }
}
