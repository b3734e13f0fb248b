package dev.revroll.gates;

import java.math.BigDecimal;
import java.math.MathContext;

/** How gate values are written for people: four significant digits, no exponent, no trailing zeros. */
public final class Numbers {

    private static final MathContext FOUR = new MathContext(4);

    private Numbers() {
    }

    public static String show(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return "0";
        }
        // fast path: a value whose shortest decimal has at most 4 significant digits (0.01, 500) is that decimal, as
        // rounding its exact binary value would give (the two are far closer than half a 4-digit step); the exact
        // expansion of a double is costly and a backtest writes millions of values
        BigDecimal shortest = BigDecimal.valueOf(v);
        if (shortest.precision() <= 4) {
            return shortest.stripTrailingZeros().toPlainString();
        }
        return new BigDecimal(v).round(FOUR).stripTrailingZeros().toPlainString();
    }
}
