package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test world is real (issue 6, section 6): each test here would fail if a part of the world were faked.
 */
@ExtendWith(WorldNamespaces.class)
@Isolated("stops and starts an istiod of the world")
@Needs({WorldFeature.MESH_AGENT_FAULTS, WorldFeature.ISTIOD_STOP_START, WorldFeature.PODS_OF_ANY_IMAGE})
class WorldIT {

    private static SandboxWorld world;

    @BeforeAll
    static void startWorld() {
        world = SandboxWorld.get();
    }

    // ---- injection follows Istio's selector table --------------------------------------------------------------

    @Test
    void injectionFollowsIstiosSelectorTable(TestNamespaces namespaces) {
        String oldRev = world.oldRevision();
        String newRev = world.newRevision();

        String byRevision = namespaces.create("inj-rev", Map.of("istio.io/rev", newRev));
        createPod(byRevision, "plain", Map.of());
        assertEquals(Optional.of(newRev), injectedBy(byRevision, "plain"), "istio.io/rev on the namespace picks the injector");

        // istio-injection=enabled beats istio.io/rev: the default tag (first install = old revision) injects
        String both = namespaces.create("inj-both", Map.of("istio.io/rev", newRev, "istio-injection", "enabled"));
        createPod(both, "plain", Map.of());
        assertEquals(Optional.of(oldRev), injectedBy(both, "plain"), "istio-injection=enabled must beat istio.io/rev");

        // a pod-level istio.io/rev counts in an unlabelled namespace
        String unlabelled = namespaces.create("inj-none", Map.of());
        createPod(unlabelled, "plain", Map.of());
        createPod(unlabelled, "pod-rev", Map.of("istio.io/rev", newRev));
        assertEquals(Optional.empty(), injectedBy(unlabelled, "plain"), "an unlabelled namespace gets no sidecar");
        assertEquals(Optional.of(newRev), injectedBy(unlabelled, "pod-rev"), "pod label istio.io/rev in an unlabelled namespace");

        // sidecar.istio.io/inject=false opts a pod out
        createPod(byRevision, "opted-out", Map.of("sidecar.istio.io/inject", "false"));
        assertEquals(Optional.empty(), injectedBy(byRevision, "opted-out"), "sidecar.istio.io/inject=false opts out");
    }

