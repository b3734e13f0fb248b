package dev.revroll.errors;

/**
 * Prometheus could not be queried where revroll needs its answer before it can do anything (a backtest's history):
 * nothing was changed; try again, check the URL and credentials (exit 7, docs/exit-codes.md).
 */
public class MetricsUnavailableException extends RevrollException {

    public MetricsUnavailableException(String message) {
        super(message);
    }
}
