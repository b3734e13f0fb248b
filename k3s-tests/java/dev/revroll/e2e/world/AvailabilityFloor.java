package dev.revroll.e2e.world;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.util.Watch;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static dev.revroll.e2e.world.Await.await;

/**
 * The availability floor: watches every pod of some namespaces through the API server's watch stream (list, then
 * watch from that resourceVersion; re-watched after a disconnect, re-listed after 410 Gone), event by event, and
 * keeps, per Deployment, StatefulSet and DaemonSet that existed when the watch began, the lowest number of serving
 * pods (Ready and not being deleted) it ever saw, when, and on which event.
 *
 * <p>What make-before-break promises per kind (docs/kubernetes-rollouts.md, "Make-before-break per kind" and
 * "Availability floor"), which {@link #assertHeld()} checks:
 * <ul>
 *   <li>Deployment ({@code RollingUpdate}; revroll's {@code surge: enforce} makes it {@code maxUnavailable: 0,
 *       maxSurge: 1} for the restart): never fewer than {@code spec.replicas} serving pods;</li>
 *   <li>StatefulSet (pods replaced one at a time under the same name): never fewer than {@code spec.replicas - 1};</li>
 *   <li>DaemonSet ({@code maxSurge: 1, maxUnavailable: 0}): every node that had a serving pod when the watch began
 *       always has at least one.</li>
 * </ul>
 * {@link #watch} returns once every workload is at full strength (the floor is armed only then), so a test starts it
 * after its fixture is up and before it starts revroll, and asserts after revroll (and any resume or rollback) ended.
 */
public final class AvailabilityFloor implements AutoCloseable {

    /** The lowest count seen for one workload (for a DaemonSet: on its worst node, named in {@code scope}). */
    public record Low(String namespace, String workload, String scope, int promised, int minimum, Instant at, String event) {
        public boolean held() {
            return minimum >= promised;
        }

        @Override
        public String toString() {
            return namespace + "/" + workload + (scope.isEmpty() ? "" : " on node " + scope) + ": lowest " + minimum
                    + " serving pod(s), promised at least " + promised + (at == null ? "" : ", at " + at + " on " + event);
        }
    }

    private final ApiClient client;
    private final List<NamespaceWatch> watches = new ArrayList<>();
    private volatile boolean closed;

    private AvailabilityFloor(ApiClient client) {
        this.client = client;
    }

    /** Starts watching the pods of these namespaces; returns once every workload in them serves at full strength. */
    public static AvailabilityFloor watch(SandboxWorld world, String... namespaces) {
        AvailabilityFloor floor = new AvailabilityFloor(Watches.client(world));
        try {
            for (String ns : namespaces) {
                NamespaceWatch w = floor.new NamespaceWatch(ns);
                floor.watches.add(w);
                w.start();
            }
            await("every workload of " + String.join(", ", namespaces) + " at full strength for the availability floor",
                    Duration.ofMinutes(2)).until(() -> floor.watches.stream().allMatch(NamespaceWatch::arm));
            return floor;
        } catch (RuntimeException | Error e) {
            floor.close();
            throw e;
        }
    }

    /** The lowest count seen per workload ({@code Kind/name}), for each watched namespace. */
    public List<Low> lows() {
        List<Low> out = new ArrayList<>();
        watches.forEach(w -> out.addAll(w.lows()));
        return out;
    }

    /** The lowest count seen for one workload, e.g. {@code low("ns-x", "Deployment/web")}. */
    public Low low(String namespace, String workload) {
        return lows().stream().filter(l -> l.namespace().equals(namespace) && l.workload().equals(workload)).findFirst()
                .orElseThrow(() -> new AssertionError("the availability floor knows no " + workload + " in " + namespace + "; it knows " + lows()));
    }

    /** How many pods of a workload were deleted while the floor watched (a restart replaces every pod once). */
    public int replaced(String namespace, String workload) {
        return watches.stream().filter(w -> w.namespace.equals(namespace)).mapToInt(w -> w.replaced(workload)).sum();
    }

    /** How many watch events the floor has seen in all (a test can check the stream was live). */
    public long events() {
        return watches.stream().mapToLong(w -> w.events).sum();
    }

    /** Fails naming every workload whose serving pods dropped below what make-before-break promises for its kind. */
    public void assertHeld() {
        List<String> errors = new ArrayList<>();
        for (NamespaceWatch w : watches) {
            if (w.failure != null) {
                errors.add(w.namespace + ": the watch stream failed: " + w.failure);
            }
        }
        lows().stream().filter(l -> !l.held()).forEach(l -> errors.add(l.toString()));
        if (!errors.isEmpty()) {
            throw new AssertionError("availability floor broken:\n  " + String.join("\n  ", errors) + "\nall: " + lows());
        }
        System.err.println("[availability floor] held: " + lows());
    }

    @Override
    public void close() {
        closed = true;
        watches.forEach(NamespaceWatch::stop);
    }

