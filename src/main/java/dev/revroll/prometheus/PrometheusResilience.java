package dev.revroll.prometheus;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.micronaut.http.client.exceptions.HttpClientException;
import io.micronaut.http.client.exceptions.HttpClientResponseException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The one place where revroll decides how patient it is with Prometheus (resilience4j name {@value #NAME}): each
 * attempt is cut off by a time limiter after the plan's {@code prometheus.timeout}; an attempt that timed out, could
 * not connect, or got 429/5xx (Prometheus overloaded, a proxy in front of it restarting) is retried with exponential
 * backoff and jitter. A query Prometheus rejects (400 bad_data, 422 execution) and a failed TLS handshake are never
 * retried: they will not get better.
 */
public final class PrometheusResilience {

    public static final String NAME = "prometheus";
    /** Attempts in all, first try included. */
    public static final int MAX_ATTEMPTS = 3;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final double BACKOFF_MULTIPLIER = 2.0;
    static final double JITTER = 0.5;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(4);

    private final Retry retry;
    private final TimeLimiter timeLimiter;

    PrometheusResilience(Duration attemptTimeout) {
        this.retry = Retry.of(NAME, RetryConfig.custom()
                .maxAttempts(MAX_ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(FIRST_BACKOFF, BACKOFF_MULTIPLIER, JITTER, MAX_BACKOFF))
                .retryOnException(PrometheusResilience::isTransient)
                .build());
        this.timeLimiter = TimeLimiter.of(NAME, TimeLimiterConfig.custom()
                .timeoutDuration(attemptTimeout)
                .cancelRunningFuture(true)
                .build());
    }

    /** Runs one call (each attempt a fresh future) under the time limiter and the retry. */
    <T> T call(Supplier<? extends CompletionStage<T>> attempt) throws Exception {
        Callable<T> limited = timeLimiter.decorateFutureSupplier(() -> attempt.get().toCompletableFuture());
        return Retry.decorateCallable(retry, limited).call();
    }

    Duration attemptTimeout() {
        return timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
    }

    /** Worth another attempt: no answer in time, no connection, or an answer saying "not now". */
    static boolean isTransient(Throwable t) {
        if (tlsFailure(t).isPresent()) {
            return false; // a certificate that is not trusted, or a name it does not hold, stays so
        }
        if (t instanceof TransientAnswer || t instanceof TimeoutException || t instanceof IOException) {
            return true;
        }
        if (t instanceof HttpClientResponseException e) {
            int code = e.code();
            return code == 429 || (code >= 500 && code != 501);
        }
        return t instanceof HttpClientException;
    }

    /** The TLS failure behind {@code t}, if that is what it is. */
    static Optional<SSLException> tlsFailure(Throwable t) {
        return cause(t, SSLException.class);
    }

    /** True when {@code t} or one of its causes is a {@code kind}. */
    static boolean causedBy(Throwable t, Class<? extends Throwable> kind) {
        return cause(t, kind).isPresent();
    }

    private static <E extends Throwable> Optional<E> cause(Throwable t, Class<E> kind) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (kind.isInstance(c)) {
                return Optional.of(kind.cast(c));
            }
        }
        return Optional.empty();
    }

    /** An HTTP answer worth retrying (429 or 5xx); its message is what the person sees when retries run out. */
    static final class TransientAnswer extends Exception {
        TransientAnswer(String message) {
            super(message, null, false, false);
        }
    }
}
