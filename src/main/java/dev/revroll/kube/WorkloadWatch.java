package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.KubernetesGateway.WorkloadView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.Watch;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One namespace's workloads of some kinds, listed once and then followed by a watch per kind, as
 * {@code kubectl rollout status} follows its objects (docs/kubernetes-rollouts.md#rollout-complete-kubectls-rule-per-kind).
 * Reads are answered from what the list and the watch delivered; {@link #awaitChange} returns at the next event.
 * A watch the server ends (after {@value #WATCH_SECONDS} s, within the client's read timeout) is opened again from the
 * last resourceVersion; one that fails or whose version expired (410) lists again, so the view never stays behind
 * for longer than the failure lasts. The first list is made before the view is handed out: its first read is fresh.
 */
final class WorkloadWatch implements WorkloadView {

    /** How long the server keeps one watch open; below the client's read timeout (KubeResilience.READ_TIMEOUT). */
    static final int WATCH_SECONDS = 20;

    private final String namespace;
    private final ApiClient client;
    private final Map<WorkloadKind, Follower<?>> followers = new EnumMap<>(WorkloadKind.class);
    private final Object changed = new Object();
    private long version;
    private volatile boolean closed;

    WorkloadWatch(ApiClient client, String namespace, Collection<KindStrategy<?>> kinds) {
        this.client = client;
        this.namespace = namespace;
        for (KindStrategy<?> k : kinds) {
            followers.put(k.kind(), new Follower<>(k));
        }
        for (Follower<?> f : followers.values()) {
            f.relist();
        }
        for (Follower<?> f : followers.values()) {
            Thread t = new Thread(f, "revroll-watch-" + namespace + "-" + f.kind.kind().name().toLowerCase(java.util.Locale.ROOT));
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public Optional<Workload> workload(WorkloadRef ref) {
        return follower(ref).workload(ref.name());
    }

    @Override
    public RolloutState rolloutState(WorkloadRef ref) {
        return follower(ref).rolloutState(ref.name());
    }

    private Follower<?> follower(WorkloadRef ref) {
        Follower<?> f = followers.get(ref.kind());
        if (f == null || !ref.namespace().equals(namespace)) {
            throw new IllegalArgumentException(ref + " is not watched by this view of " + namespace + " " + followers.keySet());
        }
        f.rethrow();
        return f;
    }

    @Override
    public void awaitChange(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(1, max.toNanos());
        synchronized (changed) {
            long seen = version;
            while (version == seen && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(changed, left);
            }
        }
    }

    private void signal() {
        synchronized (changed) {
            version++;
            changed.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Follower<?> f : followers.values()) {
            f.stop();
        }
        signal();
    }

    /** One kind: the objects by name, the version to watch from, the open watch. */
    private final class Follower<T extends KubernetesObject> implements Runnable {

        private final KindStrategy<T> kind;
        private final Map<String, T> objects = new ConcurrentHashMap<>();
        private volatile String resourceVersion;
        private volatile Watch<T> open;
        private volatile KubeApiException listFailure;

        Follower(KindStrategy<T> kind) {
            this.kind = kind;
        }

        Optional<Workload> workload(String name) {
            return Optional.ofNullable(objects.get(name)).map(kind::asWorkload);
        }

        RolloutState rolloutState(String name) {
            T o = objects.get(name);
            return o == null ? kind.gone(namespace, name) : kind.ruleOf(o);
        }

        /** A list that failed (after the client's retries) fails the read, as a direct read would. */
        void rethrow() {
            KubeApiException e = listFailure;
            if (e != null) {
                throw e;
            }
        }

        void relist() {
            try {
                KindStrategy.Listed<T> listed = kind.calls().read("list", kind.kind().name() + "s in namespace " + namespace,
                        () -> kind.listWithVersion(namespace));
                List<String> names = new ArrayList<>();
                for (T o : listed.items()) {
                    objects.put(o.getMetadata().getName(), o);
                    names.add(o.getMetadata().getName());
                }
                objects.keySet().retainAll(names);
                resourceVersion = listed.resourceVersion();
                listFailure = null;
            } catch (KubeApiException e) {
                listFailure = e;
                resourceVersion = null;
            }
            signal();
        }

        @Override
        public void run() {
            while (!closed) {
                if (resourceVersion == null) {
                    pause();
                    relist();
                    continue;
                }
                try (Watch<T> w = Watch.createWatch(client, kind.watchCall(namespace, resourceVersion), kind.watchType())) {
                    open = w;
                    for (Watch.Response<T> event : w) {
                        if (closed) {
                            return;
                        }
                        if ("ERROR".equals(event.type)) {
                            resourceVersion = null; // 410 Gone and the like: list again
                            break;
                        }
                        T o = event.object;
                        if (o == null || o.getMetadata() == null) {
                            continue;
                        }
                        resourceVersion = o.getMetadata().getResourceVersion();
                        switch (event.type) {
                            case "ADDED", "MODIFIED" -> objects.put(o.getMetadata().getName(), o);
                            case "DELETED" -> objects.remove(o.getMetadata().getName());
                            default -> {
                                continue; // BOOKMARK: only the version moves
                            }
                        }
                        signal();
                    }
                } catch (ApiException | IOException | RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    resourceVersion = null; // the view may have missed events: list again
                } finally {
                    open = null;
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }

        void stop() {
            Watch<T> w = open;
            if (w != null) {
                try {
                    w.close();
                } catch (IOException | RuntimeException ignored) {
                    // closing a watch that broke already: nothing to do
                }
            }
        }
    }
}
