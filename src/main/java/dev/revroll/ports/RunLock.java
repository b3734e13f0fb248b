package dev.revroll.ports;

import java.time.Duration;
import java.util.Optional;

/** A cluster-wide lock (a coordination Lease) so that two runs never go at once. */
public interface RunLock {

    /** Takes the lock for {@code holder} or throws {@link dev.revroll.errors.LockedException} naming who holds it. */
    Handle acquire(String holder, Duration ttl);

    /** Who holds the lock now (held and not expired), if anyone: a run whose process is alive. */
    default Optional<String> liveHolder() {
        return Optional.empty();
    }

    interface Handle extends AutoCloseable {
        /** Extends the lease; called by the engine between actions. */
        void renew();

        /** Releases the lease. */
        @Override
        void close();
    }
}
