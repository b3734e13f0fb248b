package dev.revroll.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * The test hook that lets an end-to-end test SIGKILL revroll at an exact place in the loop instead of by timing
 * (docs/architecture.md#failpoints-a-test-hook). {@code REVROLL_FAILPOINT=<where>}, read once from the environment:
 * when the run reaches {@code <where>} it prints one line to stderr and blocks until it is killed. Unset (always,
 * outside those tests) each call is one comparison with null.
 */
public final class Failpoints {

    private static final String ARMED = System.getenv("REVROLL_FAILPOINT");

    private Failpoints() {
    }

    /** Blocks forever when the armed failpoint is {@code where}. */
    public static void reach(String where) {
        reach(where, () -> { });
    }

    /** As {@link #reach(String)}; {@code first} runs just before blocking (only when armed for {@code where}). */
    public static void reach(String where, Runnable first) {
        if (ARMED == null || !ARMED.equals(where)) {
            return;
        }
        first.run();
        System.err.println("revroll: failpoint " + where + " reached (pid " + ProcessHandle.current().pid() + "); waiting to be killed");
        System.err.flush();
        while (true) {
            LockSupport.park();
        }
    }
}
