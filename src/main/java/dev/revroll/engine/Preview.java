package dev.revroll.engine;

import dev.revroll.gates.GateEvaluation;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code revroll preview} shows: the survey (targets, skips, workloads, refusals, warnings), every write checked
 * with server-side dry run (admission errors), each gate's resolved PromQL per namespace with its current value,
 * the Git diff per step, and an estimated duration.
 */
public record Preview(
        Survey survey,
        Map<String, List<String>> admissionErrors,
        Map<String, List<GateEvaluation>> gates,
        Map<String, String> gitDiffs,
        Duration estimate,
        Duration upperBound) {
}
