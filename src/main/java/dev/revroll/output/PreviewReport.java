package dev.revroll.output;

import dev.revroll.engine.KubernetesEvents;
import dev.revroll.engine.Preview;
import dev.revroll.engine.RolloutLayout;
import dev.revroll.engine.Survey;
import dev.revroll.engine.WindowPlan;
import dev.revroll.engine.WorkloadControl;
import dev.revroll.engine.WorkloadPlan;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.step.StepPreview;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.json.Json;
import dev.revroll.ports.InjectionLabels;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code revroll preview}: what a run would do, as text, JSON or Markdown. */
public final class PreviewReport {

    private PreviewReport() {
    }

    /** What preview says about the Kubernetes Events a run would write (docs/kubernetes-events.md); it writes none. */
    static final String KUBERNETES_EVENTS = "run writes Kubernetes Events (events.k8s.io/v1, reportingController "
            + "revroll.dev/revroll) on each namespace it moves: a step's start, each gate's result, the step's result, any rollback";
    static final List<String> EVENT_REASONS = java.util.Arrays.stream(KubernetesEvents.Reason.values()).map(Enum::name).toList();

    public static Map<String, Object> document(Preview p) {
        Survey s = p.survey();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("context", s.context());
        s.target().ifPresent(t -> {
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("label", t.label());
            target.put("revision", t.revision());
            target.put("tag", t.tag().orElse(null));
            target.put("webhook", t.webhook());
            m.put("target", target);
        });
        m.put("refusals", s.refusals());
        m.put("warnings", s.warnings());
        m.put("warningGroups", WarningGroups.of(s.warnings()).stream().map(g -> {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("message", g.message());
            gm.put("count", g.count());
            gm.put("subjects", g.subjects());
            return gm;
        }).toList());
        List<Object> waves = new ArrayList<>();
        s.layout().ifPresent(l -> {
            for (RolloutLayout.WaveLayout w : l.waves()) {
                Map<String, Object> wave = new LinkedHashMap<>();
                wave.put("name", w.name());
                wave.put("parallel", w.parallel());
                List<Object> steps = new ArrayList<>();
                for (RolloutLayout.NamespaceTarget t : w.targets()) {
                    Map<String, Object> step = new LinkedHashMap<>();
                    step.put("namespace", t.name());
                    step.put("labels", InjectionLabels.recorded(t.namespace().labels()));
                    step.put("revision", t.currentRevision().orElse(null));
                    List<Object> workloads = new ArrayList<>();
                    for (WorkloadPlan wp : s.workloadsOf(t.name())) {
                        Map<String, Object> wl = new LinkedHashMap<>();
                        wl.put("workload", wp.key());
                        wl.put("replicas", wp.workload().replicas());
                        wl.put("strategy", wp.surgeDescription());
                        wl.put("moves", wp.moves());
                        wl.put("reason", wp.reason());
                        wl.put("notes", wp.notes());
                        workloads.add(wl);
                    }
                    step.put("workloads", workloads);
                    step.put("restartOrder", groups(s, t.name()).stream().map(g -> {
                        Map<String, Object> gm = new LinkedHashMap<>();
                        gm.put("order", g.order());
                        gm.put("workloads", g.workloads());
                        return gm;
                    }).toList());
                    step.put("maxConcurrentRestarts", p.maxConcurrentRestarts().isPresent() ? p.maxConcurrentRestarts().getAsInt() : null);
                    step.put("leftBehind", s.leftBehindIn(t.name()));
                    step.put("notMakeBeforeBreak", s.attentionIn(t.name()).stream().map(a -> {
                        Map<String, Object> am = new LinkedHashMap<>();
                        am.put("subject", a.subject());
                        am.put("why", a.why());
                        am.put("whatAPersonMustDo", a.todo());
                        return am;
                    }).toList());
                    StepPreview sp = p.step(t.name());
                    List<Object> writes = new ArrayList<>();
                    for (StepPreview.PlannedWrite pw : sp.writes()) {
                        Map<String, Object> wm = new LinkedHashMap<>();
                        wm.put("action", pw.action());
                        wm.put("reason", pw.write().reason());
                        wm.put("write", pw.write().describe());
                        wm.put("admission", pw.refused() ? pw.refusal() : "ok");
                        writes.add(wm);
                    }
                    step.put("writes", writes);
                    step.put("admissionErrors", sp.admissionErrors());
                    List<Object> gates = new ArrayList<>();
                    for (GateEvaluation g : sp.gates()) {
                        Map<String, Object> gm = new LinkedHashMap<>();
                        gm.put("gate", g.gate());
                        gm.put("query", g.query());
                        gm.put("value", g.value().isPresent() ? g.value().getAsDouble() : null);
                        gm.put("outcomeNow", g.outcome().name());
                        gates.add(gm);
                    }
                    step.put("gates", gates);
                    step.put("gitDiff", sp.gitDiff());
                    steps.add(step);
                }
                wave.put("steps", steps);
                wave.put("skipped", w.skipped().stream().map(k -> Map.of("namespace", k.namespace(), "reason", k.reason())).toList());
                waves.add(wave);
            }
        });
        m.put("waves", waves);
        m.put("estimatedSeconds", p.estimate().toSeconds());
        m.put("upperBoundSeconds", p.upperBound().toSeconds());
        Map<String, Object> events = new LinkedHashMap<>();
        events.put("written", false);
        events.put("runWrites", KUBERNETES_EVENTS);
        events.put("reasons", EVENT_REASONS);
        m.put("kubernetesEvents", events);
        p.window().ifPresent(w -> {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("window", w);
            List<Object> openings = new ArrayList<>();
            for (WindowPlan.Slot slot : p.windows().slots()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("opens", slot.opening().start().toString());
                o.put("closes", slot.opening().end().map(Object::toString).orElse(null));
                o.put("steps", slot.steps().stream().map(st -> {
                    Map<String, Object> sm = new LinkedHashMap<>();
                    sm.put("step", st.id());
                    sm.put("startsAt", st.startsAt().toString());
                    sm.put("estimatedSeconds", st.estimate().toSeconds());
                    return sm;
                }).toList());
                openings.add(o);
            }
            window.put("openings", openings);
            window.put("fitsInNoOpening", p.windows().unplaced().stream().map(WindowPlan.Step::id).toList());
            m.put("window", window);
        });
        p.backtest().ifPresent(b -> m.put("backtest", BacktestReport.document(b)));
        return m;
    }

