package dev.revroll.plan;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as a plan writes them: numbers with units {@code ms}, {@code s}, {@code m}, {@code h} ({@code 500ms}, {@code 30s}, {@code 1h30m}); {@code 0} alone is zero. */
public final class DurationText {

    public static final String VALID = "numbers with units ms, s, m, h, such as 500ms, 30s, 2m, 1h30m";

    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private DurationText() {
    }

    /** Throws {@link IllegalArgumentException} whose message says what is valid. */
    public static Duration parse(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (!WHOLE.matcher(t).matches()) {
            String hint = t.matches("[0-9]+") ? " (a unit is required: " + t + "s?)" : "";
            throw new IllegalArgumentException("'" + text + "' is not a duration" + hint + "; write " + VALID);
        }
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(t);
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        return d;
    }

    /** The shortest text {@link #parse} reads back as {@code d}: {@code 1h30m}, {@code 45s}, {@code 1m500ms}, {@code 0s}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long h = d.toHours();
        int m = d.toMinutesPart();
        int s = d.toSecondsPart();
        int ms = d.toMillisPart();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (s > 0) {
            sb.append(s).append('s');
        }
        if (ms > 0) {
            sb.append(ms).append("ms");
        }
        return sb.toString();
    }
}
