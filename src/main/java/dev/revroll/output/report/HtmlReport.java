package dev.revroll.output.report;

import dev.revroll.output.report.ReportModel.Evaluation;
import dev.revroll.output.report.ReportModel.Gate;
import dev.revroll.output.report.ReportModel.GitChange;
import dev.revroll.output.report.ReportModel.Omitted;
import dev.revroll.output.report.ReportModel.Outcome;
import dev.revroll.output.report.ReportModel.Step;
import dev.revroll.output.report.ReportModel.StepGate;
import dev.revroll.output.report.ReportModel.Wave;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The HTML report: one self-contained page a pipeline keeps as an artifact (docs/reports.md). Inline CSS and inline
 * SVG only; nothing is fetched, and the page needs no script (one inline script only records where each chart is laid
 * out, as {@code data-box}, for tools that look at the page). Every text from the run (namespaces, queries, messages)
 * is escaped. Sections: the summary, what a person must do (when the run did not end clean), a timeline of the waves
 * and steps (forward part and rollback), the steps, each gate's samples plotted against its threshold (failing samples
 * marked in their own colour and shape), the Git commits and reverts.
 */
public final class HtmlReport {

    /** Colours a person (and the browser test) tells apart: a failing sample is red, a passing one green. */
    static final String FAIL_COLOUR = "#d7263d";
    static final String PASS_COLOUR = "#2e8540";
    static final String THRESHOLD_COLOUR = "#1f4e9c";
    static final String NO_DATA_COLOUR = "#8a8f98";

    private static final String CSS = """
            :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; background: #ffffff; }
            body { margin: 24px; max-width: 1100px; }
            h1 { font-size: 22px; margin: 0 0 6px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #d8dce3; padding-bottom: 4px; }
            h3 { font-size: 15px; margin: 18px 0 6px; }
            code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
            .summary { font-size: 16px; padding: 10px 14px; border-radius: 6px; margin: 8px 0 12px; }
            .run-clean .summary { background: #e6f4ea; border: 1px solid #a8d5b5; }
            .run-unclean .summary { background: #fdecee; border: 1px solid #f1a7b1; }
            dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; font-size: 13px; }
            dl.facts dt { color: #57606a; } dl.facts dd { margin: 0; }
            .todo { background: #fff8e1; border: 1px solid #f0c36d; border-radius: 6px; padding: 4px 16px 10px; }
            .todo h2 { border: none; margin-top: 10px; }
            .todo li { margin: 6px 0; white-space: pre-wrap; }
            table { border-collapse: collapse; font-size: 13px; width: 100%; }
            th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e7ec; vertical-align: top; }
            th { background: #f3f5f8; }
            .outcome { font-weight: 600; }
            .outcome-MOVED { color: #2e8540; } .outcome-FAILED_ROLLED_BACK, .outcome-FAILED, .outcome-FAILED_PAUSED, .outcome-ROLLBACK_INCOMPLETE { color: #b3261e; }
            .outcome-ROLLED_BACK, .outcome-ROLLING_BACK, .outcome-IN_PROGRESS { color: #8a5a00; } .outcome-NOT_STARTED { color: #57606a; }
            figure.gate-chart { margin: 12px 0 22px; padding: 10px 12px; border: 1px solid #d8dce3; border-radius: 6px; background: #fbfcfd; }
            figure.gate-failed { border-color: #f1a7b1; }
            figcaption { font-size: 14px; margin-bottom: 6px; }
            .verdict-FAIL, .verdict-INCONCLUSIVE, .verdict-NO_DATA { color: #b3261e; font-weight: 600; } .verdict-PASS { color: #2e8540; font-weight: 600; }
            .omitted { font-size: 13px; color: #8a5a00; margin: 4px 0; }
            .query { font-size: 12px; color: #444c56; word-break: break-all; margin: 4px 0; }
            details summary { cursor: pointer; font-size: 13px; color: #444c56; }
            .legend { font-size: 12px; color: #444c56; } .legend span { margin-right: 14px; }
            .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: middle; }
            svg text { font-family: system-ui, sans-serif; }
            .failure { color: #b3261e; font-size: 12.5px; white-space: pre-wrap; }
            """;

