package dev.revroll.engine.step;

import dev.revroll.engine.BakeHealth;
import dev.revroll.engine.StepEstimator;
import dev.revroll.engine.StepFailure;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.gates.GateResult;
import dev.revroll.plan.Plan;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * The bake (docs/gates.md#the-bake-health-watch): the metric gates through the bake time, all at once, and beside
 * them the watch on the moved pods ({@link BakeHealth}) every poll interval until the bake is over and every gate has
 * its verdict; the step fails when the watch finds the pods unhealthy or any gate does not PASS. Preview evaluates
 * each gate once, now, with the same placeholders.
 */
public record Bake() implements Action {

    public static final String HEALTH = "bake-health";

    @Override
    public String id() {
        return "metric-gates";
    }

    @Override
    public String does() {
        return "the bake: the metric gates and the moved pods' health (bake-health) through the bake time";
    }

    @Override
    public void apply(StepScope step) {
        List<Plan.MetricGateSpec> specs = step.plan().spec().gates().metrics();
        Duration bake = step.plan().spec().bake();
        if (specs.isEmpty() && bake.isZero()) {
            return;
        }
        Map<String, String> vars = placeholders(step);
        String revision = step.run().target().revision();
        BakeHealth health = BakeHealth.start(step.cluster(), step.plan().spec().gates().proxySync().enabled(), step.run().controlPlaneNamespace(),
                step.record().namespace(), revision, step.inScope());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, specs.size()));
        List<String> failed = new ArrayList<>();
        try {
            List<CompletableFuture<GateResult>> running = specs.stream().map(spec -> CompletableFuture.supplyAsync(
                    () -> step.run().gates().run(spec, vars, bake, step::evaluated), pool)).toList();
            BakeHealth.Report watched = watch(step, health, bake, running);
            GateOutcome outcome = watched.healthy() ? GateOutcome.PASS : GateOutcome.FAIL;
            String summary = HEALTH + ": " + outcome + " — " + watched.summary();
            step.evaluated(new GateEvaluation(HEALTH, step.run().clock().instant(), "pods of the step" + (health.proxies() ? ", /debug/syncz of istiod " + revision : ""),
                    OptionalDouble.of(watched.pods()), outcome, watched.summary()));
            step.verdict(HEALTH, outcome, summary, OptionalDouble.empty(), Optional.empty());
            if (!watched.healthy()) {
                throw new StepFailure(HEALTH + " during the bake: " + watched.summary());
            }
            for (int i = 0; i < running.size(); i++) {
                GateResult r = running.get(i).join();
                step.verdict(r.gate(), r.outcome(), r.summary(), lastValue(r), Optional.of(specs.get(i).failWhen()));
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

    /**
     * Looks at the pods now and every poll interval until they are unhealthy, a gate has failed, or the bake is over
     * and every gate has its verdict (bounded by the bake or the longest gate's planned time, and one interval more).
     */
    private static BakeHealth.Report watch(StepScope step, BakeHealth health, Duration bake, List<CompletableFuture<GateResult>> gates) {
        Clock clock = step.run().clock();
        Instant end = clock.instant().plus(bake);
        Duration gatesPlanned = new StepEstimator(step.plan()).gates();
        Duration bound = (gatesPlanned.compareTo(bake) > 0 ? gatesPlanned : bake).plus(step.run().polling().interval());
        return step.run().polling().untilChanged(HEALTH + "-" + step.record().namespace(), bound, health::check,
                r -> !r.healthy() || gates.stream().anyMatch(Bake::failedEarly)
                        || (!clock.instant().isBefore(end) && gates.stream().allMatch(CompletableFuture::isDone)),
                max -> Thread.sleep(max.toMillis()));
    }

    private static boolean failedEarly(CompletableFuture<GateResult> gate) {
        return gate.isDone() && (gate.isCompletedExceptionally() || gate.join().outcome() != GateOutcome.PASS);
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
    public static Map<String, String> placeholders(StepScope step) {
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
