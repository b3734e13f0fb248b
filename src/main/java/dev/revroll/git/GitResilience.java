package dev.revroll.git;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Duration;

/**
 * The one place where revroll decides how patient it is with the GitOps remote (resilience4j name {@value #NAME}):
 * a fetch or push fails when the remote does not answer within {@link #TRANSPORT_TIMEOUT}; a commit or revert
 * whose push lost a race (rejected as non-fast-forward because someone else pushed first) is built again on the
 * new head and pushed again, with exponential backoff and jitter. Nothing else is retried: an unreachable remote,
 * a push the remote refuses or a conflicting edit will not get better by asking again. Never a force-push.
 */
final class GitResilience {

    static final String NAME = "git";
    /** JGit's transport timeout (connecting, and each wait for the remote's answer), in whole seconds. */
    static final Duration TRANSPORT_TIMEOUT = Duration.ofSeconds(30);
    /** Attempts in all, first try included, for a commit or revert whose push keeps losing races. */
    static final int PUSH_ATTEMPTS = 6;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final double BACKOFF_MULTIPLIER = 2.0;
    static final double JITTER = 0.5;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private static final RetryConfig PUSH_RETRY = RetryConfig.custom()
            .maxAttempts(PUSH_ATTEMPTS)
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(FIRST_BACKOFF, BACKOFF_MULTIPLIER, JITTER, MAX_BACKOFF))
            .retryExceptions(PushRaced.class)
            .build();

    private final Retry pushRetry = Retry.of(NAME, PUSH_RETRY);

    /** JGit's {@code setTimeout} for fetch and push. */
    static int transportTimeoutSeconds() {
        return (int) TRANSPORT_TIMEOUT.toSeconds();
    }

    /**
     * Runs one attempt (fetch, build on the head, push) until its push does not lose a race; false when it lost
     * {@value #PUSH_ATTEMPTS} times. A group of steps in flight (docs/git-record.md) shares one budget.
     */
    boolean untilThePushLands(Runnable attempt) {
        try {
            Retry.decorateRunnable(pushRetry, attempt).run();
            return true;
        } catch (PushRaced e) {
            return false;
        }
    }

    /** Thrown by an attempt whose push lost a race; the retry fetches, rebases and pushes again. */
    static final class PushRaced extends RuntimeException {
        PushRaced() {
            super("non-fast-forward", null, false, false);
        }
    }
}
