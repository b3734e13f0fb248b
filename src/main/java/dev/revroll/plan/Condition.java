package dev.revroll.plan;

/** A gate's failure condition, such as {@code > 0.01}: the sample fails when {@code value op threshold} holds. */
public record Condition(Operator op, double threshold) {

    public enum Operator {
        GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public boolean holdsFor(double value) {
        return switch (op) {
            case GT -> value > threshold;
            case GE -> value >= threshold;
            case LT -> value < threshold;
            case LE -> value <= threshold;
            case EQ -> value == threshold;
            case NE -> value != threshold;
        };
    }

    @Override
    public String toString() {
        return op.symbol() + " " + threshold;
    }
}
