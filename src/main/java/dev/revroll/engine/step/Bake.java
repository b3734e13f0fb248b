package dev.revroll.engine.step;

import dev.revroll.engine.StepFailure;
import dev.revroll.engine.journal.RunRecord.GateVerdict;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.GateResult;
import dev.revroll.plan.Plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The metric gates through the bake time (docs/gates.md), all at once; the step fails when any does not PASS.
 * Preview evaluates each gate once, now, with the same placeholders.
 */
public record Bake() implements Action {

    @Override
    public String id() {
        return "metric-gates";
    }

    @Override
    public String does() {
        return "evaluate the metric gates through the bake time";
    }

    @Override
    public void apply(StepScope step) {
        List<Plan.MetricGateSpec> specs = step.plan().spec().gates().metrics();
        if (specs.isEmpty()) {
            return;
        }
        Map<String, String> vars = placeholders(step);
        Duration bake = step.plan().spec().bake();
        ExecutorService pool = Executors.newFixedThreadPool(specs.size());
        List<String> failed = new ArrayList<>();
        try {
            List<CompletableFuture<GateResult>> running = specs.stream().map(spec -> CompletableFuture.supplyAsync(
                    () -> step.run().gates().run(spec, vars, bake, step::evaluated), pool)).toList();
            for (int i = 0; i < running.size(); i++) {
                GateResult r = running.get(i).join();
                step.gateResult(r.gate(), r.outcome(), r.summary(), lastValue(r), Optional.of(specs.get(i).failWhen()));
                String at = step.now();
                step.update(s -> s.addVerdict(new GateVerdict(r.gate(), r.outcome(), r.summary(), at)));
                if (r.outcome() != GateOutcome.PASS) {
                    failed.add(r.summary());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (!failed.isEmpty()) {
            throw new StepFailure(String.join("; ", failed));
        }
    }

    private static OptionalDouble lastValue(GateResult r) {
        for (int i = r.evaluations().size() - 1; i >= 0; i--) {
            if (r.evaluations().get(i).value().isPresent()) {
                return r.evaluations().get(i).value();
            }
        }
        return OptionalDouble.empty();
    }

    @Override
    public void preview(StepScope step) {
        Map<String, String> vars = placeholders(step);
        step.plan().spec().gates().metrics().forEach(g -> step.evaluated(step.run().gates().evaluateOnce(g, vars)));
    }

    /**
     * {@code {{namespace}}}, {@code {{revision}}}, {@code {{fromRevision}}}, {@code {{workload}}}, {@code {{wave}}},
     * {@code {{plan}}} ({@code {{interval}}} is each gate's own, filled in by the gate runner). Every placeholder the
     * plan loader accepts ({@code QueryTemplate.KNOWN_PLACEHOLDERS}) has a value here, in a run and in preview alike.
     */
    static Map<String, String> placeholders(StepScope step) {
        StepRecord s = step.record();
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("namespace", s.namespace());
        vars.put("revision", step.run().target().revision());
        vars.put("fromRevision", s.fromRevision().orElse(step.plan().spec().revision().from().orElse("")));
        vars.put("workload", workloadPattern(s.workloads()));
        vars.put("wave", s.wave());
        vars.put("plan", step.plan().name());
        return vars;
    }

    /**
     * {@code {{workload}}}: the names of the workloads the step restarts, as one regular expression for a PromQL
     * {@code =~} matcher ({@code web|web-db}; Istio's {@code destination_workload} is the workload's name). Dots are
     * written {@code [.]} so the pattern needs no backslash inside a PromQL string. A step with no workloads gives a
     * pattern that matches no name ({@code none^}: nothing precedes the start of a text), so a gate on it sees no data rather than every workload of the namespace.
     */
    static String workloadPattern(List<String> workloadKeys) {
        List<String> names = workloadKeys.stream().map(k -> k.substring(k.indexOf('/') + 1)).distinct().sorted()
                .map(n -> n.replace(".", "[.]")).toList();
        return names.isEmpty() ? "none^" : String.join("|", names);
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
