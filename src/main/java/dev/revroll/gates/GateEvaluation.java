package dev.revroll.gates;

import dev.revroll.plan.Condition;

import java.time.Instant;
import java.util.OptionalDouble;

/**
 * One evaluation of a gate, kept for the journal and the report: the resolved query, when, the value, the outcome,
 * and what the value was compared with: the gate's {@code failWhen} ({@code comparison} and {@code threshold}; both
 * {@code null} for a gate without one, such as proxy-sync) and which evaluation of the gate's run it was
 * ({@code sample}, from 1; 0 for a single evaluation outside a run, as preview makes).
 */
public record GateEvaluation(String gate, Instant at, String query, OptionalDouble value, GateOutcome outcome, String detail,
                             String comparison, Double threshold, int sample) {

    /** An evaluation compared with no threshold. */
    public GateEvaluation(String gate, Instant at, String query, OptionalDouble value, GateOutcome outcome, String detail) {
        this(gate, at, query, value, outcome, detail, null, null, 0);
    }

    /** An evaluation against {@code failWhen}. */
    public GateEvaluation(String gate, Instant at, String query, OptionalDouble value, GateOutcome outcome, String detail, Condition failWhen) {
        this(gate, at, query, value, outcome, detail, failWhen.op().symbol(), failWhen.threshold(), 0);
    }

    /** The same evaluation as the {@code n}-th of its gate's run. */
    public GateEvaluation numbered(int n) {
        return new GateEvaluation(gate, at, query, value, outcome, detail, comparison, threshold, n);
    }
}
