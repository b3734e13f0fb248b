package dev.revroll.plan;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated rollout plan (its format: {@code plans/rolloutplan.schema.json}). Built only by {@link PlanLoader};
 * every default is applied there, so the engine never sees a null where the plan allows an omission (optional parts
 * are {@link Optional} or empty).
 */
public record Plan(Path source, String apiVersion, String kind, Metadata metadata, Spec spec) {

    public String name() {
        return metadata.name();
    }

    public record Metadata(String name) {
    }

    public record Spec(
            Cluster cluster,
            ControlPlane controlPlane,
            Revision revision,
            List<Wave> waves,
            Restart restart,
            Gates gates,
            Duration bake,
            OnFailure onFailure,
            Optional<PrometheusConfig> prometheus,
            Optional<GitConfig> git,
            Optional<Window> window) {
    }

    /** {@code context} empty: use the current kube context (and print it). */
    public record Cluster(Optional<String> context) {
    }

    public record ControlPlane(String namespace) {
    }

    /** {@code to} is a revision name or a tag name; {@code from} empty: any revision may be moved. */
    public record Revision(Optional<String> from, String to) {
    }

    /** A wave lists namespaces and/or selects them by label; {@code parallel} is at least 1. */
    public record Wave(String name, List<String> namespaces, Optional<String> selector, List<String> exclude, int parallel) {
    }

    /**
     * {@code maxConcurrentRestarts} empty: every workload of an order group at once (docs/kubernetes-rollouts.md#restart-order-and-the-cap);
     * {@code requireMakeBeforeBreak}: refuse while a target namespace has a workload revroll cannot restart make-before-break.
     */
    public record Restart(List<WorkloadKind> kinds, SurgePolicy surge, Duration timeout, java.util.OptionalInt maxConcurrentRestarts,
                          boolean requireMakeBeforeBreak) {
        public Restart(List<WorkloadKind> kinds, SurgePolicy surge, Duration timeout) {
            this(kinds, surge, timeout, java.util.OptionalInt.empty(), false);
        }
    }

    /**
     * The gates; {@code none} is the plan's stated reason for having no gate at all ({@code spec.gates.none}), the
     * explicit opt-in without which a plan with every gate switched off does not validate.
     */
    public record Gates(ProxySyncGateSpec proxySync, List<MetricGateSpec> metrics, java.util.Optional<String> none) {
        public Gates(ProxySyncGateSpec proxySync, List<MetricGateSpec> metrics) {
            this(proxySync, metrics, java.util.Optional.empty());
        }

        /** No gate at all: the proxy-sync gate is off and there are no metric gates. */
        public boolean allOff() {
            return !proxySync.enabled() && metrics.isEmpty();
        }
    }

    public record ProxySyncGateSpec(boolean enabled, Duration timeout) {
    }

    /**
     * A PromQL gate. {@code query} is a template with {@code {{namespace}}}, {@code {{revision}}}, {@code {{fromRevision}}},
     * {@code {{workload}}}, {@code {{wave}}}, {@code {{plan}}} placeholders. Evaluated every {@code interval}, {@code samples}
     * times (or through the bake time); fails the step when more than {@code failureLimit} samples fail.
     * {@code minRequests}: a sample backed by fewer requests (per {@code volumeQuery}, or by default the namespace's request count over the interval) is NO_DATA.
     */
    public record MetricGateSpec(
            String name,
            String query,
            Condition failWhen,
            Duration interval,
            int samples,
            int failureLimit,
            OnNoData onNoData,
            Optional<Double> minRequests,
            Optional<String> volumeQuery,
            Optional<Baseline> baseline,
            SeriesRule series) {

        public MetricGateSpec(String name, String query, Condition failWhen, Duration interval, int samples, int failureLimit,
                              OnNoData onNoData, Optional<Double> minRequests, Optional<String> volumeQuery, Optional<Baseline> baseline) {
            this(name, query, failWhen, interval, samples, failureLimit, onNoData, minRequests, volumeQuery, baseline, SeriesRule.ONE);
        }
    }