    private HtmlReport() {
    }

    public static String render(ReportModel m) {
        ReportModel.Run run = m.run();
        StringBuilder h = new StringBuilder(32 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>").append(e("revroll run " + run.id() + ": " + run.state())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        header(h, m);
        if (!m.whatToDo().isEmpty()) {
            h.append("<section class=\"todo\" id=\"what-to-do\" role=\"alert\" aria-labelledby=\"what-to-do-h\">\n")
                    .append("<h2 id=\"what-to-do-h\">What you must do</h2>\n<ol>\n");
            m.whatToDo().forEach(t -> h.append("<li>").append(e(t)).append("</li>\n"));
            h.append("</ol>\n</section>\n");
        }
        timeline(h, m);
        steps(h, m);
        gates(h, m);
        git(h, m);
        h.append("<script>/* records where each chart is laid out (data-box: x,y,width,height in CSS pixels); the page needs no script */\n")
                .append("document.querySelectorAll('figure.gate-chart svg').forEach(function (s) { var r = s.getBoundingClientRect();")
                .append(" s.setAttribute('data-box', [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height].map(Math.round).join(',')); });\n")
                .append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static String e(String text) {
        return Markup.xml(text);
    }

    private static void header(StringBuilder h, ReportModel m) {
        ReportModel.Run run = m.run();
        h.append("<header class=\"").append(run.clean() ? "run-clean" : "run-unclean").append("\">\n")
                .append("<h1>revroll run <code>").append(e(run.id())).append("</code></h1>\n")
                .append("<p class=\"summary\" role=\"status\" data-state=\"").append(e(run.state())).append("\">").append(e(run.summary()))
                .append("</p>\n<dl class=\"facts\">\n");
        fact(h, "plan", run.planName() + (run.planPath() == null ? "" : " (" + run.planPath() + ")"));
        fact(h, "plan hash", run.planHash());
        fact(h, "context", run.context());
        fact(h, "revision", (run.fromRevision() == null ? "" : run.fromRevision() + " → ") + run.toLabel()
                + (Objects.equals(run.toLabel(), run.toRevision()) || run.toRevision() == null ? "" : " (revision " + run.toRevision() + ")"));
        fact(h, "started", run.startedAt());
        fact(h, "finished", run.finishedAt());
        fact(h, "state", run.state());
        if (run.message() != null) {
            fact(h, "message", run.message());
        }
        if (run.journalCompaction() != null) {
            fact(h, "journal", run.journalCompaction());
        }
        run.warnings().forEach(w -> fact(h, "warning", w));
        h.append("</dl>\n</header>\n");
    }

    private static void fact(StringBuilder h, String name, String value) {
        if (value != null) {
            h.append("<dt>").append(e(name)).append("</dt><dd>").append(e(value)).append("</dd>\n");
        }
    }

    // ------------------------------------------------------------------------------------------------ timeline

    private static final int TL_WIDTH = 1000;
    private static final int TL_LABEL = 230;
    private static final int TL_ROW = 22;

    private static void timeline(StringBuilder h, ReportModel m) {
        Instant start = ReportModel.instant(m.run().startedAt());
        Instant end = latest(m);
        h.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
        if (start == null || end == null || m.steps().isEmpty()) {
            h.append("<p>No step has started.</p>\n</section>\n");
            return;
        }
        long span = Math.max(1, Duration.between(start, end).toMillis());
        int rows = m.steps().size() + m.waves().size();
        int height = rows * TL_ROW + 34;
        double plot = TL_WIDTH - TL_LABEL - 16;
        h.append("<svg class=\"timeline\" role=\"img\" aria-label=\"").append(e("timeline of run " + m.run().id()))
                .append("\" width=\"").append(TL_WIDTH).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
                .append(TL_WIDTH).append(' ').append(height).append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        int y = 4;
        for (Wave w : m.waves()) {
            h.append("<text x=\"4\" y=\"").append(y + 15).append("\" font-size=\"13\" font-weight=\"600\">")
                    .append(e("wave " + w.name())).append("</text>\n");
            y += TL_ROW;
            for (String id : w.steps()) {
                Step s = m.step(id).orElseThrow();
                h.append("<g class=\"step-bar outcome-").append(s.outcome().name()).append("\" data-step=\"").append(e(s.id())).append("\">\n");
                h.append("<text x=\"16\" y=\"").append(y + 15).append("\" font-size=\"12\">").append(e(s.namespace())).append("</text>\n");
                Instant from = ReportModel.instant(s.startedAt());
                Instant fwd = ReportModel.instant(s.forwardEndedAt());
                if (from != null) {
                    Instant to = fwd != null ? fwd : end;
                    bar(h, "forward", x(start, from, span, plot), x(start, to, span, plot), y, barColour(s.outcome()),
                            s.namespace() + ": " + s.outcomeWords() + ", " + s.startedAt() + " → " + Objects.toString(s.forwardEndedAt(), "?"));
                }
                Instant undoFrom = ReportModel.instant(s.undoStartedAt());
                Instant undoTo = ReportModel.instant(s.finishedAt());
                if (undoFrom != null && s.outcome() != Outcome.MOVED) {
                    Instant to = undoTo != null ? undoTo : end;
                    bar(h, "rollback", x(start, undoFrom, span, plot), x(start, to, span, plot), y, "#e0a100",
                            s.namespace() + ": rollback " + s.undoStartedAt() + " → " + Objects.toString(s.finishedAt(), "?"));
                }
                h.append("</g>\n");
                y += TL_ROW;
            }
        }
        h.append("<line x1=\"").append(TL_LABEL).append("\" y1=\"").append(y + 2).append("\" x2=\"").append(TL_LABEL + (int) plot)
                .append("\" y2=\"").append(y + 2).append("\" stroke=\"#9aa1ab\"/>\n");
        h.append("<text x=\"").append(TL_LABEL).append("\" y=\"").append(y + 18).append("\" font-size=\"11\">").append(e(m.run().startedAt())).append("</text>\n");
        h.append("<text x=\"").append(TL_LABEL + (int) plot).append("\" y=\"").append(y + 18).append("\" font-size=\"11\" text-anchor=\"end\">")
                .append(e(end.toString())).append(" (").append(e(ReportModel.seconds(Duration.ofMillis(span)))).append(")</text>\n");
        h.append("</svg>\n<p class=\"legend\"><span><i class=\"swatch\" style=\"background:#5fb36b\"></i>moved</span>")
                .append("<span><i class=\"swatch\" style=\"background:#d9534f\"></i>failed</span>")
                .append("<span><i class=\"swatch\" style=\"background:#e0a100\"></i>rollback</span>")
                .append("<span><i class=\"swatch\" style=\"background:#b6bcc6\"></i>rolled back with another step, or unfinished</span></p>\n");
        h.append("</section>\n");
    }

    private static void bar(StringBuilder h, String kind, double x1, double x2, int y, String colour, String title) {
        double w = Math.max(3, x2 - x1);
        h.append("<rect class=\"").append(kind).append("\" x=\"").append(fmt(x1)).append("\" y=\"").append(y + 4).append("\" width=\"")
                .append(fmt(w)).append("\" height=\"").append(TL_ROW - 8).append("\" rx=\"2\" fill=\"").append(colour).append("\"><title>")
                .append(e(title)).append("</title></rect>\n");
    }

    private static String barColour(Outcome o) {
        return switch (o) {
            case MOVED -> "#5fb36b";
            case FAILED_ROLLED_BACK, FAILED, FAILED_PAUSED, ROLLBACK_INCOMPLETE -> "#d9534f";
            default -> "#b6bcc6";
        };
    }

    private static double x(Instant start, Instant at, long span, double plot) {
        double f = Math.max(0, Math.min(1, Duration.between(start, at).toMillis() / (double) span));
        return TL_LABEL + f * plot;
    }

    private static Instant latest(ReportModel m) {
        List<Instant> all = new ArrayList<>();
        all.add(ReportModel.instant(m.run().startedAt()));
        all.add(ReportModel.instant(m.run().finishedAt()));
        for (Step s : m.steps()) {
            all.add(ReportModel.instant(s.forwardEndedAt()));
            all.add(ReportModel.instant(s.finishedAt()));
            s.gates().forEach(g -> g.evaluations().forEach(v -> all.add(ReportModel.instant(v.at()))));
        }
        return all.stream().filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
    }

    // ------------------------------------------------------------------------------------------------ steps and git

    private static void steps(StringBuilder h, ReportModel m) {
        h.append("<section id=\"steps\">\n<h2>Steps</h2>\n<table>\n<thead><tr><th>wave</th><th>namespace</th><th>outcome</th><th>started</th>")
                .append("<th>took</th><th>workloads</th><th>commit</th><th>revert</th></tr></thead>\n<tbody>\n");
        for (Step s : m.steps()) {
            h.append("<tr class=\"step\" data-step=\"").append(e(s.id())).append("\"><td>").append(e(s.wave())).append("</td><td>")
                    .append(e(s.namespace())).append("</td><td class=\"outcome outcome-").append(s.outcome().name()).append("\">")
                    .append(e(s.outcomeWords())).append("</td><td>").append(e(s.startedAt())).append("</td><td>")
                    .append(e(s.duration().map(ReportModel::seconds).orElse(""))).append("</td><td>").append(e(String.join(", ", s.workloads())))
                    .append("</td><td><code>").append(e(s.gitCommit())).append("</code></td><td><code>").append(e(s.gitRevert()))
                    .append("</code></td></tr>\n");
            if (s.failure() != null) {
                h.append("<tr><td></td><td colspan=\"7\" class=\"failure\">").append(e(s.failure())).append("</td></tr>\n");
            }
        }
        h.append("</tbody>\n</table>\n");
        if (!m.run().skipped().isEmpty()) {
            h.append("<details><summary>").append(m.run().skipped().size()).append(" namespace(s) skipped</summary><ul>\n");
            m.run().skipped().forEach(s -> h.append("<li>").append(e(s)).append("</li>\n"));
            h.append("</ul></details>\n");
        }
        h.append("</section>\n");
    }

    private static void git(StringBuilder h, ReportModel m) {
        h.append("<section id=\"git\">\n<h2>Git commits and reverts</h2>\n");
        if (m.git().isEmpty()) {
            h.append("<p>No commit.</p>\n</section>\n");
            return;
        }
        h.append("<table>\n<thead><tr><th>commit</th><th>kind</th><th>step</th><th>namespace</th></tr></thead>\n<tbody>\n");
        for (GitChange c : m.git()) {
            h.append("<tr class=\"git-").append(e(c.kind())).append("\"><td><code>").append(e(c.commit())).append("</code></td><td>")
                    .append(c.kind().equals("revert") ? "revert of <code>" + e(c.revertOf()) + "</code>" : "commit").append("</td><td>")
                    .append(e(c.step())).append("</td><td>").append(e(c.namespace())).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");
    }

    // ------------------------------------------------------------------------------------------------ gate charts

    private static final int CH_W = 700;
    private static final int CH_H = 220;
    private static final int CH_LEFT = 64;
    private static final int CH_RIGHT = 150;
    private static final int CH_TOP = 14;
    private static final int CH_BOTTOM = 34;

    private static void gates(StringBuilder h, ReportModel m) {
        List<StepGate> all = m.stepGates().toList();
        h.append("<section id=\"gates\">\n<h2>Gates</h2>\n");
        if (all.isEmpty()) {
            h.append("<p>No gate was evaluated.</p>\n</section>\n");
            return;
        }
        h.append("<p class=\"legend\"><span><i class=\"swatch\" style=\"background:").append(PASS_COLOUR).append("\"></i>passing sample</span>")
                .append("<span><i class=\"swatch\" style=\"background:").append(FAIL_COLOUR).append("\"></i>failing sample</span>")
                .append("<span><i class=\"swatch\" style=\"background:").append(NO_DATA_COLOUR).append("\"></i>no value / query failed</span>")
                .append("<span style=\"color:").append(THRESHOLD_COLOUR).append("\">- - - threshold</span></p>\n");
        for (StepGate sg : all) {
            chart(h, sg.step(), sg.gate());
        }
        h.append("</section>\n");
    }

    private static void chart(StringBuilder h, Step s, Gate g) {
        String verdict = g.verdict() == null ? "UNKNOWN" : g.verdict();
        h.append("<figure class=\"gate-chart ").append(g.failed() ? "gate-failed" : "gate-ok").append("\" data-step=\"").append(e(s.id()))
                .append("\" data-gate=\"").append(e(g.name())).append("\" data-verdict=\"").append(e(verdict)).append("\">\n");
        h.append("<figcaption><strong>").append(e(s.namespace())).append("</strong> — gate <strong>").append(e(g.name()))
                .append("</strong>: <span class=\"verdict-").append(e(verdict)).append("\">").append(e(g.verdict() == null ? "verdict not journaled" : verdict))
                .append("</span>");
        if (g.threshold() != null) {
            h.append(" — fails when <code>").append(e(g.comparison() + " " + Markup.number(g.threshold()))).append("</code>");
        }
        h.append("</figcaption>\n");
        if (g.summary() != null) {
            h.append("<p class=\"query\">").append(e(g.summary())).append("</p>\n");
        }
        svg(h, s, g);
        for (Omitted o : g.omitted()) {
            h.append("<p class=\"omitted\" data-omitted=\"").append(o.count()).append("\">").append(e(ReportModel.omittedText(o))).append("</p>\n");
        }
        g.evaluations().stream().map(Evaluation::query).filter(Objects::nonNull).distinct()
                .forEach(q -> h.append("<p class=\"query\">query: <code>").append(e(q)).append("</code></p>\n"));
        h.append("<details><summary>").append(g.evaluations().size()).append(" evaluation(s)</summary>\n<table>\n")
                .append("<thead><tr><th>#</th><th>time</th><th>value</th><th>threshold</th><th>outcome</th><th>detail</th></tr></thead>\n<tbody>\n");
        for (Evaluation v : g.evaluations()) {
            h.append("<tr class=\"evaluation\"><td>").append(v.sample() == null ? "" : v.sample()).append("</td><td>").append(e(v.at()))
                    .append("</td><td>").append(v.value() == null ? "no value" : e(Markup.number(v.value()))).append("</td><td>")
                    .append(v.threshold() == null ? "" : e(v.comparison() + " " + Markup.number(v.threshold()))).append("</td><td class=\"verdict-")
                    .append(e(v.outcome())).append("\">").append(e(v.outcome())).append("</td><td>").append(e(v.detail())).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</details>\n</figure>\n");
    }

    private static void svg(StringBuilder h, Step s, Gate g) {
        List<Evaluation> evs = g.evaluations();
        double plotW = CH_W - CH_LEFT - CH_RIGHT;
        double plotH = CH_H - CH_TOP - CH_BOTTOM;
        // y range: 0 (or the lowest value) to the highest of values and threshold, with head room
        double lo = 0;
        double hi = g.threshold() == null ? 0 : g.threshold();
        for (Evaluation v : evs) {
            if (v.value() != null && Double.isFinite(v.value())) {
                lo = Math.min(lo, v.value());
                hi = Math.max(hi, v.value());
            }
        }
        if (g.threshold() != null) {
            lo = Math.min(lo, g.threshold());
        }
        if (hi - lo <= 0) {
            hi = lo + 1;
        }
        hi += (hi - lo) * 0.15;
        // x: by time when every evaluation has one, else by order
        List<Instant> times = evs.stream().map(v -> ReportModel.instant(v.at())).toList();
        boolean byTime = !evs.isEmpty() && times.stream().allMatch(Objects::nonNull);
        Instant t0 = byTime ? times.stream().min(Instant::compareTo).orElseThrow() : null;
        Instant t1 = byTime ? times.stream().max(Instant::compareTo).orElseThrow() : null;
        long span = byTime ? Math.max(1, Duration.between(t0, t1).toMillis()) : Math.max(1, evs.size() - 1);

        String label = "gate " + g.name() + " of " + s.namespace() + ": " + evs.size() + " samples"
                + (g.threshold() == null ? "" : ", threshold " + g.comparison() + " " + Markup.number(g.threshold()))
                + ", " + evs.stream().filter(Evaluation::failing).count() + " failing";
        h.append("<svg class=\"gate-plot\" role=\"img\" aria-label=\"").append(e(label)).append("\" width=\"").append(CH_W)
                .append("\" height=\"").append(CH_H).append("\" viewBox=\"0 0 ").append(CH_W).append(' ').append(CH_H)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        // axes and grid
        h.append("<rect x=\"").append(CH_LEFT).append("\" y=\"").append(CH_TOP).append("\" width=\"").append(fmt(plotW)).append("\" height=\"")
                .append(fmt(plotH)).append("\" fill=\"#ffffff\" stroke=\"#c8ccd6\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double y = CH_TOP + plotH - plotH * i / 4;
            h.append("<line class=\"grid\" x1=\"").append(CH_LEFT).append("\" y1=\"").append(fmt(y)).append("\" x2=\"").append(fmt(CH_LEFT + plotW))
                    .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#eef0f3\"/>\n");
            h.append("<text x=\"").append(CH_LEFT - 6).append("\" y=\"").append(fmt(y + 4)).append("\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">")
                    .append(e(Markup.number(round(v)))).append("</text>\n");
        }
        if (byTime) {
            h.append("<text x=\"").append(CH_LEFT).append("\" y=\"").append(CH_H - 10).append("\" font-size=\"11\" fill=\"#57606a\">")
                    .append(e(t0.toString())).append("</text>\n");
            h.append("<text x=\"").append(fmt(CH_LEFT + plotW)).append("\" y=\"").append(CH_H - 10)
                    .append("\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">+").append(e(ReportModel.seconds(Duration.ofMillis(span))))
                    .append("</text>\n");
        }
        // the threshold
        if (g.threshold() != null) {
            double ty = CH_TOP + plotH - (g.threshold() - lo) / (hi - lo) * plotH;
            h.append("<line class=\"threshold\" data-threshold=\"").append(e(Markup.number(g.threshold()))).append("\" x1=\"").append(CH_LEFT)
                    .append("\" y1=\"").append(fmt(ty)).append("\" x2=\"").append(fmt(CH_LEFT + plotW)).append("\" y2=\"").append(fmt(ty))
                    .append("\" stroke=\"").append(THRESHOLD_COLOUR).append("\" stroke-width=\"2\" stroke-dasharray=\"6 4\"><title>")
                    .append(e("threshold: fails when " + g.comparison() + " " + Markup.number(g.threshold()))).append("</title></line>\n");
            h.append("<text class=\"threshold-label\" x=\"").append(fmt(CH_LEFT + plotW + 6)).append("\" y=\"").append(fmt(ty + 4))
                    .append("\" font-size=\"11\" fill=\"").append(THRESHOLD_COLOUR).append("\">")
                    .append(e("fails when " + g.comparison() + " " + Markup.number(g.threshold()))).append("</text>\n");
        } else {
            h.append("<text x=\"").append(fmt(CH_LEFT + plotW + 6)).append("\" y=\"").append(CH_TOP + 12)
                    .append("\" font-size=\"11\" fill=\"#57606a\">no threshold known</text>\n");
        }
        // a line through the values, then the samples
        StringBuilder path = new StringBuilder();
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < evs.size(); i++) {
            Evaluation v = evs.get(i);
            double f = byTime ? Duration.between(t0, times.get(i)).toMillis() / (double) span : evs.size() == 1 ? 0.5 : i / (double) span;
            double px = CH_LEFT + 8 + f * (plotW - 16);
            double py = v.value() == null || !Double.isFinite(v.value()) ? CH_TOP + plotH - 6 : CH_TOP + plotH - (v.value() - lo) / (hi - lo) * plotH;
            points.add(new double[]{px, py});
            if (v.value() != null && Double.isFinite(v.value())) {
                path.append(path.isEmpty() ? "M" : " L").append(fmt(px)).append(' ').append(fmt(py));
            }
        }
        if (!path.isEmpty()) {
            h.append("<path class=\"values\" d=\"").append(path).append("\" fill=\"none\" stroke=\"#9aa1ab\" stroke-width=\"1.2\"/>\n");
        }
        for (int i = 0; i < evs.size(); i++) {
            Evaluation v = evs.get(i);
            double px = points.get(i)[0];
            double py = points.get(i)[1];
            String title = v.at() + (v.sample() == null ? "" : " #" + v.sample()) + ": " + v.outcome() + ", " + v.valueText();
            if (v.failing()) {
                double r = 7;
                h.append("<g class=\"sample sample-fail\" data-value=\"").append(e(Markup.number(v.value()))).append("\"><title>").append(e(title))
                        .append("</title><circle cx=\"").append(fmt(px)).append("\" cy=\"").append(fmt(py)).append("\" r=\"").append(fmt(r))
                        .append("\" fill=\"").append(FAIL_COLOUR).append("\"/><path d=\"M").append(fmt(px - 3.5)).append(' ').append(fmt(py - 3.5))
                        .append(" L").append(fmt(px + 3.5)).append(' ').append(fmt(py + 3.5)).append(" M").append(fmt(px + 3.5)).append(' ')
                        .append(fmt(py - 3.5)).append(" L").append(fmt(px - 3.5)).append(' ').append(fmt(py + 3.5))
                        .append("\" stroke=\"#ffffff\" stroke-width=\"1.6\"/></g>\n");
            } else if (v.passing()) {
                h.append("<circle class=\"sample sample-pass\" cx=\"").append(fmt(px)).append("\" cy=\"").append(fmt(py)).append("\" r=\"5\" fill=\"")
                        .append(PASS_COLOUR).append("\" data-value=\"").append(e(Markup.number(v.value()))).append("\"><title>").append(e(title))
                        .append("</title></circle>\n");
            } else {
                h.append("<circle class=\"sample sample-").append(e(Objects.toString(v.outcome(), "unknown").toLowerCase(Locale.ROOT).replace('_', '-')))
                        .append("\" cx=\"").append(fmt(px)).append("\" cy=\"").append(fmt(py)).append("\" r=\"5\" fill=\"#ffffff\" stroke=\"")
                        .append(NO_DATA_COLOUR).append("\" stroke-width=\"2\"><title>").append(e(title)).append("</title></circle>\n");
            }
        }
        if (evs.isEmpty()) {
            h.append("<text x=\"").append(fmt(CH_LEFT + plotW / 2)).append("\" y=\"").append(fmt(CH_TOP + plotH / 2))
                    .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#57606a\">no evaluation kept in the journal</text>\n");
        }
        h.append("</svg>\n");
    }

    private static double round(double v) {
        return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1e4) / 1e4;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
