package dev.revroll.kube;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.kubernetes.client.openapi.ApiException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * The one place where revroll decides how patient it is with the Kubernetes API: HTTP timeouts and the retry policy
 * for transient failures (the API server answering 429 or 5xx, or not answering at all), exponential backoff with
 * jitter. Reads and idempotent writes (merge patches, deletes) are retried; creates and compare-and-swap replaces
 * are not, their callers decide.
 */
public final class KubeResilience {

    /** TCP connect to the API server. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Waiting for a response once the request is sent (not used by watches or port-forward streams). */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    /** Attempts in all (first try included) for a transient failure. */
    public static final int MAX_ATTEMPTS = 5;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final double BACKOFF_MULTIPLIER = 2.0;
    static final double JITTER = 0.5;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private static final RetryConfig API_RETRY = RetryConfig.custom()
            .maxAttempts(MAX_ATTEMPTS)
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(FIRST_BACKOFF, BACKOFF_MULTIPLIER, JITTER, MAX_BACKOFF))
            .retryOnException(KubeResilience::isTransient)
            .failAfterMaxAttempts(false)
            .build();

    private KubeResilience() {
    }

    /** The retry for calls to one API server. */
    public static Retry apiRetry(String name) {
        return Retry.of("kubernetes-api-" + name, API_RETRY);
    }

    /** Bounds a whole exchange that has no HTTP timeout of its own (a port-forward stream), retries included. */
    public static TimeLimiter timeLimiter(String name, Duration timeout) {
        return TimeLimiter.of(name, TimeLimiterConfig.custom().timeoutDuration(timeout).cancelRunningFuture(true).build());
    }

    /** 429, 5xx (except 501: the server will not do it however often asked) or no answer at all. */
    static boolean isTransient(Throwable t) {
        if (t instanceof ApiException e) {
            int code = e.getCode();
            if (code == 0) {
                return e.getCause() instanceof IOException && !(e.getCause() instanceof InterruptedIOException && Thread.currentThread().isInterrupted());
            }
            return code == 429 || (code >= 500 && code != 501);
        }
        return t instanceof IOException;
    }
}