    // ---- one namespace: list + watch, state per pod ------------------------------------------------------------

    private record PodState(String workload, String node, boolean serving) {
    }

    private final class NamespaceWatch {
        final String namespace;
        /** workload (Kind/name) → promised floor; for a DaemonSet the per-node floor (1). */
        final Map<String, Integer> promised = new LinkedHashMap<>();
        final Map<String, Integer> fullStrength = new LinkedHashMap<>();
        final Map<String, PodState> pods = new HashMap<>();
        final Map<String, Low> lows = new LinkedHashMap<>();
        final Map<String, Integer> deleted = new HashMap<>();
        /** DaemonSet → the nodes that had a serving pod when the floor was armed. */
        final Map<String, Set<String>> dsNodes = new HashMap<>();
        volatile boolean armed;
        volatile long events;
        volatile String failure;
        private Thread thread;
        private volatile Watch<V1Pod> current;

        NamespaceWatch(String namespace) {
            this.namespace = namespace;
        }

        void start() {
            AppsV1Api apps = new AppsV1Api(client);
            try {
                for (V1Deployment d : apps.listNamespacedDeployment(namespace).execute().getItems()) {
                    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                    add("Deployment/" + d.getMetadata().getName(), replicas, replicas);
                }
                for (V1StatefulSet s : apps.listNamespacedStatefulSet(namespace).execute().getItems()) {
                    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
                    add("StatefulSet/" + s.getMetadata().getName(), Math.max(0, replicas - 1), replicas);
                }
                for (V1DaemonSet ds : apps.listNamespacedDaemonSet(namespace).execute().getItems()) {
                    int desired = ds.getStatus() == null || ds.getStatus().getDesiredNumberScheduled() == null ? 0
                            : ds.getStatus().getDesiredNumberScheduled();
                    add("DaemonSet/" + ds.getMetadata().getName(), 1, desired);
                }
            } catch (ApiException e) {
                throw new WorldException("the availability floor cannot list the workloads of " + namespace + ": " + e.getCode() + " " + e.getResponseBody(), e);
            }
            thread = new Thread(this::loop, "availability-floor-" + namespace);
            thread.setDaemon(true);
            thread.start();
        }

        private void add(String workload, int floor, int full) {
            promised.put(workload, floor);
            fullStrength.put(workload, full);
        }

        /** Arms the floor once every workload serves at full strength (DaemonSets: their desired count, and a pod per node). */
        synchronized boolean arm() {
            if (failure != null) {
                throw new AssertionError("the availability floor's watch of " + namespace + " failed: " + failure);
            }
            if (armed) {
                return true;
            }
            for (Map.Entry<String, Integer> e : fullStrength.entrySet()) {
                if (serving(e.getKey()) < e.getValue() || (e.getKey().startsWith("DaemonSet/") && e.getValue() == 0)) {
                    return false;
                }
            }
            for (String w : promised.keySet()) {
                if (w.startsWith("DaemonSet/")) {
                    dsNodes.put(w, new HashSet<>(servingPerNode(w).keySet()));
                }
            }
            armed = true;
            promised.keySet().forEach(w -> measure(w, "the floor armed"));
            return true;
        }

        synchronized List<Low> lows() {
            return new ArrayList<>(lows.values());
        }

        synchronized int replaced(String workload) {
            return deleted.getOrDefault(workload, 0);
        }

        private int serving(String workload) {
            return (int) pods.values().stream().filter(p -> p.workload().equals(workload) && p.serving()).count();
        }

        private Map<String, Integer> servingPerNode(String workload) {
            Map<String, Integer> m = new TreeMap<>();
            pods.values().stream().filter(p -> p.workload().equals(workload) && p.serving() && p.node() != null)
                    .forEach(p -> m.merge(p.node(), 1, Integer::sum));
            return m;
        }

        /** Records the workload's count now if it is its lowest since the floor was armed. */
        private void measure(String workload, String event) {
            if (!armed || !promised.containsKey(workload)) {
                return;
            }
            int count;
            String scope = "";
            if (workload.startsWith("DaemonSet/")) {
                Map<String, Integer> perNode = servingPerNode(workload);
                count = Integer.MAX_VALUE;
                for (String node : dsNodes.getOrDefault(workload, Set.of())) {
                    int c = perNode.getOrDefault(node, 0);
                    if (c < count) {
                        count = c;
                        scope = node;
                    }
                }
                if (count == Integer.MAX_VALUE) {
                    count = 0;
                }
            } else {
                count = serving(workload);
            }
            Low low = lows.get(workload);
            if (low == null || count < low.minimum()) {
                lows.put(workload, new Low(namespace, workload, scope, promised.get(workload), count,
                        low == null ? null : Instant.now(), event));
            }
        }

