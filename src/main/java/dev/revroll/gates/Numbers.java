package dev.revroll.gates;

import java.math.BigDecimal;
import java.math.MathContext;

/** How gate values are written for people: four significant digits, no exponent, no trailing zeros. */
public final class Numbers {

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
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
