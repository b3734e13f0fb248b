package dev.revroll.e2e.world;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Waiting in tests for the world to reach a state: polls a probe until it answers, or fails with what was last seen. */
public final class Eventually {

    private Eventually() {
    }

    /** Polls {@code probe} every {@code every} until it returns a present value; throws {@link AssertionError} after {@code timeout}. */
    public static <T> T await(String what, Duration timeout, Duration every, Supplier<Optional<T>> probe) {
        long end = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                Optional<T> v = probe.get();
                if (v.isPresent()) {
                    return v.get();
                }
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what
                        + (last == null ? "" : "; last error: " + last.getMessage()), last);
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    public static <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe) {
        return await(what, timeout, Duration.ofMillis(500), probe);
    }

    public static void awaitTrue(String what, Duration timeout, Supplier<Boolean> probe) {
        await(what, timeout, () -> probe.get() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }
}
