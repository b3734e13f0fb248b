package dev.revroll.output.report;

import dev.revroll.gates.Backtest;
import dev.revroll.gates.Backtest.GateBacktest;
import dev.revroll.gates.Backtest.NamespaceResult;
import dev.revroll.gates.Numbers;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code preview --backtest ... --report-html FILE}: one self-contained page (no script, no outside resource) with
 * each gate's history drawn against its threshold — the worst value the simulated steps judged in each hour (or
 * longer stretch) over every namespace, the threshold, the suggested threshold — its verdict, and the namespaces that
 * did not pass every simulated step (docs/backtest.md).
 */
public final class BacktestHtml {

    static final int W = 760;
    static final int H = 220;
    static final int LEFT = 64;
    static final int RIGHT = 16;
    static final int TOP = 14;
    static final int BOTTOM = 30;

    private BacktestHtml() {
    }

    public static String render(Backtest.Report r) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>revroll gate backtest</title>\n<style>\n")
                .append("body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; max-width: 1000px; }\n")
                .append("table { border-collapse: collapse; font-size: 13px; } th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e4e7ec; }\n")
                .append(".fit { color: #2e8540; font-weight: 600; } .unfit { color: #b3261e; font-weight: 600; }\n")
                .append("figure { margin: 12px 0 24px; padding: 10px 12px; border: 1px solid #d8dce3; border-radius: 6px; }\n")
                .append("svg text { font-family: system-ui, sans-serif; font-size: 11px; }\n</style></head><body>\n");
        h.append("<h1>Gate backtest</h1>\n<p>").append(e(r.from() + " → " + r.to() + "; simulated steps starting " + r.starts()))
                .append(". ").append(r.fit() ? "<span class=\"fit\">Every gate looks fit.</span>" : "<span class=\"unfit\">"
                        + r.gates().stream().filter(g -> !g.fit()).count() + " of " + r.gates().size() + " gate(s) not fit.</span>")
                .append("</p>\n");
        for (GateBacktest g : r.gates()) {
            h.append("<figure class=\"gate\" id=\"gate-").append(e(g.gate())).append("\">\n<figcaption><b>").append(e(g.gate())).append("</b> fails when ")
                    .append(e(g.failWhen())).append(": <span class=\"").append(g.fit() ? "fit" : "unfit").append("\">").append(e(g.summary()))
                    .append("</span></figcaption>\n");
            chart(h, r, g);
            h.append("<p>").append(g.steps()).append(" simulated steps: ").append(g.passed()).append(" passed, ").append(g.failed()).append(" failed, ")
                    .append(g.inconclusive()).append(" inconclusive, ").append(g.noData()).append(" no data.</p>\n");
            List<NamespaceResult> notClean = g.namespaces().stream().filter(n -> n.passed() != n.steps() || n.steps() == 0).toList();
            if (!notClean.isEmpty()) {
                h.append("<table><tr><th>namespace</th><th>steps</th><th>passed</th><th>failed</th><th>inconclusive</th><th>no data</th><th>worst</th></tr>\n");
                for (NamespaceResult n : notClean) {
                    h.append("<tr><td>").append(e(n.namespace())).append("</td><td>").append(n.steps()).append("</td><td>").append(n.passed())
                            .append("</td><td>").append(n.failed()).append("</td><td>").append(n.inconclusive()).append("</td><td>").append(n.noData())
                            .append("</td><td>").append(n.worst().isPresent() ? e(Numbers.show(n.worst().getAsDouble()) + " at " + n.worstAt().map(Instant::toString).orElse("?")) : "—")
                            .append("</td></tr>\n");
                }
                h.append("</table>\n");
            }
            h.append("</figure>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    /** The profile as points, the threshold as a red line, the suggestion as a grey dashed one. */
    static void chart(StringBuilder h, Backtest.Report r, GateBacktest g) {
        double[] worst = g.profile().worst();
        double threshold = Double.parseDouble(g.failWhen().substring(g.failWhen().indexOf(' ') + 1));
        List<Double> all = new ArrayList<>();
        all.add(threshold);
        for (double v : worst) {
            if (Double.isFinite(v)) {
                all.add(v);
            }
        }
        if (g.suggested().isPresent()) {
            all.add(g.suggested().getAsDouble());
        }
        double min = Math.min(0, all.stream().mapToDouble(Double::doubleValue).min().orElse(0));
        double max = all.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (max <= min) {
            max = min + 1;
        }
        max += (max - min) * 0.08;
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        double step = plotW / Math.max(1, worst.length);
        final double lo = min;
        final double span = max - min;
        java.util.function.DoubleUnaryOperator y = v -> TOP + plotH - (v - lo) / span * plotH;
        h.append("<svg role=\"img\" aria-label=\"").append(e(g.gate() + ": worst value per " + g.profile().bucket().toMinutes() + " minutes against the threshold"))
                .append("\" width=\"").append(W).append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        h.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(fmt(plotW)).append("\" height=\"").append(fmt(plotH))
                .append("\" fill=\"#fbfcfd\" stroke=\"#d8dce3\"/>\n");
        for (double v : new double[]{min, threshold, max}) {
            h.append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(fmt(y.applyAsDouble(v) + 4)).append("\" text-anchor=\"end\">")
                    .append(e(Numbers.show(v))).append("</text>\n");
        }
        h.append("<text x=\"").append(LEFT).append("\" y=\"").append(H - 8).append("\">").append(e(r.from().toString())).append("</text>\n");
        h.append("<text x=\"").append(W - RIGHT).append("\" y=\"").append(H - 8).append("\" text-anchor=\"end\">").append(e(r.to().toString())).append("</text>\n");
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < worst.length; i++) {
            if (!Double.isFinite(worst[i])) {
                continue;
            }
            boolean fails = holds(g.failWhen(), threshold, worst[i]);
            h.append("<circle class=\"sample").append(fails ? " over" : "").append("\" cx=\"").append(fmt(LEFT + (i + 0.5) * step)).append("\" cy=\"")
                    .append(fmt(y.applyAsDouble(worst[i]))).append("\" r=\"2.5\" fill=\"").append(fails ? "#b3261e" : "#2e6fd8").append("\"><title>")
                    .append(e(g.profile().from().plus(g.profile().bucket().multipliedBy(i)) + ": worst " + Numbers.show(worst[i]))).append("</title></circle>\n");
            points.append(points.length() == 0 ? "" : " ").append(fmt(LEFT + (i + 0.5) * step)).append(',').append(fmt(y.applyAsDouble(worst[i])));
        }
        if (points.length() > 0) {
            h.append("<polyline points=\"").append(points).append("\" fill=\"none\" stroke=\"#2e6fd8\" stroke-width=\"1\" opacity=\"0.5\"/>\n");
        }
        h.append("<line class=\"threshold\" x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT).append("\" y1=\"").append(fmt(y.applyAsDouble(threshold)))
                .append("\" y2=\"").append(fmt(y.applyAsDouble(threshold))).append("\" stroke=\"#b3261e\" stroke-width=\"1.5\"><title>threshold ")
                .append(e(g.failWhen())).append("</title></line>\n");
        if (g.suggested().isPresent()) {
            double s = g.suggested().getAsDouble();
            h.append("<line class=\"suggested\" x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT).append("\" y1=\"").append(fmt(y.applyAsDouble(s)))
                    .append("\" y2=\"").append(fmt(y.applyAsDouble(s))).append("\" stroke=\"#57606a\" stroke-dasharray=\"5 4\"><title>suggested ")
                    .append(e(Numbers.show(s))).append("</title></line>\n");
        }
        h.append("</svg>\n");
    }

    private static boolean holds(String failWhen, double threshold, double v) {
        String op = failWhen.substring(0, failWhen.indexOf(' '));
        return switch (op) {
            case ">" -> v > threshold;
            case ">=" -> v >= threshold;
            case "<" -> v < threshold;
            case "<=" -> v <= threshold;
            case "==" -> v == threshold;
            default -> v != threshold;
        };
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    private static String e(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
