package dev.revroll.engine;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting for the cluster, in one place: a resilience4j retry that repeats a probe until its result is done or the
 * deadline passes (then the last result is returned), with exponential backoff capped at the poll interval.
 * Exceptions from the probe are retried until the deadline, then thrown.
 */
public final class Polling {

    private final Duration interval;
    private final Clock clock;

    public Polling(Duration interval, Clock clock) {
        this.interval = interval;
        this.clock = clock;
    }

    /** {@code 25s}, {@code 3m}, {@code 1m30s}: durations as the plan writes them, for messages. */
    public static String human(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        long m = s / 60;
        long rest = s % 60;
        return m == 0 ? s + "s" : rest == 0 ? m + "m" : m + "m" + rest + "s";
    }

    public Duration interval() {
        return interval;
    }

    /** Waits for a change (or the time given, whichever comes first). */
    @FunctionalInterface
    public interface Changes {
        void await(Duration max) throws InterruptedException;
    }

    /**
     * Repeats {@code probe} until {@code done} or the deadline (then the last result is returned, or the last exception
     * thrown), looking again whenever {@code changes} reports one and at least every interval: for probes that read a
     * watch's cache, where looking costs nothing and backing off would only add latency.
     */
    public <T> T untilChanged(String name, Duration timeout, Supplier<T> probe, Predicate<T> done, Changes changes) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            RuntimeException failure = null;
            T result = null;
            try {
                result = probe.get();
                if (done.test(result)) {
                    return result;
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                if (failure != null) {
                    throw failure;
                }
                return result;
            }
            try {
                changes.await(left.compareTo(interval) < 0 ? left : interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + ": interrupted while waiting", e);
            }
        }
    }

    public <T> T until(String name, Duration timeout, Supplier<T> probe, Predicate<T> done) {
        Instant deadline = clock.instant().plus(timeout);
        long max = Math.max(1, interval.toMillis());
        RetryConfig config = RetryConfig.<T>custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Math.max(1, max / 4), 2.0, 0.2, max))
                .retryOnResult(r -> !done.test(r) && clock.instant().isBefore(deadline))
                .retryOnException(e -> e instanceof RuntimeException && clock.instant().isBefore(deadline))
                .failAfterMaxAttempts(false)
                .build();
        Retry retry = Retry.of(name, config);
        return Retry.decorateSupplier(retry, probe).get();
    }
}
