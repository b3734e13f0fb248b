package dev.revroll.gates;

import java.time.Instant;
import java.util.OptionalDouble;

/** One evaluation of a gate, kept for the journal and the report: the resolved query, when, the value, the outcome. */
public record GateEvaluation(String gate, Instant at, String query, OptionalDouble value, GateOutcome outcome, String detail) {
}
