package dev.revroll.output.report;

/** Escaping for the report formats: XML and HTML text and attributes, Markdown table cells and code spans. */
final class Markup {

    private Markup() {
    }

    /**
     * Text or an attribute value in XML or HTML: {@code & < > " '} escaped, and characters XML 1.0 does not allow
     * (control characters other than tab and line breaks, lone surrogates) replaced by U+FFFD, so the document always
     * parses.
     */
    static String xml(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                        sb.append(c).append(text.charAt(++i));
                    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Text in a Markdown table cell: no line breaks, pipes escaped, HTML-like text shown as text. */
    static String cell(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>");
    }

    /** Running Markdown text (outside tables): HTML-like text shown as text, Markdown's emphasis characters escaped. */
    static String text(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '\\', '`', '*', '_', '[', ']', '|', '#' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A Markdown code span that holds any text: fenced by more backticks than it contains, on one line. */
    static String code(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String oneLine = text.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
        int longest = 0;
        int run = 0;
        for (char c : oneLine.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        String pad = oneLine.startsWith("`") || oneLine.endsWith("`") ? " " : "";
        return fence + pad + oneLine + pad + fence;
    }

    /** A code span inside a Markdown table cell (GitHub splits cells at a pipe even inside code). */
    static String cellCode(String text) {
        return code(text).replace("|", "\\|");
    }

    /** A number as the reports show it: integers without a fraction, others with up to 6 significant digits. */
    static String number(Double v) {
        if (v == null) {
            return "";
        }
        if (v.isNaN() || v.isInfinite()) {
            return v.toString();
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString(v.longValue());
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
        return s;
    }
}
