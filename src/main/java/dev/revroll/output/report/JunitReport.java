package dev.revroll.output.report;

import dev.revroll.output.report.ReportModel.Gate;
import dev.revroll.output.report.ReportModel.Omitted;
import dev.revroll.output.report.ReportModel.Step;
import dev.revroll.output.report.ReportModel.Wave;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The JUnit XML report: one {@code <testsuite>} per wave, one {@code <testcase>} per namespace step (docs/reports.md).
 * A step that failed is a {@code <failure>}: a failed gate carries every evaluation the journal kept (time, sample,
 * value, threshold, outcome, resolved query) and how many were omitted; a step whose rollback did not complete, or
 * that was interrupted, is an {@code <error>}; a step rolled back because another failed, or never started, is
 * {@code <skipped>} with the reason. What the step did (actions, commit, revert) is its {@code <system-out>}.
 */
public final class JunitReport {

    private JunitReport() {
    }

    public static String render(ReportModel m) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<testsuites name=\"").append(Markup.xml("revroll run " + m.run().id())).append("\"")
                .append(counts(m.steps())).append(">\n");
        for (Wave w : m.waves()) {
            List<Step> steps = w.steps().stream().map(id -> m.step(id).orElseThrow()).toList();
            x.append("  <testsuite name=\"").append(Markup.xml("wave " + w.name())).append("\"").append(counts(steps));
            steps.stream().map(Step::startedAt).filter(a -> a != null).findFirst()
                    .ifPresent(at -> x.append(" timestamp=\"").append(Markup.xml(at.replaceFirst("Z$", ""))).append("\""));
            x.append(">\n");
            x.append("    <properties>\n");
            property(x, "run", m.run().id());
            property(x, "plan", m.run().planName());
            property(x, "planHash", m.run().planHash());
            property(x, "context", m.run().context());
            property(x, "toRevision", m.run().toLabel());
            property(x, "runState", m.run().state());
            x.append("    </properties>\n");
            for (Step s : steps) {
                testcase(x, m, s);
            }
            x.append("  </testsuite>\n");
        }
        x.append("</testsuites>\n");
        return x.toString();
    }

    private static void property(StringBuilder x, String name, String value) {
        x.append("      <property name=\"").append(name).append("\" value=\"").append(Markup.xml(value)).append("\"/>\n");
    }

    private static String counts(List<Step> steps) {
        long failures = steps.stream().filter(s -> s.outcome().failed()).count();
        long errors = steps.stream().filter(JunitReport::error).count();
        long skipped = steps.stream().filter(JunitReport::skipped).count();
        double time = steps.stream().map(Step::duration).flatMap(java.util.Optional::stream).mapToLong(Duration::toMillis).sum() / 1000.0;
        return " tests=\"" + steps.size() + "\" failures=\"" + failures + "\" errors=\"" + errors + "\" skipped=\"" + skipped
                + "\" time=\"" + seconds(time) + "\"";
    }

    private static boolean error(Step s) {
        return switch (s.outcome()) {
            case ROLLBACK_INCOMPLETE, ROLLING_BACK, IN_PROGRESS -> true;
            default -> false;
        };
    }

    private static boolean skipped(Step s) {
        return s.outcome() == ReportModel.Outcome.ROLLED_BACK || s.outcome() == ReportModel.Outcome.NOT_STARTED;
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    private static void testcase(StringBuilder x, ReportModel m, Step s) {
        x.append("    <testcase name=\"").append(Markup.xml(s.namespace())).append("\" classname=\"")
                .append(Markup.xml("revroll." + m.run().planName() + "." + s.wave())).append("\" time=\"")
                .append(seconds(s.duration().map(Duration::toMillis).orElse(0L) / 1000.0)).append("\">\n");
        if (s.outcome().failed()) {
            List<Gate> failed = s.failedGates();
            String message = failed.isEmpty() ? s.failure()
                    : String.join("; ", failed.stream().map(g -> g.summary() != null ? g.summary() : g.name() + ": " + g.verdict()).toList());
            x.append("      <failure type=\"").append(failed.isEmpty() ? "action-failed" : "gate-failed").append("\" message=\"")
                    .append(Markup.xml(message)).append("\">");
            StringBuilder body = new StringBuilder();
            body.append("step ").append(s.id()).append(": ").append(s.outcomeWords()).append('\n');
            if (s.failure() != null) {
                body.append("failure: ").append(s.failure()).append('\n');
            }
            for (Gate g : failed) {
                gateText(body, g);
            }
            x.append(Markup.xml(body.toString())).append("</failure>\n");
        } else if (error(s)) {
            x.append("      <error type=\"").append(s.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-')).append("\" message=\"")
                    .append(Markup.xml(s.outcomeWords() + (s.failure() == null ? "" : ": " + s.failure()))).append("\">")
                    .append(Markup.xml(String.join("\n", m.whatToDo()))).append("</error>\n");
        } else if (skipped(s)) {
            String why = s.outcome() == ReportModel.Outcome.ROLLED_BACK ? "rolled back: another step of the run failed or a rollback was asked for"
                    : "not started (run " + m.run().state() + ")";
            x.append("      <skipped message=\"").append(Markup.xml(why)).append("\"/>\n");
        }
        StringBuilder out = new StringBuilder();
        out.append("namespace ").append(s.namespace()).append(": ").append(s.outcomeWords()).append('\n');
        s.actions().forEach(a -> out.append("  ").append(a.name()).append(' ').append(a.state()).append(" at ").append(a.at())
                .append(a.detail() == null ? "" : " (" + a.detail() + ")").append('\n'));
        if (s.gitCommit() != null) {
            out.append("git commit ").append(s.gitCommit()).append('\n');
        }
        if (s.gitRevert() != null) {
            out.append("git revert ").append(s.gitRevert()).append('\n');
        }
        for (Gate g : s.gates()) {
            if (!g.failed()) {
                out.append("gate ").append(g.name()).append(": ").append(g.verdict() == null ? "verdict unknown" : g.verdict())
                        .append(", ").append(g.evaluations().size()).append(" evaluation(s)")
                        .append(g.omittedCount() > 0 ? ", " + g.omittedCount() + " omitted" : "").append('\n');
            }
        }
        x.append("      <system-out>").append(Markup.xml(out.toString())).append("</system-out>\n");
        x.append("    </testcase>\n");
    }

    private static void gateText(StringBuilder body, Gate g) {
        body.append("\ngate ").append(g.name()).append(": ").append(g.verdict());
        if (g.threshold() != null) {
            body.append(" (fails when ").append(g.comparison()).append(' ').append(Markup.number(g.threshold())).append(')');
        }
        body.append('\n');
        if (g.summary() != null) {
            body.append(g.summary()).append('\n');
        }
        g.evaluations().forEach(e -> body.append("  ").append(e.line()).append('\n'));
        for (Omitted o : g.omitted()) {
            body.append("  ").append(ReportModel.omittedText(o)).append('\n');
        }
    }
}