    public static void json(Preview p, PrintWriter out) {
        out.println(Json.pretty(document(p)));
        out.flush();
    }

    public static void text(Preview p, PrintWriter out) {
        Survey s = p.survey();
        out.println("preview on context " + s.context() + s.target().map(t -> ", to " + t.describe() + " (webhook " + t.webhook() + ")").orElse(""));
        List<String> shown = s.warnings().stream().filter(w -> !w.startsWith("skipped ")).toList();
        int namespaces = s.layout().map(l -> l.allTargets().size()).orElse(0);
        out.println("summary: " + namespaces + " namespace(s) to move"
                + (shown.isEmpty() ? ", no warnings" : ", " + WarningGroups.summary(shown) + " (listed at the end)")
                + (s.refusals().isEmpty() ? "" : ", " + s.refusals().size() + " refusal(s)"));
        s.layout().ifPresent(l -> {
            for (RolloutLayout.WaveLayout w : l.waves()) {
                out.println("wave " + w.name() + " (parallel " + w.parallel() + ")");
                for (RolloutLayout.NamespaceTarget t : w.targets()) {
                    out.println("  namespace " + t.name() + "  labels " + labelsText(t.namespace().labels())
                            + "  revision " + t.currentRevision().orElse("?"));
                    for (WorkloadPlan wp : s.workloadsOf(t.name())) {
                        out.println("    " + (wp.moves() ? "restart " : "stays   ") + wp.key() + "  replicas " + wp.workload().replicas()
                                + "  " + wp.surgeDescription() + (wp.moves() ? "" : "  — " + wp.reason()));
                        wp.notes().forEach(n -> out.println("      note: " + n));
                    }
                    out.println("    restart order: " + orderText(groups(s, t.name()), p.maxConcurrentRestarts()));
                    List<String> behind = s.leftBehindIn(t.name());
                    if (!behind.isEmpty()) {
                        out.println("    left behind (" + WorkloadControl.SKIP + "): " + String.join(", ", behind)
                                + " stay on revision " + t.currentRevision().orElse("?") + "; proxy-sync does not expect them to move");
                    }
                    for (RunRecord.Attention a : s.attentionIn(t.name())) {
                        out.println("    not make-before-break: " + a.subject() + ": " + a.why());
                        out.println("      what a person must do: " + a.todo());
                    }
                    StepPreview sp = p.step(t.name());
                    for (StepPreview.PlannedWrite pw : sp.writes()) {
                        out.println("    write (" + pw.action() + "): " + pw.write().describe() + (pw.refused() ? "  — REFUSED by admission" : ""));
                    }
                    for (String e : sp.admissionErrors()) {
                        out.println("    ADMISSION (dry run): " + e);
                    }
                    for (GateEvaluation g : sp.gates()) {
                        out.println("    gate " + g.gate() + ": " + g.query());
                        out.println("      now: " + (g.value().isPresent() ? g.value().getAsDouble() : "no value") + " → " + g.outcome());
                    }
                    String diff = sp.gitDiff();
                    if (!diff.isBlank()) {
                        out.println("    git:");
                        diff.lines().forEach(line -> out.println("      " + line));
                    }
                }
                w.skipped().forEach(k -> out.println("  skip " + k.namespace() + ": " + k.reason()));
            }
        });
        WarningGroups.of(shown).forEach(g -> out.println("warning: " + g.line()));
        s.refusals().forEach(r -> out.println("REFUSED: " + r));
        out.println("estimated duration: ~" + EventStream.format(p.estimate()) + " (at most " + EventStream.format(p.upperBound()) + ")");
        out.println("events: " + KUBERNETES_EVENTS + " (reasons " + String.join(", ", EVENT_REASONS) + "); preview writes none");
        p.window().ifPresent(w -> {
            out.println("maintenance window " + w + ": the openings this run needs at that estimate (freezes skipped):");
            for (WindowPlan.Slot slot : p.windows().slots()) {
                out.println("  " + openingText(slot.opening()) + ": " + String.join(", ", slot.steps().stream()
                        .map(st -> st.id() + " ~" + dev.revroll.plan.DurationText.format(st.estimate())).toList()));
            }
            if (!p.windows().unplaced().isEmpty()) {
                out.println("  fits in no opening: " + String.join(", ", p.windows().unplaced().stream()
                        .map(st -> st.id() + " ~" + dev.revroll.plan.DurationText.format(st.estimate())).toList()) + " (a step is started only when its estimate fits)");
            }
        });
        p.backtest().ifPresent(b -> BacktestReport.text(b, out));
        out.println(s.refusals().isEmpty() ? "preflight: ok (nothing was written)" : "preflight: a run would be refused (nothing was written)");
        out.flush();
    }

