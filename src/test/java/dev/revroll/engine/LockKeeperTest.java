package dev.revroll.engine;

import dev.revroll.errors.LockedException;
import dev.revroll.ports.RunLock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LockKeeperTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicInteger renewals = new AtomicInteger();
    private volatile RuntimeException refuse;

    private final RunLock.Handle handle = new RunLock.Handle() {
        @Override
        public void renew() {
            if (refuse != null) {
                throw refuse;
            }
            renewals.incrementAndGet();
        }

        @Override
        public void close() {
        }
    };

    private LockKeeper keeper() {
        return new LockKeeper(handle, Duration.ofSeconds(30), now::get, false);
    }

    @Test
    void renewalsBetweenActionsAreSentOnlyOnceASixthOfTheTtlHasPassed() {
        LockKeeper k = keeper();
        for (int i = 0; i < 100; i++) {
            k.renew(); // a hundred actions within a second: the lease, just written, is good for 30 s
        }
        assertEquals(0, renewals.get());
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        k.renew();
        k.renew();
        assertEquals(1, renewals.get());
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        k.renew();
        assertEquals(2, renewals.get());
    }

    @Test
    void aLostLockIsReportedByTheNextRenewalThatIsSent() {
        LockKeeper k = keeper();
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        refuse = new LockedException("another run holds the lock");
        assertThrows(LockedException.class, k::renew);
    }
}
