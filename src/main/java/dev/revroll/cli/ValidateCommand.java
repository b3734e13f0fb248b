package dev.revroll.cli;

import dev.revroll.plan.DurationText;
import dev.revroll.plan.Plan;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code revroll validate PLAN}: checks a plan without a cluster. Valid: one summary line, exit 0. Invalid: every problem, exit 2. */
@Prototype
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a plan without touching a cluster: fields, types, durations, selectors, PromQL templates, protected namespaces.")
public class ValidateCommand extends RevrollCommand {

    public ValidateCommand() {
        super(ExitCode.DONE, ExitCode.INVALID, ExitCode.INTERNAL_ERROR);
    }

    @Mixin
    PlanArgument plan;

    /** Valid: one summary line (or document). Invalid: the {@link dev.revroll.errors.PlanException} lists every problem. */
    @Override
    CommandResult execute() {
        PrintWriter out = out();
        Plan valid = plan.load();
        switch (global.output()) {
            case JSON -> out.println(toJson(validDocument(valid)));
            case MARKDOWN -> out.print(markdown(valid));
            case TEXT -> out.println(plan.file() + ": " + summary(valid));
        }
        out.flush();
        return CommandResult.DONE;
    }

    /** One line: name, target, waves, listed namespaces, selectors, gates. */
    static String summary(Plan plan) {
        Plan.Spec s = plan.spec();
        long listed = s.waves().stream().mapToLong(w -> w.namespaces().size()).sum();
        long selectors = s.waves().stream().filter(w -> w.selector().isPresent()).count();
        return "valid plan " + plan.name()
                + ": revision " + s.revision().to() + s.revision().from().map(f -> " (from " + f + ")").orElse("")
                + ", " + count(s.waves().size(), "wave")
                + ", " + count(listed, "listed namespace")
                + ", " + count(selectors, "selector")
                + ", gates: " + String.join(", ", gateNames(plan));
    }

    private static List<String> gateNames(Plan plan) {
        List<String> gates = new ArrayList<>();
        if (plan.spec().gates().proxySync().enabled()) {
            gates.add("proxySync");
        }
        plan.spec().gates().metrics().forEach(g -> gates.add(g.name()));
        if (gates.isEmpty()) {
            gates.add("none" + plan.spec().gates().none().map(r -> " (spec.gates.none: " + r + ")").orElse(""));
        }
        return gates;
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private Map<String, Object> validDocument(Plan valid) {
        Plan.Spec s = valid.spec();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("valid", true);
        doc.put("file", plan.file().toString());
        doc.put("name", valid.name());
        Map<String, Object> revision = new LinkedHashMap<>();
        revision.put("to", s.revision().to());
        s.revision().from().ifPresent(f -> revision.put("from", f));
        doc.put("revision", revision);
        List<Map<String, Object>> waves = new ArrayList<>();
        for (Plan.Wave w : s.waves()) {
            Map<String, Object> wave = new LinkedHashMap<>();
            wave.put("name", w.name());
            wave.put("namespaces", w.namespaces());
            w.selector().ifPresent(sel -> wave.put("selector", sel));
            wave.put("exclude", w.exclude());
            wave.put("parallel", w.parallel());
            waves.add(wave);
        }
        doc.put("waves", waves);
        doc.put("gates", gateNames(valid).stream().filter(g -> !g.equals("none")).toList());
        doc.put("bake", DurationText.format(s.bake()));
        doc.put("onFailure", s.onFailure().yaml());
        return doc;
    }

    private static String markdown(Plan plan) {
        StringBuilder sb = new StringBuilder();
        Plan.Spec s = plan.spec();
        sb.append("### Plan `").append(plan.name()).append("` is valid\n\n");
        sb.append("Target revision `").append(s.revision().to()).append('`')
                .append(s.revision().from().map(f -> " (from `" + f + "`)").orElse("")).append(".\n\n");
        sb.append("| wave | namespaces | selector | exclude | parallel |\n|---|---|---|---|---|\n");
        for (Plan.Wave w : s.waves()) {
            sb.append("| ").append(w.name()).append(" | ").append(String.join(", ", w.namespaces()))
                    .append(" | ").append(w.selector().map(x -> "`" + x + "`").orElse(""))
                    .append(" | ").append(String.join(", ", w.exclude()))
                    .append(" | ").append(w.parallel()).append(" |\n");
        }
        sb.append("\nGates: ").append(String.join(", ", gateNames(plan))).append("; bake ")
                .append(DurationText.format(s.bake())).append("; on failure ").append(s.onFailure().yaml()).append(".\n");
        return sb.toString();
    }
}