    public static void markdown(Preview p, PrintWriter out) {
        Survey s = p.survey();
        out.println("## revroll preview" + s.target().map(t -> ": to " + t.describe()).orElse(""));
        out.println();
        out.println("| wave | namespace | labels | revision | restarts | stays | admission |");
        out.println("|---|---|---|---|---|---|---|");
        s.layout().ifPresent(l -> l.waves().forEach(w -> w.targets().forEach(t -> out.println("| " + w.name() + " | " + t.name() + " | `"
                + labelsText(t.namespace().labels()) + "` | " + t.currentRevision().orElse("?") + " | "
                + String.join(", ", s.workloadsOf(t.name()).stream().filter(WorkloadPlan::moves)
                        .map(wp -> wp.key() + " ×" + wp.workload().replicas() + " (" + wp.surgeDescription() + ")").toList()) + " | "
                + String.join(", ", s.workloadsOf(t.name()).stream().filter(wp -> !wp.moves()).map(wp -> wp.key() + ": " + wp.reason()).toList())
                + " | " + String.join("; ", p.admissionErrors(t.name())) + " |"))));
        out.println();
        s.layout().ifPresent(l -> l.allTargets().forEach(t -> {
            out.println("- `" + t.name() + "` restart order: " + orderText(groups(s, t.name()), p.maxConcurrentRestarts()));
            List<String> behind = s.leftBehindIn(t.name());
            if (!behind.isEmpty()) {
                out.println("- `" + t.name() + "` left behind (`" + WorkloadControl.SKIP + "`): " + String.join(", ", behind));
            }
            s.attentionIn(t.name()).forEach(a -> out.println("- `" + t.name() + "` not make-before-break: " + a.subject() + ": " + a.why()
                    + ". What a person must do: " + a.todo()));
        }));
        p.steps().forEach((ns, sp) -> sp.gates().forEach(g -> out.println("- `" + ns + "` gate **" + g.gate() + "**: `" + g.query() + "`")));
        if (!s.warnings().isEmpty()) {
            out.println();
            out.println("**" + WarningGroups.summary(s.warnings()) + "**");
            out.println();
            WarningGroups.of(s.warnings()).forEach(g -> out.println("- ⚠ " + g.line()));
        }
        if (!s.refusals().isEmpty()) {
            out.println();
            s.refusals().forEach(r -> out.println("- ⛔ " + r));
        }
        out.println();
        out.println("Estimated duration: ~" + EventStream.format(p.estimate()) + " (at most " + EventStream.format(p.upperBound()) + ").");
        out.println();
        out.println("Kubernetes Events: " + KUBERNETES_EVENTS + "; preview writes none.");
        p.window().ifPresent(w -> {
            out.println();
            out.println("Maintenance window " + w + ", openings needed at that estimate (freezes skipped):");
            out.println();
            out.println("| opens | closes | steps |");
            out.println("|---|---|---|");
            for (WindowPlan.Slot slot : p.windows().slots()) {
                out.println("| " + slot.opening().start() + " | " + slot.opening().end().map(Object::toString).orElse("—") + " | "
                        + String.join(", ", slot.steps().stream().map(st -> "`" + st.id() + "` ~" + dev.revroll.plan.DurationText.format(st.estimate())).toList()) + " |");
            }
            if (!p.windows().unplaced().isEmpty()) {
                out.println("| — | — | fits in no opening: " + String.join(", ", p.windows().unplaced().stream().map(st -> "`" + st.id() + "`").toList()) + " |");
            }
        });
        p.backtest().ifPresent(b -> BacktestReport.markdown(b, out));
        out.flush();
    }

