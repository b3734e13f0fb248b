package dev.revroll.e2e.world;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;

/**
 * The one way tests wait: Awaitility, with what is awaited and for how long said by the test. The condition is
 * checked at once, then every 500 ms (a probe here is often a kubectl process or an HTTP call on a busy machine);
 * a test polling something cheap sets its own {@code pollInterval}. As in Awaitility, an exception thrown by the
 * condition ends the wait at once unless the test says to ignore it ({@code ignoreExceptionsInstanceOf}). An uncaught
 * exception in some other thread of the JVM (a server thread of another test, say) does not end a wait.
 *
 * <pre>{@code
 * await("pods of " + ns + " on " + revision, Duration.ofMinutes(2)).until(() -> podsOn(ns, revision));
 * String pod = await("a Ready istiod", Duration.ofSeconds(60)).until(() -> readyIstiod(), Optional::isPresent).get();
 * }</pre>
 */
public final class Await {

    /** How often a condition is checked unless the test says otherwise. */
    public static final Duration POLL = Duration.ofMillis(500);

    private Await() {
    }

    /** Awaitility's {@code await(what).atMost(atMost)}, first check at once, then every {@link #POLL}. */
    public static ConditionFactory await(String what, Duration atMost) {
        return Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(POLL).dontCatchUncaughtExceptions();
    }
}
