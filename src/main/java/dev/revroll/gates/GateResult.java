package dev.revroll.gates;

import java.util.List;

/** A gate's verdict for a step, with every evaluation that led to it. */
public record GateResult(String gate, GateOutcome outcome, List<GateEvaluation> evaluations, String summary) {
}
