package dev.revroll.plan;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Reads the number a plan field gives. YAML 1.1 (what SnakeYAML resolves) also reads hexadecimal ({@code 0x10}),
 * octal ({@code 017}, which YAML 1.2 reads as 17), binary ({@code 0b101}), base 60 ({@code 1:30} = 90), {@code .inf}
 * and {@code .nan} as numbers. A plan field takes decimal numbers only, with optional sign, underscores between digits
 * ({@code 1_000}), a fraction and an exponent ({@code 1.5e3}); every other form is refused with what to write
 * instead, so a value is never read differently from how its writer meant it, and never silently replaced.
 */
final class YamlNumbers {

    private static final Pattern DECIMAL = Pattern.compile("[-+]?(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?");
    private static final Pattern LEADING_ZERO = Pattern.compile("[-+]?0[0-9_]+");

    /** The largest whole number an integer field takes. */
    static final long MAX_INTEGER = Integer.MAX_VALUE;

    private YamlNumbers() {
    }

    /** A read number, or why the text is not one a plan takes. */
    record Read(BigDecimal value, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    /**
     * Reads {@code text} as a decimal number; {@code wholeNumber} also requires it to be a whole number of at most
     * {@link #MAX_INTEGER}. Never throws.
     */
    static Read read(String text, boolean wholeNumber) {
        String t = text.trim();
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (lower.matches("[-+]?\\.inf") || lower.equals(".nan")) {
            return problem("'" + text + "' is not a finite number; write a decimal number such as 10 or 0.5");
        }
        if (lower.matches("[-+]?0x[0-9a-f_]+")) {
            return problem("'" + text + "' is hexadecimal; write the number in decimal" + decimalOf(t.replace("_", ""), 16, 2));
        }
        if (lower.matches("[-+]?0b[01_]+")) {
            return problem("'" + text + "' is binary; write the number in decimal" + decimalOf(t.replace("_", ""), 2, 2));
        }
        if (lower.matches("[-+]?0o[0-7_]+")) {
            return problem("'" + text + "' is octal; write the number in decimal" + decimalOf(t.replace("_", ""), 8, 2));
        }
        if (t.contains(":")) {
            return problem("'" + text + "' is read by YAML as a base-60 number" + sexagesimal(t)
                    + "; write the number in decimal (a duration field takes units: 1m30s)");
        }
        if (LEADING_ZERO.matcher(t).matches()) {
            return problem("'" + text + "' has a leading zero, which YAML 1.1 reads as octal" + decimalOf(t.replace("_", ""), 8, 1)
                    + " and YAML 1.2 as decimal; write it without the leading zero");
        }
        if (!DECIMAL.matcher(t).matches() || t.startsWith("_") || t.endsWith("_")) {
            return problem("'" + text + "' is not a number; write a decimal number such as 10 or 0.5");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(t.replace("_", ""));
        } catch (NumberFormatException | ArithmeticException e) {
            return problem("'" + text + "' is out of range");
        }
        if (wholeNumber) {
            if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
                return problem("'" + text + "' is not a whole number");
            }
            if (value.abs().compareTo(BigDecimal.valueOf(MAX_INTEGER)) > 0) {
                return problem("'" + text + "' is out of range; at most " + MAX_INTEGER);
            }
        } else if (Double.isInfinite(value.doubleValue())) {
            return problem("'" + text + "' is out of range for a number");
        }
        return new Read(value, null);
    }

    private static Read problem(String message) {
        return new Read(null, message);
    }

    /** " (it means N)" for a number in {@code radix} after a prefix of {@code prefix} characters (after a sign). */
    private static String decimalOf(String text, int radix, int prefix) {
        boolean negative = text.startsWith("-");
        String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        try {
            java.math.BigInteger v = new java.math.BigInteger(digits.substring(prefix), radix);
            return " (it means " + (negative ? v.negate() : v) + ")";
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return "";
        }
    }

    private static String sexagesimal(String text) {
        boolean negative = text.startsWith("-");
        String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        if (!digits.matches("[0-9_]+(:[0-5]?[0-9])+")) {
            return "";
        }
        java.math.BigInteger v = java.math.BigInteger.ZERO;
        for (String part : digits.replace("_", "").split(":")) {
            v = v.multiply(java.math.BigInteger.valueOf(60)).add(new java.math.BigInteger(part));
        }
        return " (it means " + (negative ? v.negate() : v) + ")";
    }
}