        private synchronized void apply(String type, V1Pod pod) {
            events++;
            String name = pod.getMetadata().getName();
            PodState before = pods.get(name);
            if ("DELETED".equals(type)) {
                pods.remove(name);
                if (before != null) {
                    deleted.merge(before.workload(), 1, Integer::sum);
                }
            } else {
                pods.put(name, state(pod));
            }
            PodState after = pods.get(name);
            String event = type + " pod " + name + (after == null ? "" : after.serving() ? " (serving)" : " (not serving)");
            if (before != null) {
                measure(before.workload(), event);
            }
            if (after != null && (before == null || !after.workload().equals(before.workload()))) {
                measure(after.workload(), event);
            }
        }

        /** A fresh list replaces what the watch knew (after 410 Gone or a reconnect that could not resume). */
        private synchronized void relist(V1PodList list) {
            Set<String> workloads = new HashSet<>();
            pods.values().forEach(p -> workloads.add(p.workload()));
            Map<String, PodState> fresh = new HashMap<>();
            for (V1Pod pod : list.getItems()) {
                fresh.put(pod.getMetadata().getName(), state(pod));
            }
            for (Map.Entry<String, PodState> e : pods.entrySet()) {
                if (!fresh.containsKey(e.getKey())) {
                    deleted.merge(e.getValue().workload(), 1, Integer::sum);
                }
            }
            pods.clear();
            pods.putAll(fresh);
            fresh.values().forEach(p -> workloads.add(p.workload()));
            workloads.forEach(w -> measure(w, "a fresh list of the pods"));
        }

        private PodState state(V1Pod pod) {
            boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                    .anyMatch((V1PodCondition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
            return new PodState(workloadOf(pod), pod.getSpec() == null ? null : pod.getSpec().getNodeName(), ready && !deleting);
        }

        /** A reconnect waits this long at least, and gives up after this many failures in a row or this long without an answer. */
        private static final Duration RECONNECT_DELAY = Duration.ofMillis(250);
        private static final int MAX_RECONNECTS = 2400;
        private static final Duration RECONNECT_BUDGET = Duration.ofMinutes(10);

        private boolean answers(CoreV1Api core) {
            try {
                core.listNamespacedPod(namespace).limit(1).execute();
                return true;
            } catch (ApiException e) {
                return false;
            }
        }

        private void loop() {
            CoreV1Api core = new CoreV1Api(client);
            String rv = null;
            int failures = 0;
            while (!closed) {
                try {
                    if (rv == null) {
                        V1PodList list = core.listNamespacedPod(namespace).execute();
                        relist(list);
                        rv = list.getMetadata().getResourceVersion();
                    }
                    rv = Watches.follow(client, core.listNamespacedPod(namespace).watch(true).resourceVersion(rv).allowWatchBookmarks(true)
                                    .timeoutSeconds(60).buildCall(null), new TypeToken<Watch.Response<V1Pod>>() { }.getType(), rv,
                            (Watch<V1Pod> w) -> current = w, this::apply);
                    failures = 0;
                } catch (Exception e) {
                    if (closed) {
                        return;
                    }
                    // the API server is away (a fault test stops it): the pods cannot change meanwhile; watch again
                    // (resuming from rv, or listing again after 410 Gone) a moment after it answers
                    failures++;
                    try {
                        if (failures > MAX_RECONNECTS) {
                            throw new ConditionTimeoutException("the watch failed " + failures + " times in a row");
                        }
                        await("the API server to answer the pod watch of " + namespace + " again", RECONNECT_BUDGET)
                                .pollDelay(RECONNECT_DELAY).pollInterval(RECONNECT_DELAY).until(() -> closed || answers(core));
                    } catch (ConditionTimeoutException gaveUp) {
                        failure = e + " (" + failures + " attempts; " + gaveUp.getMessage() + ")";
                        return;
                    }
                }
            }
        }

        void stop() {
            Watch<V1Pod> w = current;
            if (w != null) {
                try {
                    w.close();
                } catch (IOException ignored) {
                    // closing the stream ends the loop
                }
            }
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /** {@code Kind/name} of the workload owning a pod: a ReplicaSet's Deployment (name minus the pod-template-hash), a StatefulSet, a DaemonSet. */
    static String workloadOf(V1Pod pod) {
        List<V1OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return "Pod/" + pod.getMetadata().getName();
        }
        for (V1OwnerReference o : owners) {
            if (!Boolean.TRUE.equals(o.getController())) {
                continue;
            }
            switch (o.getKind()) {
                case "ReplicaSet" -> {
                    Map<String, String> labels = pod.getMetadata().getLabels();
                    String hash = labels == null ? null : labels.get("pod-template-hash");
                    String rs = o.getName();
                    return "Deployment/" + (hash != null && rs.endsWith("-" + hash) ? rs.substring(0, rs.length() - hash.length() - 1) : rs);
                }
                case "StatefulSet", "DaemonSet" -> {
                    return o.getKind() + "/" + o.getName();
                }
                default -> {
                    return o.getKind() + "/" + o.getName();
                }
            }
        }
        return "Pod/" + pod.getMetadata().getName();
    }
}
