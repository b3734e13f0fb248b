package dev.revroll.cli;

import dev.revroll.engine.NoGitRecord;
import dev.revroll.engine.Preflight;
import dev.revroll.errors.UsageException;
import dev.revroll.git.Cloning;
import dev.revroll.plan.Plan;
import dev.revroll.plan.PlanLoader;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.Access;
import dev.revroll.ports.ClusterModel;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.MergePatch;
import dev.revroll.ports.ObjectRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code revroll manifests}: the RBAC it grants is exactly what preflight asks for, and the CronJob runs the plan. */
class InClusterManifestsTest {

    static final Cloning.Upstream GIT = new Cloning.Upstream("https://git.example.invalid/org/gitops.git", "main");

    @TempDir
    Path dir;

    static InClusterManifests manifests(Path file, Optional<String> schedule) throws IOException {
        Plan plan = PlanLoader.load(file);
        String text = Files.readString(file);
        return new InClusterManifests(plan, file, text, ManifestsCommand.rawGitRepo(text), new InClusterManifests.Options(
                "example.invalid/revroll:1", "ops", "rr", schedule, "rr-git", Optional.of(GIT)));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(InClusterManifests m) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object o : new Yaml().loadAll(m.yaml())) {
            docs.add((Map<String, Object>) o);
        }
        return docs;
    }

    static Map<String, Object> kind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).findFirst().orElseThrow(() -> new AssertionError("no " + kind));
    }

    /** "verb resource.group @scope" for every verb of every rule of a ClusterRole (scope cluster) or Role (its namespace). */
    @SuppressWarnings("unchecked")
    static Set<String> granted(Map<String, Object> role, String scope) {
        Set<String> out = new TreeSet<>();
        for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
            for (String group : (List<String>) rule.get("apiGroups")) {
                for (String resource : (List<String>) rule.get("resources")) {
                    for (String verb : (List<String>) rule.get("verbs")) {
                        out.add(verb + " " + resource + (group.isEmpty() ? "" : "." + group) + " @" + scope);
                    }
                }
            }
        }
        return out;
    }

    /** What preflight asks the API server, in the same words. */
    static Set<String> asked(Plan plan) {
        RecordingGateway gateway = new RecordingGateway();
        new Preflight(gateway, Optional.empty(), new NoGitRecord()).survey(plan);
        Set<String> out = new TreeSet<>();
        for (Access a : gateway.asked) {
            out.add(a.verb() + " " + a.resourceName() + " @" + (a.namespace().isEmpty() ? "cluster" : a.namespace()));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal.yaml", "mesh-1-24.yaml", "tag.yaml", "selector-waves.yaml", "demo.yaml"})
    void theRolesGrantExactlyWhatPreflightAsksFor(String example) throws IOException {
        Path file = Path.of("plans", example);
        InClusterManifests m = manifests(file, Optional.of("0 2 * * 6"));
        List<Map<String, Object>> docs = documents(m);
        Plan plan = PlanLoader.load(file);
        Set<String> granted = new TreeSet<>(granted(kind(docs, "ClusterRole"), "cluster"));
        granted.addAll(granted(kind(docs, "Role"), plan.spec().controlPlane().namespace()));
        assertEquals(asked(plan), granted);
        assertFalse(m.yaml().contains("'*'") || m.yaml().contains("\"*\"") || m.yaml().contains("- '*'"), "no wildcard");
    }

    @Test
    void theListFollowsThePlan() throws IOException {
        Path file = dir.resolve("deployments-only.yaml");
        Files.writeString(file, """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: small
                spec:
                  revision: {to: 1-28-0}
                  waves: [{name: all, namespaces: [demo]}]
                  restart: {kinds: [Deployment]}
                  gates: {proxySync: {enabled: false}, none: "the test asks only which permissions a run needs"}
                  window: {cron: "0 22 * * 1-4", duration: 4h, timeZone: Europe/Oslo}
                """);
        Set<String> asked = asked(PlanLoader.load(file));
        assertTrue(asked.contains("patch deployments.apps @cluster"), asked.toString());
        assertTrue(asked.contains("list replicasets.apps @cluster"), asked.toString());
        assertFalse(asked.stream().anyMatch(a -> a.contains("statefulsets") || a.contains("daemonsets")), "only the kinds it restarts: " + asked);
        assertFalse(asked.contains("delete pods @cluster"), "pods are deleted only for OnDelete StatefulSets");
        assertFalse(asked.stream().anyMatch(a -> a.contains("portforward")), "no proxy-sync gate, no port-forward");
        assertTrue(asked.contains("create leases.coordination.k8s.io @istio-system"), asked.toString());
        assertTrue(asked.contains("create events.events.k8s.io @cluster"), asked.toString());
    }

    @Test
    void theCronJobRunsThePlanAtTheWindowsStartOneAtATime() throws IOException {
        Path file = Path.of("plans", "mesh-1-24.yaml");
        InClusterManifests m = manifests(file, Optional.empty());
        List<Map<String, Object>> docs = documents(m);
        assertEquals(List.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "CronJob"),
                docs.stream().map(d -> d.get("kind")).toList());
        Map<String, Object> cronJob = kind(docs, "CronJob");
        Map<String, Object> spec = map(cronJob, "spec");
        assertEquals("0 22 * * 1-4", spec.get("schedule"));
        assertEquals("Europe/Oslo", spec.get("timeZone"));
        assertEquals("Forbid", spec.get("concurrencyPolicy"));
        assertEquals(4 * 3600, spec.get("startingDeadlineSeconds"));
        Map<String, Object> pod = map(map(map(spec, "jobTemplate"), "spec"), "template");
        Map<String, Object> podSpec = map(pod, "spec");
        assertEquals("rr", podSpec.get("serviceAccountName"));
        Map<String, Object> container = list(podSpec, "containers").get(0);
        assertEquals("example.invalid/revroll:1", container.get("image"));
        assertEquals(List.of("run", "/work/plan/mesh-1-24.yaml", "-o", "json", "--context", "prod-eu-1",
                "--git-clone", GIT.url(), "--git-branch", "main"), container.get("args"));
        assertTrue(list(container, "env").stream().anyMatch(e -> "REVROLL_GIT_TOKEN".equals(e.get("name"))
                && map(map(e, "valueFrom"), "secretKeyRef").get("name").equals("rr-git")), "the token comes from the Secret");
        assertFalse(m.yaml().contains("kind: Secret"), "the Secret is referenced, never created");

        Map<String, Object> configMap = kind(docs, "ConfigMap");
        assertEquals(Files.readString(file), map(configMap, "data").get("mesh-1-24.yaml"), "the plan byte for byte");
        assertEquals("istio-system", map(kind(docs, "Role"), "metadata").get("namespace"));
        assertEquals("ops", map(kind(docs, "ServiceAccount"), "metadata").get("namespace"));
        // ../gitops relative to /work/plan is /work/gitops, inside the writable work volume
        assertEquals(Optional.of("/work/gitops"), m.gitRepoInPod());
    }

    @Test
    void withoutAWindowTheScheduleMustBeGiven() throws IOException {
        Path file = Path.of("plans", "minimal.yaml");
        UsageException e = assertThrows(UsageException.class, () -> manifests(file, Optional.empty()).yaml());
        assertTrue(e.getMessage().contains("has no spec.window") && e.getMessage().contains("--schedule"), e.getMessage());
        Map<String, Object> spec = map(kind(documents(manifests(file, Optional.of("0 2 * * 6"))), "CronJob"), "spec");
        assertEquals("0 2 * * 6", spec.get("schedule"));
        assertFalse(spec.containsKey("timeZone"), "--schedule is in the cluster's time zone");
    }

    @Test
    void badSchedulesAndNamesAreUsageErrors() throws IOException {
        Path file = Path.of("plans", "minimal.yaml");
        assertTrue(assertThrows(UsageException.class, () -> manifests(file, Optional.of("0 2 * *")).yaml()).getMessage().contains("5"));
        assertTrue(assertThrows(UsageException.class, () -> manifests(file, Optional.of("0 2 * * 7")).yaml()).getMessage().contains("0 instead of 7"));
        Plan plan = PlanLoader.load(file);
        UsageException bad = assertThrows(UsageException.class, () -> new InClusterManifests(plan, file, Files.readString(file), Optional.empty(),
                new InClusterManifests.Options("img", "ops", "Not_A_Name", Optional.of("0 2 * * 6"), "s", Optional.empty())).yaml());
        assertTrue(bad.getMessage().startsWith("--name Not_A_Name"), bad.getMessage());
    }

    @Test
    void anAbsoluteGitRepoGetsItsOwnEmptyDirAndThePlansOwnDirectoryIsRefused() throws IOException {
        Path abs = dir.resolve("abs.yaml");
        Files.writeString(abs, gitPlan("/srv/gitops"));
        InClusterManifests m = manifests(abs, Optional.empty());
        assertEquals(Optional.of("/srv/gitops"), m.gitRepoInPod());
        assertTrue(m.yaml().contains("mountPath: /srv/gitops"), m.yaml());

        Path self = dir.resolve("self.yaml");
        Files.writeString(self, gitPlan("."));
        UsageException e = assertThrows(UsageException.class, () -> manifests(self, Optional.empty()).yaml());
        assertTrue(e.getMessage().contains("holds the plan file itself"), e.getMessage());
    }

    private static String gitPlan(String repo) {
        return """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: g
                spec:
                  revision: {to: 1-28-0}
                  waves: [{name: all, namespaces: [demo]}]
                  git: {repo: "%s", path: "ns/{{namespace}}.yaml"}
                  window: {cron: "0 22 * * 1-4", duration: 4h}
                """.formatted(repo);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> o, String key) {
        return (Map<String, Object>) o.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> o, String key) {
        return (List<Map<String, Object>>) o.get(key);
    }

    /** A cluster with nothing in it that answers every access review with yes and remembers the questions. */
    static final class RecordingGateway implements KubernetesGateway {
        final List<Access> asked = java.util.Collections.synchronizedList(new ArrayList<>());  // preflight asks side by side

        @Override
        public boolean allowed(Access access) {
            asked.add(access);
            return true;
        }

        @Override
        public String contextName() {
            return "test";
        }

        @Override
        public Optional<ClusterModel.NamespaceState> namespace(String name) {
            return Optional.empty();
        }

        @Override
        public List<ClusterModel.NamespaceState> namespaces(String labelSelector) {
            return List.of();
        }

        @Override
        public void patch(ObjectRef target, MergePatch patch, boolean dryRun) {
            throw new AssertionError("preflight writes nothing");
        }

        @Override
        public void delete(ClusterModel.PodRef pod, boolean dryRun) {
            throw new AssertionError("preflight writes nothing");
        }

        @Override
        public List<ClusterModel.Workload> workloads(String namespace, Set<WorkloadKind> kinds) {
            return List.of();
        }

        @Override
        public Optional<ClusterModel.Workload> workload(ClusterModel.WorkloadRef ref) {
            return Optional.empty();
        }

        @Override
        public ClusterModel.RolloutState rolloutState(ClusterModel.WorkloadRef ref) {
            throw new AssertionError("not in preflight");
        }

        @Override
        public List<ClusterModel.PodState> pods(String namespace) {
            return List.of();
        }

        @Override
        public List<ClusterModel.ClusterEvent> warningEvents(String namespace, Duration since) {
            return List.of();
        }

        @Override
        public List<ClusterModel.InjectorWebhook> injectorWebhooks() {
            return List.of();
        }

        @Override
        public List<ClusterModel.IstiodPod> istiodPods(String controlPlaneNamespace, String revision) {
            return List.of();
        }

        @Override
        public String podHttpGet(String namespace, String pod, int port, String path, Duration timeout) {
            throw new AssertionError("not in preflight");
        }

        @Override
        public Optional<String> configMapValue(String namespace, String name, String key) {
            return Optional.empty();
        }

        @Override
        public void createEvent(dev.revroll.ports.ClusterModel.ReportedEvent event) {
            throw new UnsupportedOperationException("preflight writes no Event");
        }
    }
}