    @Test
    void aTagSetWithIstioctlInjectsTheRevisionItPointsAt(TestNamespaces namespaces) {
        String tag = "e2e-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        world.istioctl("tag", "set", tag, "--revision", world.newRevision(), "-y");
        try {
            await("tag webhook istio-revision-tag-" + tag + " to call the local istiod with a CA bundle", Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(RuntimeException.class).until(() -> {
                        String got = world.kubectl("get", "mutatingwebhookconfiguration", "istio-revision-tag-" + tag, "-o",
                                "jsonpath={range .webhooks[*]}{.clientConfig.url}|{.clientConfig.caBundle}{\"\\n\"}{end}");
                        return !got.isBlank() && got.lines().allMatch(l -> l.matches("https://127\\.0\\.0\\.1:\\d+/.+\\|.+"));
                    });
            String ns = namespaces.create("inj-tag", Map.of("istio.io/rev", tag));
            createPod(ns, "tagged", Map.of());
            assertEquals(Optional.of(world.newRevision()), injectedBy(ns, "tagged"), "a namespace on tag " + tag);
        } finally {
            world.istioctl("tag", "remove", tag, "-y");
        }
    }

    @Test
    void whileAnInjectorIsDownItsPodsCannotBeCreatedAndItsIstiodPodIsUnready(TestNamespaces namespaces) {
        String rev = world.newRevision();
        String ns = namespaces.create("outage", Map.of("istio.io/rev", rev));
        world.stopIstiod(rev);
        try {
            await("pod istiod-" + rev + " unready", Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(RuntimeException.class)
                    .until(() -> world.kubectl("-n", world.controlPlaneNamespace(), "get", "pod", "-l", "app=istiod,istio.io/rev=" + rev,
                            "-o", "jsonpath={.items[0].status.conditions[?(@.type==\"Ready\")].status}").trim().equals("False"));
            world.applyYaml(deployment(ns, "blocked", 1));
            await("FailedCreate of the ReplicaSet while the injector is down", Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(RuntimeException.class).until(() -> world
                            .kubectl("-n", ns, "get", "events", "--field-selector", "reason=FailedCreate", "-o", "name").contains("event"));
            assertTrue(pods(ns, "app=blocked").isEmpty(), "no pod without its injector");
        } finally {
            world.startIstiod(rev);
        }
        world.kubectl("-n", ns, "rollout", "status", "deployment/blocked", "--timeout=120s");
        assertEquals(Optional.of(rev), injectedBy(ns, pods(ns, "app=blocked").get(0)));
    }

    // ---- make-before-break restart -------------------------------------------------------------------------------

    @Test
    void aSurgeRolloutShowsInReplicaSetHistory(TestNamespaces namespaces) {
        String ns = namespaces.create("surge", Map.of("istio.io/rev", world.oldRevision()));
        world.applyYaml(deployment(ns, "web", 4));
        world.kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=120s");

        world.kubectl("label", "namespace", ns, "istio.io/rev=" + world.newRevision(), "--overwrite");
        world.kubectl("-n", ns, "rollout", "restart", "deployment/web");
        world.kubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=180s");

        String history = world.kubectl("-n", ns, "rollout", "history", "deployment/web");
        assertTrue(history.lines().anyMatch(l -> l.trim().startsWith("1")) && history.lines().anyMatch(l -> l.trim().startsWith("2")),
                "two revisions in the rollout history:\n" + history);
        String replicaSets = world.kubectl("-n", ns, "get", "replicaset", "-l", "app=web", "-o",
                "jsonpath={range .items[*]}{.metadata.annotations.deployment\\.kubernetes\\.io/revision}={.spec.replicas}{\"\\n\"}{end}");
        assertEquals(List.of("1=0", "2=4"), replicaSets.lines().sorted().toList(), "old ReplicaSet scaled to 0, new one to 4");

        // one pod at a time: after the creation of the first ReplicaSet, every scaling step moves a ReplicaSet by exactly one
        String firstReplicaSet = world.kubectl("-n", ns, "get", "replicaset", "-l", "app=web", "-o",
                "jsonpath={.items[?(@.metadata.annotations.deployment\\.kubernetes\\.io/revision==\"1\")].metadata.name}").trim();
        Pattern scaled = Pattern.compile("Scaled (up|down) replica set (\\S+) from (\\d+) to (\\d+)");
        String events = world.kubectl("-n", ns, "get", "events", "--field-selector", "involvedObject.kind=Deployment,involvedObject.name=web",
                "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}");
        List<String> steps = new ArrayList<>();
        for (String line : events.lines().toList()) {
            Matcher m = scaled.matcher(line);
            if (!m.find() || m.group(2).equals(firstReplicaSet) && m.group(1).equals("up")) {
                continue;
            }
            steps.add(line);
            assertEquals(1, Math.abs(Integer.parseInt(m.group(4)) - Integer.parseInt(m.group(3))),
                    "surge rollout moves one pod at a time: " + line);
        }
        assertTrue(steps.size() >= 4, "the restart scaled step by step:\n" + events);
        for (String pod : pods(ns, "app=web")) {
            assertEquals(Optional.of(world.newRevision()), injectedBy(ns, pod), "pod " + pod + " after the restart");
        }
    }

    // ---- proxy sync: istiod's own /debug/syncz through a port-forward --------------------------------------------

    @Test
    void injectedPodsAreSyncedInTheirIstiodAndAStaleFaultShows(TestNamespaces namespaces) {
        String rev = world.oldRevision();
        String ns = namespaces.create("sync", Map.of("istio.io/rev", rev));
        world.applyYaml(deployment(ns, "api", 2));
        world.kubectl("-n", ns, "rollout", "status", "deployment/api", "--timeout=120s");
        List<String> pods = pods(ns, "app=api");
        assertEquals(2, pods.size());

        try (SandboxWorld.PortForward pf = world.portForward(world.controlPlaneNamespace(), world.istiodPod(rev), 15014)) {
            String syncz = "http://127.0.0.1:" + pf.localPort() + "/debug/syncz";
            for (String pod : pods) {
                await(pod + "." + ns + " SYNCED in istiod " + rev, Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(RuntimeException.class)
                        .until(() -> syncState(world.httpGet(syncz), pod + "." + ns), Optional.of("SYNCED")::equals);
            }

            // control: a healthy proxy ACKs the push a config change causes, so it is SYNCED again
            String proxy = pods.get(0) + "." + ns;
            world.applyYaml(service(ns, "push-control"));
            await(proxy + " SYNCED after a push", Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(RuntimeException.class)
                    .until(() -> syncState(world.httpGet(syncz), proxy), Optional.of("SYNCED")::equals);

            world.setFault(Fault.proxy(ns, Optional.empty(), "stale"));
            try {
                // a config change in the namespace makes istiod push again; a stale proxy never ACKs it. STALE must hold,
                // not flicker while a push is in flight: three checks in a row, a second apart.
                int[] streak = {0};
                await(proxy + " STALE in three checks in a row", Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .ignoreExceptionsInstanceOf(RuntimeException.class).until(() -> {
                            world.applyYaml(service(ns, "push"));
                            boolean stale = syncState(world.httpGet(syncz), proxy).filter("STALE"::equals).isPresent();
                            streak[0] = stale ? streak[0] + 1 : 0;
                            return streak[0] >= 3;
                        });
            } finally {
                world.clearFaults(ns);
            }
            await(proxy + " SYNCED again once the fault is cleared", Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptionsInstanceOf(RuntimeException.class)
                    .until(() -> syncState(world.httpGet(syncz), proxy), Optional.of("SYNCED")::equals);
        }
    }

    // ---- traffic in Prometheus; a revision fault shows only after pods move -----------------------------------------

    @Test
    void revisionTrafficShowsInPrometheusAndARevisionFaultOnlyAfterPodsMove(TestNamespaces namespaces) {
        String ns = namespaces.create("traffic", Map.of("istio.io/rev", world.oldRevision()));
        world.applyYaml(deployment(ns, "shop", 2));
        world.kubectl("-n", ns, "rollout", "status", "deployment/shop", "--timeout=120s");

        String requests = "sum(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"" + ns + "\"})";
        await("traffic of " + ns + " in Prometheus", Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(RuntimeException.class)
                .until(() -> value(requests).filter(v -> v > 0).isPresent());

        world.setFault(Fault.errors(ns, Optional.of(world.newRevision()), 0.5, 503, "UH"));
        try {
            String errors = "sum(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"" + ns
                    + "\",response_code=\"503\"}) or vector(0)";
            // The fault names the new revision; pods still run the old one. The mesh agent serves a second of traffic
            // per pass and reads the faults at the start of each pass, so of two counts made after the fault was set the
            // second was made under it; once Prometheus holds that count, a fault wrongly applied would show as 503s.
            double countedAtFault = agentRequests(ns);
            double countedUnderFault = await("a count of " + ns + "'s traffic by the mesh agent after the fault was set",
                    Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> agentRequests(ns), n -> n > countedAtFault);
            await("the mesh agent's count of " + ns + "'s traffic under the fault in Prometheus", Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(RuntimeException.class)
                    .until(() -> value(requests).filter(v -> v > countedUnderFault).isPresent());
            assertEquals(Optional.of(0.0), value(errors), "no 503 while pods run " + world.oldRevision());

            world.kubectl("label", "namespace", ns, "istio.io/rev=" + world.newRevision(), "--overwrite");
            world.kubectl("-n", ns, "rollout", "restart", "deployment/shop");
            world.kubectl("-n", ns, "rollout", "status", "deployment/shop", "--timeout=180s");
            await("503s of " + ns + " on " + world.newRevision() + " in Prometheus", Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(RuntimeException.class).until(() -> value(errors).filter(v -> v > 0).isPresent());
        } finally {
            world.clearFaults(ns);
        }
    }

    // ---- Git remote: a push refused by a pre-receive hook --------------------------------------------------------

    @Test
    void aPushRejectedByAPreReceiveHookIsReportedByGit(@TempDir Path tmp) throws Exception {
        String name = "e2e-refusing-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + ".git";
        Path bare = world.gitBare().getParent().resolve(name);
        try (Git ignored = Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call()) {
            Path hook = bare.resolve("hooks/pre-receive");
            Files.createDirectories(hook.getParent());
            Files.writeString(hook, "#!/bin/sh\necho 'revroll e2e: this remote refuses every push' >&2\nexit 1\n");
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String remote = world.gitRemote().replace("gitops.git", name);
        try (Git git = Git.init().setDirectory(tmp.resolve("work").toFile()).setInitialBranch("main").call()) {
            Files.writeString(tmp.resolve("work/README.md"), "refused\n");
            git.add().addFilepattern("README.md").call();
            git.commit().setMessage("a commit the remote refuses").setAuthor("e2e", "e2e@revroll.invalid")
                    .setCommitter("e2e", "e2e@revroll.invalid").setSign(false).call();
            Iterable<PushResult> results = git.push().setRemote(remote).add("main").call();
            RemoteRefUpdate update = results.iterator().next().getRemoteUpdate("refs/heads/main");
            assertEquals(RemoteRefUpdate.Status.REJECTED_OTHER_REASON, update.getStatus());
            assertTrue(String.valueOf(update.getMessage()).contains("pre-receive hook declined"), "message: " + update.getMessage());
        }
        try (Git bareRepo = Git.open(bare.toFile())) {
            assertFalse(bareRepo.getRepository().getRefDatabase().hasRefs(), "the refused push left no branch behind");
        }

        // control: the world's gitops remote takes a push over the same network path
        try (Git clone = Git.cloneRepository().setURI(world.gitRemote()).setDirectory(tmp.resolve("clone").toFile()).call()) {
            Files.writeString(tmp.resolve("clone/e2e.txt"), "accepted\n");
            clone.add().addFilepattern("e2e.txt").call();
            clone.commit().setMessage("e2e push").setAuthor("e2e", "e2e@revroll.invalid")
                    .setCommitter("e2e", "e2e@revroll.invalid").setSign(false).call();
            String branch = "e2e-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
            PushResult result = clone.push().add("HEAD:refs/heads/" + branch).call().iterator().next();
            assertEquals(RemoteRefUpdate.Status.OK, result.getRemoteUpdate("refs/heads/" + branch).getStatus());
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static void createPod(String ns, String name, Map<String, String> labels) {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns
                + "\n  labels:\n    app: " + name + "\n");
        labels.forEach((k, v) -> yaml.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        yaml.append("spec:\n  containers:\n  - name: app\n    image: example.invalid/app:1\n");
        world.applyYaml(yaml.toString());
    }

    /** The revision in the pod's sidecar.istio.io/status annotation, if it has an istio-proxy sidecar. */
    private static Optional<String> injectedBy(String ns, String pod) {
        JsonObject json = JsonParser.parseString(world.kubectl("-n", ns, "get", "pod", pod, "-o", "json")).getAsJsonObject();
        JsonObject annotations = json.getAsJsonObject("metadata").getAsJsonObject("annotations");
        boolean proxy = false;
        for (String list : List.of("containers", "initContainers")) {
            JsonArray cs = json.getAsJsonObject("spec").getAsJsonArray(list);
            if (cs != null) {
                for (JsonElement c : cs) {
                    proxy |= c.getAsJsonObject().get("name").getAsString().equals("istio-proxy");
                }
            }
        }
        if (annotations == null || !annotations.has("sidecar.istio.io/status")) {
            assertFalse(proxy, "istio-proxy without sidecar.istio.io/status on " + pod);
            return Optional.empty();
        }
        assertTrue(proxy, "sidecar.istio.io/status without an istio-proxy container on " + pod);
        JsonObject status = JsonParser.parseString(annotations.get("sidecar.istio.io/status").getAsString()).getAsJsonObject();
        return Optional.of(status.get("revision").getAsString());
    }

    private static List<String> pods(String ns, String selector) {
        String out = world.kubectl("-n", ns, "get", "pod", "-l", selector, "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** SYNCED / STALE / NOT SENT of a proxy in istiod's /debug/syncz (istioctl proxy-status' rule), empty if not connected. */
    private static Optional<String> syncState(String syncz, String proxyId) {
        for (JsonElement e : JsonParser.parseString(syncz).getAsJsonArray()) {
            JsonObject s = e.getAsJsonObject();
            if (!s.has("proxy") || !s.get("proxy").getAsString().equals(proxyId)) {
                continue;
            }
            String state = "SYNCED";
            for (String type : List.of("cluster", "listener")) {
                String sent = s.has(type + "_sent") ? s.get(type + "_sent").getAsString() : "";
                String acked = s.has(type + "_acked") ? s.get(type + "_acked").getAsString() : "";
                if (sent.isEmpty()) {
                    return Optional.of("NOT SENT");
                }
                if (!sent.equals(acked)) {
                    state = "STALE";
                }
            }
            for (String type : List.of("route", "endpoint")) {
                String sent = s.has(type + "_sent") ? s.get(type + "_sent").getAsString() : "";
                String acked = s.has(type + "_acked") ? s.get(type + "_acked").getAsString() : "";
                if (!sent.isEmpty() && !sent.equals(acked)) {
                    state = "STALE";
                }
            }
            return Optional.of(state);
        }
        return Optional.empty();
    }

    private static Optional<Double> value(String promql) {
        JsonObject answer = JsonParser.parseString(world.prometheusQuery(promql)).getAsJsonObject();
        JsonArray result = answer.getAsJsonObject("data").getAsJsonArray("result");
        if (result.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString()));
    }

    /** The mesh agent's own count of the namespace's requests (its /metrics), before Prometheus scrapes it. */
    private static double agentRequests(String ns) {
        String label = "destination_workload_namespace=\"" + ns + "\"";
        return world.httpGet(world.agentUrl() + "/metrics").lines()
                .filter(l -> l.startsWith("istio_requests_total{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String deployment(String ns, String name, int replicas) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %2$s
                  namespace: %1$s
                spec:
                  replicas: %3$d
                  selector: {matchLabels: {app: %2$s}}
                  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
                  template:
                    metadata:
                      labels: {app: %2$s}
                    spec:
                      containers:
                      - {name: app, image: example.invalid/%2$s:1}
                """.formatted(ns, name, replicas);
    }

    private static String service(String ns, String name) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %2$s
                  namespace: %1$s
                  annotations: {revroll.dev/e2e-push: "%3$d"}
                spec:
                  selector: {app: api}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """.formatted(ns, name, System.nanoTime());
    }
}
