package dev.revroll.e2e.world;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.util.Watch;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.revroll.e2e.world.Await.await;

/**
 * Watches the Deployments of one namespace through the API server's watch stream (event by event, in the order the
 * server wrote them) and keeps the most of them mid-rollout at once, by kubectl's rule (docs/kubernetes-rollouts.md:
 * the new template not yet observed, replicas not all updated, old ones left, updated ones not all available), with
 * the workloads and the event of that moment. What a cap on concurrent restarts promises is checked against it.
 */
public final class MidRollouts implements AutoCloseable {

    private final ApiClient client;
    private final String namespace;
    private final Map<String, Boolean> mid = new TreeMap<>();
    private final List<String> seen = new ArrayList<>();
    private volatile boolean closed;
    private volatile boolean listed;
    private volatile String failure;
    private volatile Watch<V1Deployment> current;
    private int most;
    private String mostAt = "";
    private final Thread thread;

    private MidRollouts(ApiClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.thread = new Thread(this::loop, "mid-rollouts-" + namespace);
        thread.setDaemon(true);
    }

    /** Starts watching and returns once the namespace's Deployments were listed and none is mid-rollout. */
    public static MidRollouts watch(SandboxWorld world, String namespace) {
        MidRollouts m = new MidRollouts(Watches.client(world), namespace);
        m.thread.start();
        await("the Deployments of " + namespace + " listed, none mid-rollout", Duration.ofMinutes(2))
                .until(() -> m.failure != null || (m.listed && m.now().isEmpty()));
        if (m.failure != null) {
            m.close();
            throw new WorldException("cannot watch the Deployments of " + namespace + ": " + m.failure, null);
        }
        synchronized (m) {
            m.most = 0;
            m.mostAt = "";
        }
        return m;
    }

    /** The most Deployments mid-rollout at once since {@link #watch} returned. */
    public synchronized int most() {
        return most;
    }

    /** Which ones they were, and on which event. */
    public synchronized String mostAt() {
        return mostAt;
    }

    /** Every Deployment that was mid-rollout at some moment since the watch began (proof that there were rollouts). */
    public synchronized List<String> rolledOut() {
        return List.copyOf(new TreeSet<>(seen));
    }

    /** Fails when the watch itself failed: then {@link #most()} proves nothing. */
    public void assertWatched() {
        if (failure != null) {
            throw new AssertionError("the Deployment watch of " + namespace + " failed: " + failure);
        }
    }

    private synchronized List<String> now() {
        return mid.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    private synchronized void apply(String type, V1Deployment d) {
        String name = d.getMetadata().getName();
        boolean isMid = !"DELETED".equals(type) && midRollout(d);
        mid.put(name, isMid);
        if (isMid) {
            seen.add(name);
        }
        List<String> now = now();
        if (now.size() > most) {
            most = now.size();
            mostAt = now + " on " + type + " of " + name + " (resourceVersion " + d.getMetadata().getResourceVersion() + ")";
        }
    }

    /** kubectl's rule, negated. */
    static boolean midRollout(V1Deployment d) {
        V1DeploymentStatus st = d.getStatus() == null ? new V1DeploymentStatus() : d.getStatus();
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = st.getObservedGeneration() == null ? 0 : st.getObservedGeneration();
        int want = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int updated = orZero(st.getUpdatedReplicas());
        int total = orZero(st.getReplicas());
        int available = orZero(st.getAvailableReplicas());
        return generation > observed || updated < want || total > updated || available < updated;
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private void loop() {
        AppsV1Api apps = new AppsV1Api(client);
        String rv = null;
        try {
            while (!closed) {
                if (rv == null) {
                    V1DeploymentList list = apps.listNamespacedDeployment(namespace).execute();
                    synchronized (this) {
                        mid.clear();
                        list.getItems().forEach(d -> apply("LISTED", d));
                    }
                    rv = list.getMetadata().getResourceVersion();
                    listed = true;
                }
                rv = Watches.follow(client, apps.listNamespacedDeployment(namespace).watch(true).resourceVersion(rv).allowWatchBookmarks(true)
                        .timeoutSeconds(60).buildCall(null), new TypeToken<Watch.Response<V1Deployment>>() { }.getType(), rv,
                        (Watch<V1Deployment> w) -> current = w, this::apply);
            }
        } catch (Exception e) {
            if (!closed) {
                failure = e.toString();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Watch<V1Deployment> w = current;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                // closing a watch that already ended
            }
        }
    }
}
