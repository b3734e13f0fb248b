package dev.revroll.output;

import dev.revroll.gates.Backtest;
import dev.revroll.gates.Backtest.GateBacktest;
import dev.revroll.gates.Backtest.NamespaceResult;
import dev.revroll.gates.Numbers;
import dev.revroll.plan.DurationText;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** {@code preview --backtest}: each gate's replay over history as text, JSON (inside the preview's document) and Markdown (docs/backtest.md). */
public final class BacktestReport {

    private BacktestReport() {
    }

    public static Map<String, Object> document(Backtest.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", r.from().toString());
        m.put("to", r.to().toString());
        m.put("starts", r.starts());
        m.put("atWindow", r.windowOnly());
        m.put("fit", r.fit());
        List<Object> gates = new ArrayList<>();
        for (GateBacktest g : r.gates()) {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("gate", g.gate());
            gm.put("failWhen", g.failWhen());
            gm.put("intervalSeconds", g.interval().toMillis() / 1000.0);
            gm.put("plannedSamples", g.plannedSamples());
            gm.put("stepSeconds", g.stepLength().toMillis() / 1000.0);
            gm.put("steps", g.steps());
            gm.put("passed", g.passed());
            gm.put("failed", g.failed());
            gm.put("inconclusive", g.inconclusive());
            gm.put("noData", g.noData());
            gm.put("worst", value(g.worst()));
            gm.put("worstNamespace", g.worstNamespace().orElse(null));
            gm.put("worstAt", g.worstAt().map(Instant::toString).orElse(null));
            Map<String, Object> suggested = new LinkedHashMap<>();
            suggested.put("threshold", value(g.suggested()));
            suggested.put("from", g.suggestedFrom().map(ns -> Backtest.quantileName(!g.failWhen().startsWith("<")) + " of " + ns
                    + "'s history (the loosest namespace) + " + Math.round(Backtest.MARGIN * 100) + "%").orElse(null));
            gm.put("suggested", suggested);
            gm.put("fit", g.fit());
            gm.put("findings", g.findings());
            gm.put("summary", g.summary());
            Map<String, Object> history = new LinkedHashMap<>();
            history.put("from", g.profile().from().toString());
            history.put("bucketSeconds", g.profile().bucket().toSeconds());
            List<Double> worst = new ArrayList<>();
            for (double v : g.profile().worst()) {
                worst.add(Double.isFinite(v) ? v : null);
            }
            history.put("worst", worst);
            gm.put("history", history);
            List<Object> namespaces = new ArrayList<>();
            for (NamespaceResult n : g.namespaces()) {
                Map<String, Object> nm = new LinkedHashMap<>();
                nm.put("namespace", n.namespace());
                nm.put("steps", n.steps());
                nm.put("passed", n.passed());
                nm.put("failed", n.failed());
                nm.put("inconclusive", n.inconclusive());
                nm.put("noData", n.noData());
                nm.put("worst", value(n.worst()));
                nm.put("worstAt", n.worstAt().map(Instant::toString).orElse(null));
                nm.put("values", n.values());
                nm.put("quantile", value(n.quantile()));
                nm.put("suggestedThreshold", value(n.suggested()));
                nm.put("failedStarts", n.failedStarts().stream().map(Instant::toString).toList());
                nm.put("noDataStarts", n.noDataStarts().stream().map(Instant::toString).toList());
                List<Object> hours = new ArrayList<>();
                for (int h = 0; h < 24; h++) {
                    if (n.stepsByHour()[h] > 0) {
                        Map<String, Object> hm = new LinkedHashMap<>();
                        hm.put("hourUtc", h);
                        hm.put("steps", n.stepsByHour()[h]);
                        hm.put("failed", n.failedByHour()[h]);
                        hm.put("noData", n.noDataByHour()[h]);
                        hours.add(hm);
                    }
                }
                nm.put("byHour", hours);
                nm.put("firstProblem", n.firstProblem().orElse(null));
                nm.put("rangeQueries", n.rangeQueries());
                namespaces.add(nm);
            }
            gm.put("namespaces", namespaces);
            gates.add(gm);
        }
        m.put("gates", gates);
        return m;
    }

