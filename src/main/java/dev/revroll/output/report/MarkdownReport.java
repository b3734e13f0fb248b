package dev.revroll.output.report;

import dev.revroll.output.report.ReportModel.Evaluation;
import dev.revroll.output.report.ReportModel.GitChange;
import dev.revroll.output.report.ReportModel.Omitted;
import dev.revroll.output.report.ReportModel.Step;
import dev.revroll.output.report.ReportModel.StepGate;

import java.util.List;

/**
 * The Markdown report, fit for a pull-request comment and GitHub's step summary (docs/reports.md): the summary line
 * first, then a table of the steps, each failed gate with its evaluations, the Git commits and reverts, and what a
 * person must do when the run did not end clean.
 */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(ReportModel m) {
        StringBuilder md = new StringBuilder();
        ReportModel.Run run = m.run();
        md.append(icon(m)).append(" **revroll run ").append(Markup.code(run.id())).append("** — ").append(Markup.text(run.summary())).append("\n\n");
        md.append("Plan ").append(Markup.code(run.planName()))
                .append(run.planHash() == null ? "" : " (" + Markup.code(shortHash(run.planHash())) + ")")
                .append(", context ").append(Markup.code(run.context()))
                .append(run.fromRevision() == null ? "" : ", from " + Markup.code(run.fromRevision()))
                .append(", to ").append(Markup.code(run.toLabel()))
                .append(", started ").append(Markup.text(run.startedAt()))
                .append(run.finishedAt() == null ? "" : ", finished " + Markup.text(run.finishedAt())).append(".\n\n");
        if (run.journalCompaction() != null) {
            md.append("> Journal: ").append(Markup.text(run.journalCompaction())).append("\n\n");
        }

        md.append("| wave | namespace | outcome | started | took | commit | revert |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Step s : m.steps()) {
            md.append("| ").append(Markup.cell(s.wave())).append(" | ").append(Markup.cell(s.namespace())).append(" | ")
                    .append(Markup.cell(s.outcomeWords())).append(" | ").append(Markup.cell(s.startedAt())).append(" | ")
                    .append(s.duration().map(ReportModel::seconds).orElse("")).append(" | ")
                    .append(Markup.cellCode(shortHash(s.gitCommit()))).append(" | ").append(Markup.cellCode(shortHash(s.gitRevert()))).append(" |\n");
        }
        md.append('\n');

        List<StepGate> failed = m.stepGates().filter(sg -> sg.gate().failed()).toList();
        List<Step> failedActions = m.steps().stream().filter(s -> s.outcome().failed() && s.failedGates().isEmpty()).toList();
        if (!failed.isEmpty() || !failedActions.isEmpty()) {
            md.append("### Failures\n\n");
        }
        for (Step s : failedActions) {
            md.append("**").append(Markup.text(s.id())).append("**: ").append(Markup.text(s.failure())).append("\n\n");
        }
        for (StepGate sg : failed) {
            ReportModel.Gate g = sg.gate();
            md.append("**").append(Markup.text(sg.step().id())).append(" — gate ").append(Markup.text(g.name())).append(": ")
                    .append(g.verdict()).append("**");
            if (g.threshold() != null) {
                md.append(" (fails when ").append(Markup.code(g.comparison() + " " + Markup.number(g.threshold()))).append(')');
            }
            md.append("\n\n");
            if (g.summary() != null) {
                md.append(Markup.text(g.summary())).append("\n\n");
            }
            g.evaluations().stream().map(Evaluation::query).distinct()
                    .forEach(q -> md.append("Query: ").append(Markup.code(q)).append("\n\n"));
            md.append("| # | time | value | threshold | outcome |\n|---|---|---|---|---|\n");
            for (Evaluation e : g.evaluations()) {
                md.append("| ").append(e.sample() == null ? "" : e.sample()).append(" | ").append(Markup.cell(e.at())).append(" | ")
                        .append(e.value() == null ? "no value" : Markup.number(e.value())).append(" | ")
                        .append(e.threshold() == null ? "" : Markup.cell(e.comparison() + " " + Markup.number(e.threshold()))).append(" | ")
                        .append(e.failing() ? "**FAIL**" : Markup.cell(e.outcome())).append(" |\n");
            }
            for (Omitted o : g.omitted()) {
                md.append("\n_").append(Markup.text(ReportModel.omittedText(o))).append("_\n");
            }
            md.append('\n');
        }

        if (!m.git().isEmpty()) {
            md.append("### Git\n\n");
            for (GitChange c : m.git()) {
                md.append("- ").append(Markup.code(c.commit())).append(' ')
                        .append(c.kind().equals("revert") ? "reverts " + Markup.code(c.revertOf()) + " of" : "moves")
                        .append(" step ").append(Markup.text(c.step())).append(" (namespace ").append(Markup.text(c.namespace())).append(")\n");
            }
            md.append('\n');
        }

        if (!m.whatToDo().isEmpty()) {
            md.append("### What you must do\n\n");
            int n = 1;
            for (String todo : m.whatToDo()) {
                md.append(n++).append(". ").append(Markup.text(todo)).append('\n');
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String icon(ReportModel m) {
        return switch (m.run().state()) {
            case "DONE" -> m.run().clean() ? ":white_check_mark:" : ":warning:";
            case "ROLLED_BACK" -> m.run().clean() ? ":leftwards_arrow_with_hook:" : ":x:";
            case "PAUSED" -> ":pause_button:";
            default -> ":warning:";
        };
    }

    private static String shortHash(String hash) {
        if (hash == null) {
            return null;
        }
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }
}
