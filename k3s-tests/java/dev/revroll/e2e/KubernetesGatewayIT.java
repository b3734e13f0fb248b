package dev.revroll.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.cli.ExitCode;
import dev.revroll.cli.ExitCodes;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import dev.revroll.errors.JournalConflictException;
import dev.revroll.errors.LockedException;
import dev.revroll.errors.RevrollException;
import dev.revroll.kube.ClientJavaKubernetesGateway;
import dev.revroll.kube.ConfigMapJournalStore;
import dev.revroll.kube.KubeApiException;
import dev.revroll.kube.KubeConnection;
import dev.revroll.kube.LeaseRunLock;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.ClusterEvent;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.MergePatch;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.engine.step.Patches;
import dev.revroll.ports.JournalStore;
import dev.revroll.ports.RunLock;
import io.kubernetes.client.util.Config;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client-java adapter against the real test world: a real API server with real controllers (kwok nodes make pods
 * Ready) and real istiod revisions. Each test works in namespaces of its own ({@link WorldNamespaces}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(WorldNamespaces.class)
class KubernetesGatewayIT {

    private SandboxWorld cluster;
    private KubeConnection connection;
    private ClientJavaKubernetesGateway gateway;

    @BeforeAll
    void connect() {
        cluster = SandboxWorld.get();
        connection = KubeConnection.open(Optional.of(cluster.kubeconfig()), Optional.of(cluster.context()));
        gateway = new ClientJavaKubernetesGateway(connection);
    }

    // ---- connection

    @Test
    void connectionNamesItsContextAndRefusesAnUnknownOne() {
        assertEquals(cluster.context(), gateway.contextName());
        assertTrue(connection.server().startsWith("https://127.0.0.1:"), connection.server());
        RevrollException e = assertThrows(RevrollException.class,
                () -> KubeConnection.open(Optional.of(cluster.kubeconfig()), Optional.of("prod-eu-1")));
        assertEquals(ExitCode.INVALID, ExitCodes.of(e));
        assertTrue(e.getMessage().contains("'prod-eu-1'") && e.getMessage().contains(cluster.context()), e.getMessage());
        RevrollException missing = assertThrows(RevrollException.class,
                () -> KubeConnection.open(Optional.of(Path.of("/nonexistent/kubeconfig")), Optional.empty()));
        assertEquals(ExitCode.INVALID, ExitCodes.of(missing));
    }

    @Test
    void unreachableApiServerIsAClearMessage() throws IOException {
        String kubeconfig = Files.readString(cluster.kubeconfig()).replaceAll("server: https://127\\.0\\.0\\.1:\\d+", "server: https://127.0.0.1:1");
        Path file = Files.createTempFile("revroll-unreachable", ".yaml");
        Files.writeString(file, kubeconfig);
        ClientJavaKubernetesGateway unreachable = new ClientJavaKubernetesGateway(KubeConnection.open(Optional.of(file), Optional.empty()));
        KubeApiException e = assertThrows(KubeApiException.class, () -> unreachable.namespace("default"));
        assertEquals(0, e.httpCode());
        assertTrue(e.getMessage().startsWith("cannot reach the Kubernetes API at https://127.0.0.1:1 (context " + cluster.context() + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void aForbiddenCallSaysWhoMayNotDoWhat(TestNamespaces namespaces) {
        String ns = namespaces.create("rbac", Map.of());
        cluster.kubectl("create", "serviceaccount", "nobody", "-n", ns);
        String token = cluster.kubectl("create", "token", "nobody", "-n", ns).strip();
        KubeConnection restricted = KubeConnection.of(Config.fromToken(connection.server(), token, false), "restricted");
        ClientJavaKubernetesGateway nobody = new ClientJavaKubernetesGateway(restricted);
        KubeApiException e = assertThrows(KubeApiException.class,
                () -> patchNamespace(nobody, ns, Map.of("istio.io/rev", "1-28-0"), Map.of(), false));
        assertEquals(403, e.httpCode());
        assertEquals(Optional.of("Forbidden"), e.reason());
        assertTrue(e.getMessage().startsWith("cannot patch Namespace " + ns + ": HTTP 403 Forbidden: "), e.getMessage());
        assertTrue(e.getMessage().contains("system:serviceaccount:" + ns + ":nobody") && e.getMessage().contains("RBAC"), e.getMessage());
        assertFalse(gateway.namespace(ns).orElseThrow().labels().containsKey("istio.io/rev"));
        KubeApiException lock = assertThrows(KubeApiException.class, () -> new LeaseRunLock(restricted, ns).acquire("run-x", Duration.ofMinutes(1)));
        assertEquals(403, lock.httpCode());
    }

    // ---- a fleet's survey

    @Test
    void aFleetsWorkloadsComeFromPagedListsAsPerNamespaceListsWouldGiveThemAndPerNamespaceWhenOnlyThatIsGranted(TestNamespaces namespaces) {
        List<String> names = new ArrayList<>();
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < ClientJavaKubernetesGateway.LIST_ALL_FROM + 2; i++) {
            String ns = namespaces.create("fleet" + i, Map.of());
            names.add(ns);
            if (i % 3 != 2) {  // every third namespace has no workload
                yaml.append(deployment(ns, "web", 1, "0", "1")).append("---\n").append(deployment(ns, "api", 1, "0", "1")).append("---\n");
            }
            if (i % 4 == 0) {
                yaml.append(statefulSet(ns, "db", 1, "RollingUpdate")).append("---\n");
            }
        }
        cluster.applyYaml(yaml.toString());
        names.add("revroll-no-such-namespace");
        Set<WorkloadKind> kinds = Set.of(WorkloadKind.Deployment, WorkloadKind.StatefulSet, WorkloadKind.DaemonSet);
        Map<String, List<Workload>> oneByOne = new java.util.LinkedHashMap<>();
        names.forEach(ns -> oneByOne.put(ns, gateway.workloads(ns, kinds)));

        // pages of 7 objects over every namespace of the world: many pages, most objects of other namespaces
        Map<String, List<Workload>> paged = new ClientJavaKubernetesGateway(connection).pagesOf(7).workloadsIn(names, kinds);

        assertEquals(refsOf(oneByOne), refsOf(paged));
        await("the fleet's pods are Ready", Duration.ofSeconds(90)).until(() -> names.stream().limit(names.size() - 1)
                .allMatch(ns -> gateway.pods(ns).size() == (names.indexOf(ns) % 3 == 2 ? 0 : 2) + (names.indexOf(ns) % 4 == 0 ? 1 : 0)
                        && gateway.pods(ns).stream().allMatch(PodState::ready)));
        Map<String, List<String>> podsOneByOne = new java.util.LinkedHashMap<>();
        names.forEach(ns -> podsOneByOne.put(ns, podsOf(gateway.pods(ns))));
        Map<String, List<String>> podsPaged = new java.util.LinkedHashMap<>();
        new ClientJavaKubernetesGateway(connection).pagesOf(7).podsIn(names).forEach((ns, ps) -> podsPaged.put(ns, podsOf(ps)));
        assertEquals(podsOneByOne, podsPaged);
        assertTrue(podsPaged.get(names.get(0)).stream().anyMatch(p -> p.endsWith("owner Deployment/" + names.get(0) + "/web")), podsPaged.get(names.get(0)).toString());
        assertEquals(List.of("Deployment/api", "Deployment/web", "StatefulSet/db"),
                paged.get(names.get(0)).stream().map(w -> w.ref().key()).toList());
        assertEquals(List.of(), paged.get(names.get(2)));
        assertEquals(List.of(), paged.get("revroll-no-such-namespace"));

        // an identity granted only in the fleet's namespaces (a RoleBinding in each) gets the same, per namespace
        String home = names.get(0);
        cluster.kubectl("create", "serviceaccount", "lister", "-n", home);
        for (String ns : names.subList(0, names.size() - 1)) {
            cluster.kubectl("create", "rolebinding", "lister", "--clusterrole=view", "--serviceaccount=" + home + ":lister", "-n", ns);
        }
        String token = cluster.kubectl("create", "token", "lister", "-n", home).strip();
        ClientJavaKubernetesGateway lister = new ClientJavaKubernetesGateway(
                KubeConnection.of(Config.fromToken(connection.server(), token, false), "lister"));
        Map<String, List<Workload>> granted = lister.workloadsIn(names.subList(0, names.size() - 1), kinds);
        Map<String, List<Workload>> expected = new java.util.LinkedHashMap<>(oneByOne);
        expected.remove("revroll-no-such-namespace");
        assertEquals(refsOf(expected), refsOf(granted));
        Map<String, List<String>> podsGranted = new java.util.LinkedHashMap<>();
        lister.podsIn(names.subList(0, names.size() - 1)).forEach((ns, ps) -> podsGranted.put(ns, podsOf(ps)));
        Map<String, List<String>> podsExpected = new java.util.LinkedHashMap<>(podsOneByOne);
        podsExpected.remove("revroll-no-such-namespace");
        assertEquals(podsExpected, podsGranted);
    }

    private static List<String> podsOf(List<PodState> pods) {
        return pods.stream().map(p -> p.name() + " owner " + p.owner().map(o -> o.kind() + "/" + o.namespace() + "/" + o.name()).orElse("-")).toList();
    }

    private static Map<String, List<String>> refsOf(Map<String, List<Workload>> by) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        by.forEach((ns, ws) -> out.put(ns, ws.stream().map(w -> w.ref().key() + " replicas=" + w.replicas()).toList()));
        return out;
    }

    // ---- namespaces

    @Test
    void namespaceMergePatchSetsAndRemovesLabelsAndDryRunChangesNothing(TestNamespaces namespaces) {
        String ns = namespaces.create("relabel", Map.of("istio-injection", "enabled", "team", "shop"));
        Map<String, String> labels = new HashMap<>();
        labels.put("istio.io/rev", "1-28-0");
        labels.put("istio-injection", null);
        Map<String, String> annotations = Map.of("revroll.dev/previous-labels", "{\"istio-injection\":\"enabled\",\"istio.io/rev\":null}");

        patchNamespace(gateway, ns, labels, annotations, true);
        NamespaceState untouched = gateway.namespace(ns).orElseThrow();
        assertEquals("enabled", untouched.labels().get("istio-injection"));
        assertFalse(untouched.labels().containsKey("istio.io/rev"));
        assertFalse(untouched.annotations().containsKey("revroll.dev/previous-labels"));

        patchNamespace(gateway, ns, labels, annotations, false);
        NamespaceState moved = gateway.namespace(ns).orElseThrow();
        assertEquals("1-28-0", moved.labels().get("istio.io/rev"));
        assertFalse(moved.labels().containsKey("istio-injection"));
        assertEquals("shop", moved.labels().get("team"));
        assertEquals(annotations.get("revroll.dev/previous-labels"), moved.annotations().get("revroll.dev/previous-labels"));
        assertTrue(cluster.kubectl("get", "namespace", ns, "-o", "jsonpath={.metadata.managedFields[*].manager}").contains("revroll"));

        Map<String, String> removeAnnotation = new HashMap<>();
        removeAnnotation.put("revroll.dev/previous-labels", null);
        patchNamespace(gateway, ns, Map.of(), removeAnnotation, false);
        assertFalse(gateway.namespace(ns).orElseThrow().annotations().containsKey("revroll.dev/previous-labels"));

        assertTrue(gateway.namespaces("team=shop").stream().anyMatch(n -> n.name().equals(ns)));
        assertTrue(gateway.namespace("revroll-no-such-namespace").isEmpty());
    }

    @Test
    void admissionRefusalIsReportedWithTheServersWordsEvenOnDryRun(TestNamespaces namespaces) {
        String ns = namespaces.create("admission", Map.of());
        cluster.applyYaml("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: revroll-it-forbidden-label}
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                    - apiGroups: [""]
                      apiVersions: ["v1"]
                      operations: ["UPDATE"]
                      resources: ["namespaces"]
                  validations:
                  - expression: "!has(object.metadata.labels) || !('revroll-it/forbidden' in object.metadata.labels)"
                    message: "revroll-it/forbidden may not be set"
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: revroll-it-forbidden-label}
                spec:
                  policyName: revroll-it-forbidden-label
                  validationActions: [Deny]
                """);
        KubeApiException refused = awaitValue(Duration.ofSeconds(30), "the admission policy to take effect", () -> {
            try {
                patchNamespace(gateway, ns, Map.of("revroll-it/forbidden", "yes"), Map.of(), true);
                return null;
            } catch (KubeApiException e) {
                return e;
            }
        });
        assertTrue(refused.getMessage().contains("revroll-it/forbidden may not be set"), refused.getMessage());
        assertTrue(refused.getMessage().contains("Namespace " + ns) && refused.getMessage().contains("HTTP " + refused.httpCode()), refused.getMessage());
        assertFalse(gateway.namespace(ns).orElseThrow().labels().containsKey("revroll-it/forbidden"));

        KubeApiException notFound = assertThrows(KubeApiException.class,
                () -> patchNamespace(gateway, "revroll-no-such-namespace", Map.of("a", "b"), Map.of(), false));
        assertEquals(404, notFound.httpCode());
        assertTrue(notFound.getMessage().contains("HTTP 404 NotFound") && notFound.getMessage().contains("not found"), notFound.getMessage());
    }

    // ---- workloads

    @Test
    void restartRollsAMakeBeforeBreakDeploymentToDone(TestNamespaces namespaces) {
        String ns = namespaces.create("restart", Map.of());
        cluster.applyYaml(deployment(ns, "web", 3, "0", "1"));
        WorkloadRef web = new WorkloadRef(WorkloadKind.Deployment, ns, "web");
        awaitDone(web, Duration.ofSeconds(90));
        Set<String> before = podNames(ns);

        gateway.patch(web, Patches.restart("2026-11-25T12:00:00Z"), true);
        assertFalse(gateway.workload(web).orElseThrow().podTemplateAnnotations().containsKey(Patches.RESTARTED_AT),
                "a dry-run restart changed the pod template");

        gateway.patch(web, Patches.restart("2026-11-25T12:00:00Z"), false);
        Workload restarted = gateway.workload(web).orElseThrow();
        assertEquals("2026-11-25T12:00:00Z", restarted.podTemplateAnnotations().get(Patches.RESTARTED_AT));
        assertEquals(Optional.of("0"), restarted.maxUnavailable());
        assertEquals(Optional.of("1"), restarted.maxSurge());

        List<RolloutState> seen = new CopyOnWriteArrayList<>();
        AtomicInteger fewestReady = new AtomicInteger(Integer.MAX_VALUE);
        await("the restart of " + web + " to roll out", Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            RolloutState state = gateway.rolloutState(web);
            seen.add(state);
            List<PodState> pods = gateway.pods(ns);
            fewestReady.accumulateAndGet((int) pods.stream().filter(p -> p.ready() && !p.deleting()).count(), Math::min);
            if (state.done()) {
                return true;
            }
            assertFalse(state.failed(), state.message());
            return false;
        });
        assertFalse(seen.get(0).done(), "the rollout was reported done right after the restart: " + seen.get(0).message());
        assertTrue(fewestReady.get() >= 3, "maxUnavailable 0 still saw only " + fewestReady + " ready pods");
        List<PodState> after = gateway.pods(ns).stream().filter(p -> !p.deleting()).toList();
        assertEquals(3, after.size());
        for (PodState p : after) {
            assertFalse(before.contains(p.name()), "pod " + p.name() + " survived the restart");
            assertEquals(Optional.of(web), p.owner(), "owner of " + p.name());
            assertTrue(p.ready());
            assertFalse(p.hasIstioProxy());
        }
        assertEquals(1, after.stream().map(p -> p.labels().get("pod-template-hash")).distinct().count());
    }

    @Test
    void patchRollingUpdateRoundTripsPerKind(TestNamespaces namespaces) {
        String ns = namespaces.create("surge", Map.of());
        cluster.applyYaml(deployment(ns, "api", 1, "25%", "25%"));
        WorkloadRef api = new WorkloadRef(WorkloadKind.Deployment, ns, "api");

        patchRollingUpdate(api, "0", "1", true);
        assertEquals(Optional.of("25%"), gateway.workload(api).orElseThrow().maxUnavailable(), "dry run changed the Deployment");
        patchRollingUpdate(api, "0", "1", false);
        Workload enforced = gateway.workload(api).orElseThrow();
        assertEquals(Optional.of("0"), enforced.maxUnavailable());
        assertEquals(Optional.of("1"), enforced.maxSurge());
        patchRollingUpdate(api, "25%", "25%", false);
        Workload restored = gateway.workload(api).orElseThrow();
        assertEquals(Optional.of("25%"), restored.maxUnavailable());
        assertEquals(Optional.of("25%"), restored.maxSurge());
        assertTrue(cluster.kubectl("get", "deployment", "api", "-n", ns, "-o", "jsonpath={.metadata.managedFields[*].manager}").contains("revroll"));

        cluster.applyYaml("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent, namespace: %s}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                      containers: [{name: agent, image: agent}]
                """.formatted(ns));
        WorkloadRef agent = new WorkloadRef(WorkloadKind.DaemonSet, ns, "agent");
        awaitDone(agent, Duration.ofSeconds(90));
        Workload daemon = gateway.workload(agent).orElseThrow();
        long nodes = cluster.kubectl("get", "nodes", "-o", "name").lines().filter(l -> !l.isBlank()).count();
        assertEquals(nodes, daemon.replicas(), "one pod per node");
        assertEquals(Optional.of("1"), daemon.maxUnavailable());
        assertEquals(Optional.of("0"), daemon.maxSurge());
        patchRollingUpdate(agent, "0", "1", false);
        assertEquals(Optional.of("0"), gateway.workload(agent).orElseThrow().maxUnavailable());
        assertEquals(Optional.of("1"), gateway.workload(agent).orElseThrow().maxSurge());
        gateway.patch(agent, Patches.restart("2026-11-25T12:01:00Z"), false);
        assertFalse(gateway.rolloutState(agent).done(), "a restarted DaemonSet is not done at once");
        awaitDone(agent, Duration.ofSeconds(120));
        assertEquals(nodes, gateway.pods(ns).stream().filter(p -> p.owner().equals(Optional.of(agent)) && !p.deleting()).count());
        patchRollingUpdate(agent, null, null, false);
        assertEquals(Optional.of("1"), gateway.workload(agent).orElseThrow().maxUnavailable(), "null removes: the API default comes back");
        assertEquals(Optional.of("0"), gateway.workload(agent).orElseThrow().maxSurge());

        cluster.applyYaml(statefulSet(ns, "db", 1, "RollingUpdate"));
        WorkloadRef db = new WorkloadRef(WorkloadKind.StatefulSet, ns, "db");
        patchRollingUpdate(db, "0", "1", false);
        Workload sts = gateway.workload(db).orElseThrow();
        assertTrue(sts.maxSurge().isEmpty(), "a StatefulSet has no maxSurge");
        assertTrue(sts.maxUnavailable().isEmpty() || sts.maxUnavailable().equals(Optional.of("1")),
                "maxUnavailable 0 means the default, one pod at a time: " + sts.maxUnavailable());
        patchRollingUpdate(db, "2", null, false);
        Optional<String> two = gateway.workload(db).orElseThrow().maxUnavailable();
        assertTrue(two.isEmpty() || two.equals(Optional.of("2")), "kept only where MaxUnavailableStatefulSet is on: " + two);
    }

    @Test
    void onDeleteStatefulSetPodsAreDeletedOneByOneAndComeBack(TestNamespaces namespaces) {
        String ns = namespaces.create("ondelete", Map.of());
        cluster.applyYaml(statefulSet(ns, "db", 2, "OnDelete"));
        WorkloadRef db = new WorkloadRef(WorkloadKind.StatefulSet, ns, "db");
        awaitDone(db, Duration.ofSeconds(90));
        assertEquals("OnDelete", gateway.workload(db).orElseThrow().strategyType());

        patchRollingUpdate(db, "0", "1", false);
        gateway.patch(db, Patches.restart("2026-11-25T12:02:00Z"), false);
        RolloutState waiting = awaitValue(Duration.ofSeconds(30), "the restart to be observed", () -> {
            RolloutState s = gateway.rolloutState(db);
            return s.message().contains("recreated") ? s : null;
        });
        assertFalse(waiting.done(), waiting.message());
        await("the OnDelete pods to stay as they are for 1.5s after the restart", Duration.ofSeconds(30))
                .during(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(250)).until(() -> !gateway.rolloutState(db).done());
        assertFalse(gateway.rolloutState(db).done(), "OnDelete pods must not roll by themselves");

        for (String pod : List.of("db-1", "db-0")) {
            String uid = cluster.kubectl("get", "pod", pod, "-n", ns, "-o", "jsonpath={.metadata.uid}");
            gateway.delete(new PodRef(ns, pod), false);
            gateway.delete(new PodRef(ns, pod), false);
            awaitValue(Duration.ofSeconds(90), pod + " to come back Ready", () -> gateway.pods(ns).stream()
                    .filter(p -> p.name().equals(pod) && p.ready() && !p.deleting()
                            && !uid.equals(cluster.kubectl("get", "pod", pod, "-n", ns, "-o", "jsonpath={.metadata.uid}")))
                    .findFirst().orElse(null));
        }
        awaitDone(db, Duration.ofSeconds(60));
        for (PodState p : gateway.pods(ns)) {
            assertEquals(Optional.of(db), p.owner());
        }
    }

    // ---- journal and lock

    @Test
    void journalCompareAndSwapRejectsAStaleVersion(TestNamespaces namespaces) {
        String ns = namespaces.create("journal", Map.of());
        JournalStore store = new ConfigMapJournalStore(connection, ns);
        String v1 = store.write("run-1", "mesh-1-28", "{\"steps\":[]}", Optional.empty());
        String v2 = store.write("run-1", "mesh-1-28", "{\"steps\":[1]}", Optional.of(v1));
        JournalConflictException stale = assertThrows(JournalConflictException.class,
                () -> store.write("run-1", "mesh-1-28", "{\"steps\":[\"lost\"]}", Optional.of(v1)));
        assertTrue(stale.getMessage().contains("run-1") && stale.getMessage().contains(v1) && stale.getMessage().contains(v2), stale.getMessage());
        assertThrows(JournalConflictException.class, () -> store.write("run-1", "mesh-1-28", "{}", Optional.empty()));
        JournalStore.Entry entry = store.read("run-1").orElseThrow();
        assertEquals("{\"steps\":[1]}", entry.document());
        assertEquals(v2, entry.version());
        assertEquals("mesh-1-28", entry.planName());

        store.write("run-2", "other-plan", "{}", Optional.empty());
        assertEquals(List.of("run-1"), store.list(Optional.of("mesh-1-28")).stream().map(JournalStore.Entry::runId).toList());
        assertEquals(2, store.list(Optional.empty()).size());
        assertTrue(store.read("run-404").isEmpty());
        String labels = cluster.kubectl("get", "configmap", "revroll-run-run-1", "-n", ns, "-o", "jsonpath={.metadata.labels}");
        assertTrue(labels.contains("\"app.kubernetes.io/managed-by\":\"revroll\"") && labels.contains("\"revroll.dev/plan\":\"mesh-1-28\""), labels);
    }

    @Test
    void leaseLockAdmitsOneHolderAndFreesWhenExpired(TestNamespaces namespaces) throws Exception {
        String ns = namespaces.create("lock", Map.of());
        RunLock lock = new LeaseRunLock(connection, ns);
        RunLock other = new LeaseRunLock(KubeConnection.open(Optional.of(cluster.kubeconfig()), Optional.empty()), ns);

        try (RunLock.Handle first = lock.acquire("run-a@host-1", Duration.ofMinutes(5))) {
            LockedException locked = assertThrows(LockedException.class, () -> other.acquire("run-b@host-2", Duration.ofMinutes(5)));
            assertEquals(ExitCode.LOCKED, ExitCodes.of(locked));
            assertTrue(locked.getMessage().contains("run-a@host-1") && locked.getMessage().contains(" since 20"), locked.getMessage());
            String renewBefore = cluster.kubectl("get", "lease", LeaseRunLock.NAME, "-n", ns, "-o", "jsonpath={.spec.renewTime}");
            Instant renewedAt = Instant.parse(renewBefore.strip());
            await("the clock to pass the lease's renewTime " + renewedAt, Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> Instant.now().truncatedTo(ChronoUnit.MICROS).isAfter(renewedAt));
            first.renew();
            String renewAfter = cluster.kubectl("get", "lease", LeaseRunLock.NAME, "-n", ns, "-o", "jsonpath={.spec.renewTime}");
            assertFalse(renewBefore.equals(renewAfter), "renew did not move renewTime");
        }
        assertTrue(cluster.kubectl("get", "lease", "-n", ns, "-o", "name").isBlank(), "release left the lease behind");

        String longAgo = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString().replace("Z", ".000000Z");
        cluster.applyYaml("""
                apiVersion: coordination.k8s.io/v1
                kind: Lease
                metadata: {name: revroll-lock, namespace: %s}
                spec:
                  holderIdentity: crashed-run@gone
                  acquireTime: "%s"
                  renewTime: "%s"
                  leaseDurationSeconds: 60
                """.formatted(ns, longAgo, longAgo));
        try (RunLock.Handle taken = other.acquire("run-c@host-2", Duration.ofMinutes(5))) {
            assertEquals("run-c@host-2", cluster.kubectl("get", "lease", LeaseRunLock.NAME, "-n", ns, "-o", "jsonpath={.spec.holderIdentity}"));
            assertEquals("1", cluster.kubectl("get", "lease", LeaseRunLock.NAME, "-n", ns, "-o", "jsonpath={.spec.leaseTransitions}"));
        }

        for (int round = 0; round < 3; round++) {
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<RunLock.Handle>> racers = new ArrayList<>();
            for (String holder : List.of("racer-1", "racer-2")) {
                RunLock l = holder.equals("racer-1") ? lock : other;
                racers.add(pool.submit(() -> {
                    go.await();
                    return l.acquire(holder, Duration.ofMinutes(1));
                }));
            }
            go.countDown();
            List<RunLock.Handle> winners = new ArrayList<>();
            int losers = 0;
            for (Future<RunLock.Handle> f : racers) {
                try {
                    winners.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof LockedException, String.valueOf(e.getCause()));
                    losers++;
                }
            }
            pool.shutdown();
            assertEquals(1, winners.size(), "exactly one racer wins (round " + round + ")");
            assertEquals(1, losers);
            winners.forEach(RunLock.Handle::close);
        }
    }

    // ---- istio-facing reads

    @Test
    void injectorWebhooksIstiodPodsEventsAndConfigMaps(TestNamespaces namespaces) {
        String cp = namespaces.create("istio-system", Map.of());
        String rev = "it-" + cp.substring(cp.length() - 6);
        cluster.applyYaml("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: istio-sidecar-injector-%1$s
                  labels: {istio.io/rev: "%1$s", app: sidecar-injector}
                webhooks:
                - name: rev.namespace.sidecar-injector.istio.io
                  clientConfig: {url: "https://127.0.0.1:1/inject"}
                  failurePolicy: Ignore
                  sideEffects: None
                  admissionReviewVersions: [v1]
                  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
                  namespaceSelector:
                    matchExpressions:
                    - {key: istio.io/rev, operator: In, values: ["%1$s"]}
                    - {key: istio-injection, operator: DoesNotExist}
                  objectSelector:
                    matchExpressions:
                    - {key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: istio-revision-tag-%1$s-canary
                  labels: {istio.io/rev: "%1$s", istio.io/tag: "%1$s-canary"}
                webhooks:
                - name: rev.object.sidecar-injector.istio.io
                  clientConfig: {url: "https://127.0.0.1:1/inject"}
                  failurePolicy: Ignore
                  sideEffects: None
                  admissionReviewVersions: [v1]
                  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
                  namespaceSelector:
                    matchLabels: {istio.io/rev: "%1$s-canary"}
                """.formatted(rev));
        List<InjectorWebhook> webhooks = gateway.injectorWebhooks().stream().filter(w -> w.name().contains(rev)).toList();
        assertEquals(2, webhooks.size(), webhooks.toString());
        InjectorWebhook injector = webhooks.stream().filter(w -> w.tag().isEmpty()).findFirst().orElseThrow();
        assertEquals(Optional.of(rev), injector.revision());
        assertEquals("rev.namespace.sidecar-injector.istio.io", injector.entries().get(0).name());
        assertTrue(injector.entries().get(0).namespaceSelector().matches(Map.of("istio.io/rev", rev)));
        assertFalse(injector.entries().get(0).namespaceSelector().matches(Map.of("istio.io/rev", rev, "istio-injection", "enabled")));
        assertFalse(injector.entries().get(0).objectSelector().matches(Map.of("sidecar.istio.io/inject", "false")));
        InjectorWebhook tag = webhooks.stream().filter(w -> w.tag().isPresent()).findFirst().orElseThrow();
        assertEquals(Optional.of(rev + "-canary"), tag.tag());
        assertEquals(Optional.of(rev), tag.revision());
        assertTrue(tag.entries().get(0).namespaceSelector().matches(Map.of("istio.io/rev", rev + "-canary")));
        assertTrue(tag.entries().get(0).objectSelector().matches(Map.of()), "no object selector matches every pod");

        cluster.applyYaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: istiod-%2$s-abc
                  namespace: %1$s
                  labels: {app: istiod, istio.io/rev: "%2$s"}
                spec:
                  containers: [{name: discovery, image: pilot}]
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: meshed
                  namespace: %1$s
                  annotations: {sidecar.istio.io/status: '{"revision":"%2$s"}'}
                spec:
                  initContainers: [{name: istio-proxy, image: proxyv2, restartPolicy: Always}]
                  containers: [{name: app, image: app}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-%2$s, namespace: %1$s}
                data: {mesh: "defaultConfig:\\n  holdApplicationUntilProxyStarts: true\\n"}
                ---
                apiVersion: v1
                kind: Event
                metadata: {name: rs-failed.1, namespace: %1$s}
                type: Warning
                reason: FailedCreate
                message: 'Error creating: Internal error occurred: failed calling webhook "rev.namespace.sidecar-injector.istio.io"'
                involvedObject: {kind: ReplicaSet, name: web-123, namespace: %1$s}
                firstTimestamp: "%3$s"
                lastTimestamp: "%3$s"
                count: 1
                source: {component: replicaset-controller}
                ---
                apiVersion: v1
                kind: Event
                metadata: {name: old-warning.1, namespace: %1$s}
                type: Warning
                reason: BackOff
                message: old
                involvedObject: {kind: Pod, name: gone, namespace: %1$s}
                firstTimestamp: "2020-01-01T00:00:00Z"
                lastTimestamp: "2020-01-01T00:00:00Z"
                count: 1
                source: {component: kubelet}
                ---
                apiVersion: v1
                kind: Event
                metadata: {name: normal.1, namespace: %1$s}
                type: Normal
                reason: Scheduled
                message: fine
                involvedObject: {kind: Pod, name: meshed, namespace: %1$s}
                firstTimestamp: "%3$s"
                lastTimestamp: "%3$s"
                count: 1
                source: {component: default-scheduler}
                """.formatted(cp, rev, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        awaitValue(Duration.ofSeconds(60), "the istiod pod to be Ready", () -> gateway.istiodPods(cp, rev).stream()
                .filter(p -> p.ready() && p.name().equals("istiod-" + rev + "-abc")).findFirst().orElse(null));
        assertTrue(gateway.istiodPods(cp, "no-such-rev").isEmpty());

        PodState meshed = gateway.pods(cp).stream().filter(p -> p.name().equals("meshed")).findFirst().orElseThrow();
        assertTrue(meshed.hasIstioProxy(), "a native sidecar named istio-proxy counts");
        assertTrue(meshed.owner().isEmpty());
        assertTrue(meshed.annotations().get("sidecar.istio.io/status").contains(rev));

        List<ClusterEvent> warnings = gateway.warningEvents(cp, Duration.ofMinutes(5));
        assertEquals(List.of("FailedCreate"), warnings.stream().map(ClusterEvent::reason).toList(), warnings.toString());
        assertEquals("ReplicaSet", warnings.get(0).involvedKind());
        assertEquals("web-123", warnings.get(0).involvedName());

        assertEquals(Optional.of("defaultConfig:\n  holdApplicationUntilProxyStarts: true\n"), gateway.configMapValue(cp, "istio-" + rev, "mesh"));
        assertTrue(gateway.configMapValue(cp, "istio-" + rev, "nope").isEmpty());
        assertTrue(gateway.configMapValue(cp, "no-such-configmap", "mesh").isEmpty());
    }

    @Test
    void podHttpGetSpeaksHttpThroughAnApiServerPortForward(TestNamespaces namespaces) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/debug/syncz", ex -> {
            byte[] body = "[{\"proxy\":\"web-1.shop\",\"cluster_sent\":\"abc\",\"cluster_acked\":\"abc\"}]".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 200; i++) {
                    out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        CountDownLatch testOver = new CountDownLatch(1);
        server.createContext("/slow", ex -> {
            try {
                // answers only once the test is over (at most 10s): slower than any timeout the test gives
                testOver.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        try {
            int port = server.getAddress().getPort();
            String ns = namespaces.create("forward", Map.of());
            cluster.applyYaml("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: istiod-x, namespace: %1$s, labels: {app: istiod}}
                    spec:
                      containers: [{name: discovery, image: pilot, ports: [{containerPort: 15014}]}]
                    ---
                    apiVersion: kwok.x-k8s.io/v1alpha1
                    kind: PortForward
                    metadata: {name: istiod-x, namespace: %1$s}
                    spec:
                      forwards:
                      - ports: [15014]
                        target: {address: 127.0.0.1, port: %2$d}
                    """.formatted(ns, port));
            awaitValue(Duration.ofSeconds(60), "the pod to run", () -> gateway.pods(ns).stream().filter(PodState::ready).findFirst().orElse(null));

            String syncz = awaitValue(Duration.ofSeconds(30), "the port-forward to answer", () -> {
                try {
                    return gateway.podHttpGet(ns, "istiod-x", 15014, "/debug/syncz", Duration.ofSeconds(10));
                } catch (KubeApiException e) {
                    System.err.println("[kube-it] not yet: " + e.getMessage());
                    return null;
                }
            });
            assertEquals("[{\"proxy\":\"web-1.shop\",\"cluster_sent\":\"abc\",\"cluster_acked\":\"abc\"}]", syncz);

            String chunked = gateway.podHttpGet(ns, "istiod-x", 15014, "/chunked", Duration.ofSeconds(10));
            assertEquals(200, chunked.lines().count());
            assertTrue(chunked.startsWith("line 0\n") && chunked.endsWith("line 199\n"));

            KubeApiException notFound = assertThrows(KubeApiException.class,
                    () -> gateway.podHttpGet(ns, "istiod-x", 15014, "/nope", Duration.ofSeconds(10)));
            assertEquals(404, notFound.httpCode());
            assertTrue(notFound.getMessage().contains("answered HTTP 404"), notFound.getMessage());

            Instant start = Instant.now();
            KubeApiException slow = assertThrows(KubeApiException.class,
                    () -> gateway.podHttpGet(ns, "istiod-x", 15014, "/slow", Duration.ofSeconds(2)));
            assertTrue(Duration.between(start, Instant.now()).toSeconds() < 8, "the timeout was not kept");
            assertTrue(slow.getMessage().contains("within 2s"), slow.getMessage());

            KubeApiException noPod = assertThrows(KubeApiException.class,
                    () -> gateway.podHttpGet(ns, "no-such-pod", 15014, "/debug/syncz", Duration.ofSeconds(5)));
            assertTrue(noPod.getMessage().contains("no-such-pod"), noPod.getMessage());
        } finally {
            testOver.countDown();
            server.stop(0);
        }
    }

    @Test
    void podHttpGetReadsARealIstiodsSyncStatusThroughThePortForward() {
        String cp = cluster.controlPlaneNamespace();
        for (String revision : List.of(cluster.oldRevision(), cluster.newRevision())) {
            String pod = awaitValue(Duration.ofSeconds(60), "a Ready istiod of " + revision, () -> gateway.istiodPods(cp, revision).stream()
                    .filter(p -> p.ready()).map(p -> p.name()).findFirst().orElse(null));
            String syncz = gateway.podHttpGet(cp, pod, 15014, "/debug/syncz", Duration.ofSeconds(20));
            assertTrue(syncz.strip().startsWith("["), "istiod " + revision + " /debug/syncz: " + syncz);
            String metrics = gateway.podHttpGet(cp, pod, 15014, "/metrics", Duration.ofSeconds(20));
            assertTrue(metrics.contains("pilot_xds") || metrics.contains("istiod_uptime_seconds"), "istiod " + revision + " /metrics");
        }
        // the seeded namespaces run on the old revision; the mesh agent's proxies of their pods show in its syncz
        String oldIstiod = gateway.istiodPods(cp, cluster.oldRevision()).stream().filter(p -> p.ready()).findFirst().orElseThrow().name();
        List<String> seeded = gateway.pods("web").stream().filter(p -> p.ready() && p.hasIstioProxy()).map(p -> p.name() + ".web").toList();
        assertFalse(seeded.isEmpty(), "the seeded namespace web has injected pods");
        awaitValue(Duration.ofSeconds(60), "a proxy of namespace web in the syncz of " + cluster.oldRevision(), () -> {
            JsonArray entries = JsonParser.parseString(gateway.podHttpGet(cp, oldIstiod, 15014, "/debug/syncz", Duration.ofSeconds(20))).getAsJsonArray();
            for (JsonElement e : entries) {
                if (e.getAsJsonObject().has("proxy") && seeded.contains(e.getAsJsonObject().get("proxy").getAsString())) {
                    return e;
                }
            }
            return null;
        });

        List<InjectorWebhook> injectors = gateway.injectorWebhooks();
        for (String revision : List.of(cluster.oldRevision(), cluster.newRevision())) {
            assertTrue(injectors.stream().anyMatch(w -> w.tag().isEmpty() && w.revision().equals(Optional.of(revision))
                    && w.entries().stream().anyMatch(e -> e.name().equals("rev.namespace.sidecar-injector.istio.io")
                    && e.namespaceSelector().matches(Map.of("istio.io/rev", revision)))), "injector of " + revision + ": " + injectors);
        }
        assertTrue(gateway.configMapValue(cp, "istio-" + cluster.newRevision(), "mesh").isPresent(), "mesh config of the new revision");
    }

    // ---- helpers

    private static String deployment(String ns, String name, int replicas, String maxUnavailable, String maxSurge) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  replicas: %3$d
                  selector: {matchLabels: {app: %2$s}}
                  strategy:
                    type: RollingUpdate
                    rollingUpdate: {maxUnavailable: %4$s, maxSurge: %5$s}
                  template:
                    metadata: {labels: {app: %2$s}}
                    spec:
                      containers: [{name: app, image: app}]
                """.formatted(ns, name, replicas, quoteIfPercent(maxUnavailable), quoteIfPercent(maxSurge));
    }

    private static String statefulSet(String ns, String name, int replicas, String strategy) {
        return """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  replicas: %3$d
                  serviceName: %2$s
                  selector: {matchLabels: {app: %2$s}}
                  updateStrategy: {type: %4$s}
                  template:
                    metadata: {labels: {app: %2$s}}
                    spec:
                      containers: [{name: db, image: db}]
                """.formatted(ns, name, replicas, strategy);
    }

    private static String quoteIfPercent(String v) {
        return v.endsWith("%") ? "\"" + v + "\"" : v;
    }

    private Set<String> podNames(String ns) {
        return gateway.pods(ns).stream().map(PodState::name).collect(Collectors.toSet());
    }

    private void awaitDone(WorkloadRef ref, Duration timeout) {
        RolloutState last = awaitValue(timeout, ref + " to roll out", () -> {
            RolloutState s = gateway.rolloutState(ref);
            assertFalse(s.failed(), s.message());
            return s.done() ? s : null;
        });
        assertTrue(last.done());
    }

    /** The probe's first non-null answer, asked every 250 ms. */
    private static <T> T awaitValue(Duration timeout, String what, Supplier<T> probe) {
        return await(what, timeout).pollInterval(Duration.ofMillis(250)).until(probe::get, Objects::nonNull);
    }

    /** One merge patch of the namespace's labels and annotations (a null value removes), as the engine sends it. */
    static void patchNamespace(KubernetesGateway gateway, String ns, Map<String, String> labels, Map<String, String> annotations, boolean dryRun) {
        gateway.patch(new NamespaceRef(ns), new MergePatch().setAll(labels, "metadata", "labels").setAll(annotations, "metadata", "annotations"), dryRun);
    }

    /** The kind's rolling-update knobs, as the engine's surge actions patch them. */
    private void patchRollingUpdate(WorkloadRef ref, String maxUnavailable, String maxSurge, boolean dryRun) {
        Workload w = gateway.workload(ref).orElseThrow();
        Patches.rollingUpdate(w, maxUnavailable, maxSurge).ifPresent(p -> gateway.patch(ref, p, dryRun));
    }
}
