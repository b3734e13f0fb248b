package dev.revroll.engine;

import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateResult;
import dev.revroll.plan.Plan;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** The metric gates as the engine sees them (the gates module's {@code MetricGateRunner} behind it). */
public interface MetricGates {

    GateResult run(Plan.MetricGateSpec spec, Map<String, String> vars, Duration bake, Consumer<GateEvaluation> listener);

    GateEvaluation evaluateOnce(Plan.MetricGateSpec spec, Map<String, String> vars);
}
