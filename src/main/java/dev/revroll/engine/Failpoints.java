package dev.revroll.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The test hook that lets an end-to-end test SIGKILL revroll at an exact place in the loop instead of by timing
 * (docs/architecture.md#failpoints-a-test-hook). {@code REVROLL_FAILPOINT=<where>}, read once from the environment:
 * when the run reaches {@code <where>} it prints one line to stderr and blocks until it is killed. Unset (always,
 * outside those tests) each call is one comparison with null. With {@code REVROLL_FAILPOINT_HOLD=<file>} as well, it
 * holds there until that file exists and then goes on, so a test can change the world at that exact place.
 */
public final class Failpoints {

    private static final String ARMED = System.getenv("REVROLL_FAILPOINT");
    private static final String HOLD = System.getenv("REVROLL_FAILPOINT_HOLD");

    private Failpoints() {
    }

    /** Blocks forever (or, with a hold file, until it exists) when the armed failpoint is {@code where}. */
    public static void reach(String where) {
        reach(where, () -> { });
    }

    /** As {@link #reach(String)}; {@code first} runs just before blocking (only when armed for {@code where}). */
    public static void reach(String where, Runnable first) {
        if (ARMED == null || !ARMED.equals(where)) {
            return;
        }
        first.run();
        String reached = "revroll: failpoint " + where + " reached (pid " + ProcessHandle.current().pid() + ")";
        if (HOLD != null) {
            hold(reached, Path.of(HOLD));
            return;
        }
        System.err.println(reached + "; waiting to be killed");
        System.err.flush();
        while (true) {
            LockSupport.park();
        }
    }

    private static void hold(String reached, Path release) {
        System.err.println(reached + "; holding until " + release + " exists");
        System.err.flush();
        while (!Files.exists(release)) {
            LockSupport.parkNanos(100_000_000L);
        }
        System.err.println("revroll: failpoint released; going on");
        System.err.flush();
    }
}
