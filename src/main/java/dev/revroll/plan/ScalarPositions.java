package dev.revroll.plan;

import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Where a character of a scalar's value is in the file. A multi-line scalar (a block {@code |} or {@code >} query, a
 * plain or quoted value folded over lines) has its value's characters on other lines than where the scalar starts;
 * a problem at one of them is reported at that line and column, not at the scalar's first line.
 * <p>
 * The value is matched against the file's lines in order: each source line (without its indentation; a block
 * scalar's header line skipped) is found at the next non-blank characters of the value. Where the two cannot be
 * matched (escape sequences in a quoted scalar), the scalar's start is the answer.
 */
final class ScalarPositions {

    private ScalarPositions() {
    }

    static Mark mark(ScalarNode node, String text, int offset) {
        Mark start = node.getStartMark();
        String value = node.getValue();
        if (text == null || start == null || offset < 0 || offset >= value.length()) {
            return start;
        }
        String[] lines = text.split("\n", -1);
        ScalarStyle style = node.getScalarStyle();
        boolean block = style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED;
        boolean quoted = style == ScalarStyle.DOUBLE_QUOTED || style == ScalarStyle.SINGLE_QUOTED;
        int endLine = node.getEndMark() == null ? start.getLine() : Math.min(node.getEndMark().getLine(), lines.length - 1);
        int cursor = 0;
        for (int line = start.getLine(); line <= endLine && line < lines.length; line++) {
            if (block && line == start.getLine()) {
                continue; // the | or > header
            }
            String src = lines[line].endsWith("\r") ? lines[line].substring(0, lines[line].length() - 1) : lines[line];
            int from = line == start.getLine() ? Math.min(src.length(), start.getColumn() + (quoted ? 1 : 0)) : 0;
            while (from < src.length() && (src.charAt(from) == ' ' || src.charAt(from) == '\t')) {
                from++;
            }
            int p = cursor;
            while (p < value.length() && Character.isWhitespace(value.charAt(p))) {
                p++;
            }
            int k = 0;
            while (from + k < src.length() && p + k < value.length() && src.charAt(from + k) == value.charAt(p + k)) {
                k++;
            }
            if (k == 0) {
                continue;
            }
            if (offset < p) {
                return at(line, from);
            }
            if (offset < p + k) {
                return at(line, from + (offset - p));
            }
            cursor = p + k;
        }
        return start;
    }

    private static Mark at(int line, int column) {
        return new Mark("", 0, line, column, new int[0], 0);
    }
}
