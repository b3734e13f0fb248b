package dev.revroll.ports;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A metrics backend (Prometheus). Gate semantics live outside; this only answers instant queries. */
public interface MetricsProvider {

    record Sample(Map<String, String> labels, double value) {
    }

    /** {@code error} present: the query failed (INCONCLUSIVE); otherwise {@code samples} may be empty (NO_DATA). */
    record QueryResult(List<Sample> samples, Optional<String> error) {
        public static QueryResult failed(String error) {
            return new QueryResult(List.of(), Optional.of(error));
        }
    }

    QueryResult query(String promql, Instant at);

    /** True when the backend answers at all (preflight). */
    boolean reachable();

    /** Why a trivial query fails (preflight): empty when the backend answers and accepts revroll's credentials. */
    default Optional<String> whyUnreachable() {
        return reachable() ? Optional.empty() : Optional.of("it does not answer");
    }

    /** Where it is, for messages (credentials redacted). */
    String describe();
}