    /** The same measure for a reference ({@code query}: a template, e.g. the old revision or {@code offset 1h}); fail when value / baseline > maxRatio. */
    public record Baseline(String query, double maxRatio) {
    }

    /**
     * Where metric gates query and how revroll reaches it (docs/prometheus-access.md). File paths are absolute (a
     * relative one in the plan is resolved against the plan file's directory); the plan never holds a secret, only
     * where to read it.
     */
    public record PrometheusConfig(String url, Duration timeout, Optional<PrometheusTls> tls, Map<String, String> headers,
            Optional<Path> bearerTokenFile, Optional<BasicAuth> basicAuth) {

        public PrometheusConfig(String url, Duration timeout) {
            this(url, timeout, Optional.empty(), Map.of(), Optional.empty(), Optional.empty());
        }
    }

    /** TLS to an https:// Prometheus: trust only {@code caFile} when given, a client certificate, the name to verify. */
    public record PrometheusTls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile, Optional<String> serverName,
            boolean insecureSkipVerify) {
    }

    /** Basic auth; the password is read from {@code passwordFile} or the environment variable {@code passwordEnv} (one of them). */
    public record BasicAuth(String username, Optional<Path> passwordFile, Optional<String> passwordEnv) {
    }

    public record GitConfig(String repo, String path, boolean push, Optional<String> authorName, Optional<String> authorEmail) {
    }

    /**
     * The maintenance window: opens at each time {@code opens.cron} names (in {@code timeZone}) for {@code opens.duration},
     * or is always open when the plan gives only freezes ({@code opens} empty); no step starts in a {@code freezes}
     * period. {@code durationAt}: where the file gives the duration (for problems found after loading, such as a step
     * that can never fit).
     */
    public record Window(Optional<Opens> opens, ZoneId timeZone, List<Freeze> freezes, Optional<SourcePosition> durationAt) {

        public Window(String cron, Duration duration, ZoneId timeZone) {
            this(cron, duration, timeZone, List.of(), Optional.empty());
        }

        public Window(String cron, Duration duration, ZoneId timeZone, List<Freeze> freezes, Optional<SourcePosition> durationAt) {
            this(Optional.of(new Opens(cron, duration)), timeZone, freezes, durationAt);
        }

        /** Where the file says it is no part of what the window is. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Window w && opens.equals(w.opens) && timeZone.equals(w.timeZone) && freezes.equals(w.freezes);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(opens, timeZone, freezes);
        }
    }

    /** When a maintenance window opens (a 5-field cron) and how long each opening lasts. */
    public record Opens(String cron, Duration duration) {
    }

    /** A period in which nothing starts, even while the window is open. */
    public sealed interface Freeze {

        Optional<String> reason();

        /** How the plan wrote it, for messages. */
        String describe();

        /** Whole days in the window's time zone, both ends included ({@code dates: 2026-12-20..2027-01-04}). */
        record Dates(LocalDate from, LocalDate to, Optional<String> reason) implements Freeze {
            @Override
            public String describe() {
                return from.equals(to) ? from.toString() : from + ".." + to;
            }
        }

        /** From one instant to another ({@code from}/{@code to} with offset or zone), {@code to} excluded. */
        record Period(ZonedDateTime from, ZonedDateTime to, Optional<String> reason) implements Freeze {
            @Override
            public String describe() {
                return from + " to " + to;
            }
        }

        /** Each time {@code cron} names (in the window's time zone), for {@code duration}. */
        record Recurring(String cron, Duration duration, Optional<String> reason) implements Freeze {
            @Override
            public String describe() {
                return "'" + cron + "' for " + DurationText.format(duration);
            }
        }
    }

    /** A place in the plan file (1-based), with the field's path. */
    public record SourcePosition(String file, int line, int column, String field) {
    }
}