    /** The namespace's moving workloads in restart groups, as the run restarts them. */
    static List<WorkloadControl.Group> groups(Survey s, String namespace) {
        return WorkloadControl.groups(s.workloadsOf(namespace).stream().filter(WorkloadPlan::moves).map(WorkloadPlan::key).toList(),
                s.ordersIn(namespace));
    }

    /**
     * "1. order 0: Deployment/api, Deployment/web → 2. order 10: StatefulSet/db (each group rolled out before the next);
     * at most 2 mid-rollout at once".
     */
    static String orderText(List<WorkloadControl.Group> groups, java.util.OptionalInt cap) {
        if (groups.isEmpty()) {
            return "nothing to restart";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            WorkloadControl.Group g = groups.get(i);
            parts.add((i + 1) + ". order " + g.order() + ": " + String.join(", ", g.workloads()));
        }
        return String.join(" → ", parts) + (groups.size() > 1 ? " (each group rolled out before the next)" : "")
                + (cap.isPresent() ? "; at most " + cap.getAsInt() + " mid-rollout at once" : "; a group's workloads all at once");
    }

    /** "2026-12-02T21:00:00Z → 2026-12-03T01:00:00Z (4h)". */
    static String openingText(dev.revroll.engine.RunWindow.Opening o) {
        return o.start() + " → " + o.end().map(e -> e + " (" + dev.revroll.plan.DurationText.format(java.time.Duration.between(o.start(), e)) + ")").orElse("(does not close)");
    }

    /** The namespace's injection labels for people: present ones as key=value, absent ones named as absent. */
    static String labelsText(Map<String, String> labels) {
        List<String> parts = new ArrayList<>();
        InjectionLabels.recorded(labels).forEach((k, v) -> parts.add(v == null ? "no " + k : k + "=" + v));
        return "{" + String.join(", ", parts) + "}";
    }
}
