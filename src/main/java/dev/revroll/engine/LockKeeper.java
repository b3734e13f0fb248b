package dev.revroll.engine;

import dev.revroll.ports.RunLock;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps the run lock while a run goes: renewed by the runner between actions and, for long waits (rollouts, bake),
 * every third of its time to live in the background. A killed process stops renewing, so the lease expires.
 *
 * <p>A renewal between actions is sent only when the last one is older than a sixth of the time to live: the lease is
 * then still good for at least five sixths of it, so no other run can hold it, and a fleet's hundreds of actions do
 * not cost two API requests each. A renewal that failed in the background is reported by the next call.
 */
final class LockKeeper implements RunLock.Handle {

    private final RunLock.Handle handle;
    private final ScheduledExecutorService timer;
    private final long minGapNanos;
    private final LongSupplier nanos;
    private long lastRenewed;
    private RuntimeException backgroundFailure;

    LockKeeper(RunLock.Handle handle, Duration ttl, LongSupplier nanos, boolean background) {
        this.handle = handle;
        this.nanos = nanos;
        this.minGapNanos = ttl.toNanos() / 6;
        this.lastRenewed = nanos.getAsLong(); // acquiring the lock wrote it just now
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "revroll-lock");
            t.setDaemon(true);
            return t;
        });
        if (background) {
            long period = Math.max(1000, ttl.toMillis() / 3);
            timer.scheduleAtFixedRate(this::renewInBackground, period, period, TimeUnit.MILLISECONDS);
        }
    }

    static LockKeeper keep(RunLock.Handle handle, Duration ttl) {
        return new LockKeeper(handle, ttl, System::nanoTime, true);
    }

    private synchronized void renewInBackground() {
        try {
            send();
        } catch (RuntimeException e) {
            backgroundFailure = e; // the next renewal between actions reports it
        }
    }

    @Override
    public synchronized void renew() {
        if (backgroundFailure != null) {
            RuntimeException e = backgroundFailure;
            backgroundFailure = null;
            send(e);
            return;
        }
        if (nanos.getAsLong() - lastRenewed < minGapNanos) {
            return;
        }
        send();
    }

    /** After a failed background renewal: try once more now; if that fails too, the run stops with its reason. */
    private void send(RuntimeException earlier) {
        try {
            send();
        } catch (RuntimeException e) {
            e.addSuppressed(earlier);
            throw e;
        }
    }

    private void send() {
        handle.renew();
        lastRenewed = nanos.getAsLong();
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        handle.close();
    }
}