    private static Double value(OptionalDouble v) {
        return v.isPresent() && Double.isFinite(v.getAsDouble()) ? v.getAsDouble() : null;
    }

    public static void text(Backtest.Report r, PrintWriter out) {
        out.println("backtest: " + length(Duration.between(r.from(), r.to())) + " of history, " + r.from() + " → " + r.to()
                + ", simulated steps starting " + r.starts());
        for (GateBacktest g : r.gates()) {
            out.println("  gate " + g.gate() + " (fails when " + g.failWhen() + ", " + g.plannedSamples() + " samples every "
                    + DurationText.format(g.interval()) + ": " + DurationText.format(g.stepLength()) + " per simulated step)");
            int clean = 0;
            for (NamespaceResult n : g.namespaces()) {
                if (n.steps() > 0 && n.passed() == n.steps() && g.namespaces().size() > 20) {
                    clean++;
                    continue;
                }
                out.println("    " + n.namespace() + ": " + counts(n.steps(), n.passed(), n.failed(), n.inconclusive(), n.noData())
                        + (n.worst().isPresent() ? "; worst " + Numbers.show(n.worst().getAsDouble()) + " at " + n.worstAt().map(Instant::toString).orElse("?") : "")
                        + (n.quantile().isPresent() ? "; " + Backtest.quantileName(!g.failWhen().startsWith("<")) + " " + Numbers.show(n.quantile().getAsDouble()) : "")
                        + (n.suggested().isPresent() ? " → suggested " + g.failWhen().split(" ")[0] + " " + Numbers.show(n.suggested().getAsDouble()) : ""));
            }
            if (clean > 0) {
                out.println("    " + clean + " more namespace" + (clean == 1 ? "" : "s") + " passed every simulated step");
            }
            out.println("    all: " + counts(g.steps(), g.passed(), g.failed(), g.inconclusive(), g.noData()));
            out.println("  " + g.summary());
        }
        out.println(r.fit() ? "backtest: every gate looks fit" : "backtest: " + r.gates().stream().filter(g -> !g.fit()).count() + " of "
                + r.gates().size() + " gate(s) NOT FIT (see above); nothing was written");
    }

    /** "7d", "1d12h", "36m": days when there are any, then what plan durations say. */
    static String length(Duration d) {
        long days = d.toDays();
        Duration rest = d.minusDays(days);
        return days == 0 ? DurationText.format(d) : days + "d" + (rest.isZero() ? "" : DurationText.format(rest));
    }

    private static String counts(int steps, int passed, int failed, int inconclusive, int noData) {
        return steps + " simulated steps: " + passed + " passed, " + failed + " failed, " + inconclusive + " inconclusive, " + noData + " no data";
    }

    public static void markdown(Backtest.Report r, PrintWriter out) {
        out.println();
        out.println("### Gate backtest: " + r.from() + " → " + r.to() + " (steps starting " + r.starts() + ")");
        out.println();
        out.println("| gate | fit | simulated steps | passed | failed | inconclusive | no data | worst | suggested |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (GateBacktest g : r.gates()) {
            out.println("| " + g.gate() + " (" + g.failWhen() + ") | " + (g.fit() ? "✅" : "⚠ no") + " | " + g.steps() + " | " + g.passed() + " | "
                    + g.failed() + " | " + g.inconclusive() + " | " + g.noData() + " | "
                    + (g.worst().isPresent() ? Numbers.show(g.worst().getAsDouble()) + " (" + g.worstNamespace().orElse("") + ")" : "—") + " | "
                    + (g.suggested().isPresent() ? g.failWhen().split(" ")[0] + " " + Numbers.show(g.suggested().getAsDouble()) : "—") + " |");
        }
        out.println();
        r.gates().forEach(g -> out.println("- " + g.summary()));
    }
}
