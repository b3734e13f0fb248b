package dev.revroll.engine;

import dev.revroll.ports.RunLock;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the run lock while a run goes: renewed by the runner between actions and, for long waits (rollouts, bake),
 * every third of its time to live in the background. A killed process stops renewing, so the lease expires.
 */
final class LockKeeper implements RunLock.Handle {

    private final RunLock.Handle handle;
    private final ScheduledExecutorService timer;

    private LockKeeper(RunLock.Handle handle, Duration ttl) {
        this.handle = handle;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "revroll-lock");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1000, ttl.toMillis() / 3);
        timer.scheduleAtFixedRate(() -> {
            try {
                renew();
            } catch (RuntimeException e) {
                // the next renewal between actions reports it
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    static LockKeeper keep(RunLock.Handle handle, Duration ttl) {
        return new LockKeeper(handle, ttl);
    }

    @Override
    public synchronized void renew() {
        handle.renew();
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        handle.close();
    }
}
