package dev.revroll.output;

import dev.revroll.engine.WorkloadControl;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.engine.journal.RunRecord.OmittedEvaluations;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.json.Json;
import dev.revroll.plan.DurationText;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The summary of a run from its journal: every step and every gate evaluation (resolved query, value, outcome). When
 * the journal had to shrink to fit its store, the evaluations it left out are counted per step, gate and outcome.
 */
public final class RunReport {

    private RunReport() {
    }

    public static void text(RunRecord r, PrintWriter out) {
        out.println("run " + r.runId() + " (plan " + r.planName() + ", context " + r.context() + "): " + r.state());
        out.println("  to " + r.toLabel() + (r.toLabel() != null && !r.toLabel().equals(r.toRevision()) ? " (revision " + r.toRevision() + ")" : "")
                + (r.fromRevision() == null ? "" : " from " + r.fromRevision()) + ", started " + r.startedAt()
                + (r.finishedAt() == null ? "" : ", finished " + r.finishedAt()));
        if (r.message() != null) {
            out.println("  " + r.message().replace("\n", "\n  "));
        }
        r.compaction().ifPresent(c -> out.println("  journal: " + c));
        r.windowHold().ifPresent(h -> out.println("  " + windowHold(h)));
        r.skipped().forEach(s -> out.println("  skipped " + s));
        for (StepRecord s : r.steps()) {
            out.println("  step " + s.id() + ": " + s.state() + s.fromRevision().map(f -> " (from " + f + ")").orElse("")
                    + s.gitCommit().map(c -> " commit " + c).orElse("") + s.gitRevert().map(c -> " revert " + c).orElse("")
                    + overrun(s));
            if (!s.workloads().isEmpty()) {
                out.println("    workloads: " + String.join(", ", s.workloads()) + s.restartedAt().map(at -> " (restartedAt " + at + ")").orElse(""));
            }
            workloadControl(s, "    ", false, out);
            s.failure().ifPresent(f -> out.println("    failure: " + f));
            s.breakGlass().ifPresent(b -> out.println("    break-glass: " + b));
            for (GateRecord g : s.gates()) {
                out.println("    gate " + g.gate() + " @ " + g.at() + ": " + g.outcome() + (g.value() == null ? "" : " value=" + g.value())
                        + (g.detail() == null || g.detail().isEmpty() ? "" : " (" + g.detail() + ")"));
                out.println("      " + g.query());
            }
            for (OmittedEvaluations o : s.omitted()) {
                out.println("    gate " + o.gate() + ": " + o.summary());
            }
        }
        out.flush();
    }

    public static void markdown(RunRecord r, PrintWriter out) {
        out.println("## revroll run `" + r.runId() + "`: " + r.state());
        out.println();
        out.println("Plan `" + r.planName() + "`, context `" + r.context() + "`, to `" + r.toLabel() + "`.");
        if (r.message() != null) {
            out.println();
            out.println("> " + r.message().replace("\n", "\n> "));
        }
        if (r.compaction().isPresent()) {
            out.println();
            out.println("> journal: " + r.compaction().get());
        }
        if (r.windowHold().isPresent()) {
            out.println();
            out.println("> " + windowHold(r.windowHold().get()));
        }
        out.println();
        out.println("| step | state | workloads | git | failure |");
        out.println("|---|---|---|---|---|");
        for (StepRecord s : r.steps()) {
            out.println("| " + s.id() + " | " + s.state() + overrun(s) + " | " + String.join(", ", s.workloads()) + " | "
                    + s.gitCommit().orElse("") + " | " + s.failure().map(f -> f.replace("|", "\\|")).orElse("") + " |");
        }
        java.io.StringWriter control = new java.io.StringWriter();
        try (PrintWriter w = new PrintWriter(control)) {
            for (StepRecord s : r.steps()) {
                workloadControl(s, "- `" + s.id() + "` ", true, w);
            }
        }
        if (!control.toString().isEmpty()) {
            out.println();
            out.print(control);
        }
        out.println();
        out.println("| step | gate | at | value | outcome | query |");
        out.println("|---|---|---|---|---|---|");
        for (StepRecord s : r.steps()) {
            for (GateRecord g : s.gates()) {
                out.println("| " + s.id() + " | " + g.gate() + " | " + g.at() + " | " + (g.value() == null ? "" : g.value()) + " | " + g.outcome()
                        + " | `" + g.query().replace("|", "\\|") + "` |");
            }
            for (OmittedEvaluations o : s.omitted()) {
                out.println("| " + s.id() + " | " + o.gate() + " | " + o.from() + " to " + o.to() + " |  | " + o.outcome() + " x" + o.count()
                        + " omitted | (journal size limit) |");
            }
        }
        out.flush();
    }

    /**
     * The step's restart order (when it has groups), its {@code revroll.dev/skip} workloads left behind, and what revroll
     * cannot restart make-before-break with what a person must do.
     */
    static void workloadControl(StepRecord s, String prefix, boolean oneLine, PrintWriter out) {
        if (!s.restartOrder().isEmpty()) {
            List<WorkloadControl.Group> groups = WorkloadControl.groups(s.workloads(), s.restartOrder());
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) {
                parts.add((i + 1) + ". order " + groups.get(i).order() + ": " + String.join(", ", groups.get(i).workloads()));
            }
            out.println(prefix + "restart order: " + String.join(" → ", parts));
        }
        if (!s.leftBehind().isEmpty()) {
            out.println(prefix + "left behind (" + WorkloadControl.SKIP + "): " + String.join(", ", s.leftBehind())
                    + ", not restarted" + s.fromRevision().map(f -> ", still on " + f).orElse(""));
        }
        for (RunRecord.Attention a : s.attention()) {
            if (oneLine) {
                out.println(prefix + "not make-before-break: " + a.subject() + ": " + a.why() + ". What a person must do: " + a.todo());
            } else {
                out.println(prefix + "not make-before-break: " + a.subject() + ": " + a.why());
                out.println(prefix + "  what a person must do: " + a.todo());
            }
        }
    }

    /** " (overran the maintenance window by 12s)" when the step ended after the window it started in had closed. */
    static String overrun(StepRecord s) {
        return s.windowOverrun().map(o -> " (" + o + ")").orElse("");
    }

    /** Where a run paused at the maintenance window stands. */
    static String windowHold(RunRecord.WindowHold h) {
        return "window: step " + h.step() + " held at " + h.at() + ", estimate " + h.estimate()
                + (h.leftSeconds() == null ? "" : ", " + DurationText.format(Duration.ofSeconds(h.leftSeconds())) + " left of the window")
                + (h.closesAt() == null ? "" : " (closes " + h.closesAt() + ")")
                + (h.nextOpening() == null ? "; no opening long enough in sight" : "; next opening it fits in: " + h.nextOpening());
    }

    /** The final JSON line of a run's event stream. */
    public static void jsonLine(RunRecord r, PrintWriter out) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "SUMMARY");
        m.put("run", r);
        out.println(Json.compact(m));
        out.flush();
    }

    public static void json(RunRecord r, PrintWriter out) {
        out.println(Json.pretty(r));
        out.flush();
    }
}
