package dev.revroll.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Work that waits on the API server, done a few items at a time (preflight's access reviews, a preview's steps). */
final class Concurrently {

    private Concurrently() {
    }

    /**
     * {@code work} applied to every item, up to {@code atOnce} at a time on daemon threads named {@code name}; the
     * results in the items' order. When an item fails, the first failure in the items' order is thrown.
     */
    static <T, R> List<R> map(List<T> items, int atOnce, String name, Function<T, R> work) {
        if (items.size() <= 1) {
            return items.stream().map(work).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(atOnce, items.size()), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            items.forEach(i -> futures.add(pool.submit(() -> work.apply(i))));
            List<R> out = new ArrayList<>();
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
