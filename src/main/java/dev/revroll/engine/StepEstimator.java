package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.journal.RunRecord.StepState;
import dev.revroll.gates.MetricGateRunner;
import dev.revroll.plan.DurationText;
import dev.revroll.plan.Plan;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How long one namespace step takes (docs/maintenance-windows.md#the-estimate). Pure: plan numbers, the step's
 * replicas, and the steps this run has already measured.
 * <ul>
 * <li><b>gates</b>: the metric gates run side by side, each max(samples, ceil(bake / interval)) evaluations one
 * interval apart (docs/gates.md), so the longest of them; exact, never scaled.</li>
 * <li><b>rollout</b> (relabel, restart make-before-break one pod at a time, wait, proxy sync, Git, journal):
 * {@value #BASE_SECONDS}s plus {@value #PER_REPLICA_SECONDS}s per replica of the step's largest workload, never more
 * than {@code restart.timeout} + the proxy-sync timeout (past those the step fails).</li>
 * <li><b>measured</b>: once steps of this run are done, their rollout part (observed duration minus gates) over what
 * the plan estimated for them gives a factor that scales every later step's rollout part.</li>
 * </ul>
 */
public final class StepEstimator {

    public static final long BASE_SECONDS = 10;
    public static final long PER_REPLICA_SECONDS = 15;

    /** A finished step: the replicas it restarted and how long it took. */
    public record Measured(int replicas, Duration took) {
    }

    /** The estimate of one step and how it was made, for messages and the journal. */
    public record Estimate(Duration total, Duration gates, Duration rollout, int replicas, Optional<Double> factor, int measuredSteps) {

        public String explain() {
            String rolloutText = "rollout of " + replicas + " replica" + (replicas == 1 ? "" : "s") + " ~" + DurationText.format(rollout)
                    + factor.map(f -> " (" + Math.round(f * 100) + "% of the plan's estimate, as measured on " + measuredSteps
                    + " finished step" + (measuredSteps == 1 ? "" : "s") + " of this run)").orElse(" (the plan's estimate)");
            return DurationText.format(total) + ": " + (gates.isZero() ? "no metric gates" : "gates " + DurationText.format(gates)) + " + " + rolloutText;
        }
    }

    private final Plan plan;

    public StepEstimator(Plan plan) {
        this.plan = plan;
    }

    /**
     * The bake's time: the bake, or the longest metric gate's planned evaluations × its interval where that is longer
     * (the pods are watched through the bake with or without metric gates: docs/gates.md#the-bake-health-watch).
     */
    public Duration gates() {
        Duration longest = plan.spec().bake();
        for (Plan.MetricGateSpec g : plan.spec().gates().metrics()) {
            Duration d = g.interval().multipliedBy(MetricGateRunner.plannedEvaluations(g, plan.spec().bake()));
            if (d.compareTo(longest) > 0) {
                longest = d;
            }
        }
        return longest;
    }

    /** What the plan alone says the rollout part of a step with {@code replicas} takes. */
    public Duration plannedRollout(int replicas) {
        return cap(Duration.ofSeconds(BASE_SECONDS + PER_REPLICA_SECONDS * Math.max(1, replicas)));
    }

    private Duration cap(Duration rollout) {
        Duration max = plan.spec().restart().timeout()
                .plus(plan.spec().gates().proxySync().enabled() ? plan.spec().gates().proxySync().timeout() : Duration.ZERO);
        return rollout.compareTo(max) > 0 ? max : rollout;
    }

    /** The plan's estimate, nothing measured yet. */
    public Estimate estimate(int replicas) {
        return estimate(replicas, List.of());
    }

    public Estimate estimate(int replicas, List<Measured> measured) {
        int r = Math.max(1, replicas);
        Duration gates = gates();
        Duration planned = plannedRollout(r);
        if (measured.isEmpty()) {
            return new Estimate(gates.plus(planned), gates, planned, r, Optional.empty(), 0);
        }
        long observedMs = 0;
        long plannedMs = 0;
        for (Measured m : measured) {
            observedMs += Math.max(0, m.took().minus(gates).toMillis());
            plannedMs += plannedRollout(m.replicas()).toMillis();
        }
        double factor = plannedMs == 0 ? 1.0 : (double) observedMs / plannedMs;
        Duration rollout = cap(Duration.ofMillis(Math.round(planned.toMillis() * factor)));
        // whole seconds up: an estimate a person reads, and never shorter than what was measured
        rollout = Duration.ofSeconds((rollout.toMillis() + 999) / 1000);
        return new Estimate(gates.plus(rollout), gates, rollout, r, Optional.of(factor), measured.size());
    }

    /** The steps of this run that went forward to DONE in one go, with how long they took (from the journal). */
    public static List<Measured> measured(RunRecord record) {
        List<Measured> out = new ArrayList<>();
        for (StepRecord s : record.steps()) {
            if (s.state() != StepState.DONE || s.resumed() || s.startedAt().isEmpty() || s.finishedAt().isEmpty()) {
                continue;
            }
            try {
                Duration took = Duration.between(Instant.parse(s.startedAt().get()), Instant.parse(s.finishedAt().get()));
                if (!took.isNegative()) {
                    out.add(new Measured(s.replicas(), took));
                }
            } catch (DateTimeParseException e) {
                // a time revroll did not write: not a measurement
            }
        }
        return out;
    }
}
