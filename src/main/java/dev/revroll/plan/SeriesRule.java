package dev.revroll.plan;

import java.util.Locale;

/**
 * What a metric gate makes of a query that answers with several series (docs/gates.md#a-sample): {@code one} (the
 * default) expects exactly one and calls several INCONCLUSIVE, never a pass; {@code worst} lets the worst of them by
 * the condition decide (a query written per workload, e.g. {@code sum by (destination_workload) (...)}).
 */
public enum SeriesRule implements YamlEnum {
    ONE, WORST;

    @Override
    public String yaml() {
        return name().toLowerCase(Locale.ROOT);
    }
}
