package dev.revroll.gates;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;

/** Time as the gates see it: when an evaluation happens and how the wait between evaluations passes. */
public interface GateClock {

    Instant now();

    /** Waits; an interrupted wait restores the interrupt flag and ends the gate with {@link CancellationException}. */
    void sleep(Duration duration);

    static GateClock system() {
        return SystemGateClock.INSTANCE;
    }

    final class SystemGateClock implements GateClock {
        private static final SystemGateClock INSTANCE = new SystemGateClock();

        private SystemGateClock() {
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void sleep(Duration duration) {
            if (duration.isZero() || duration.isNegative()) {
                return;
            }
            try {
                Thread.sleep(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                CancellationException cancelled = new CancellationException("gate interrupted while waiting for the next evaluation");
                cancelled.initCause(e);
                throw cancelled;
            }
        }
    }
}
