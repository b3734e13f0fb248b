package dev.revroll.plan;

import java.util.Locale;

/** What a metric gate does with a NO_DATA sample: count it as a failure, as a pass, or wait for the next one. */
public enum OnNoData implements YamlEnum {
    FAIL, PASS, WAIT;

    /** {@code fail}, {@code pass}, {@code wait}. */
    @Override
    public String yaml() {
        return name().toLowerCase(Locale.ROOT);
    }
}
