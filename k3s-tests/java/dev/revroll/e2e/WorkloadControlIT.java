package dev.revroll.e2e;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.MidRollouts;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-workload control on the real world (docs/kubernetes-rollouts.md#per-workload-control): a {@code revroll.dev/skip}
 * workload keeps its old-revision pods and the run still passes proxy-sync and says so; {@code revroll.dev/order}
 * groups restart one after the other; {@code restart.maxConcurrentRestarts} holds, watched, forward and in the rollback;
 * a Recreate Deployment and a bare pod are listed (a finished Job's pod is not) with what a person must do, and {@code requireMakeBeforeBreak}
 * refuses with exit 3, changing nothing.
 */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class WorkloadControlIT {

    MeshFixture mesh;
    RevrollProcess.Running running;
    String runId;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @AfterEach
    void cleanUp() {
        if (running != null) {
            running.destroyIfAlive();
        }
        if (runId != null) {
            mesh.releaseLockOf(runId);
        }
    }

    /** Short gates, no bake: what this class proves is the restart, not the gates. */
    static String options(String restartExtra) {
        return """
                restart:
                  kinds: [Deployment]
                  surge: enforce
                  timeout: 2m
                %s
                gates:
                  proxySync:
                    timeout: 90s
                bake: 0s
                onFailure: rollback-step
                """.formatted(restartExtra.indent(2).stripTrailing());
    }

    /** A one-replica Deployment with these annotations, strategy and minReadySeconds (how long its rollout takes at least). */
    void deployment(String ns, String name, Map<String, String> annotations, String strategy, int minReadySeconds) {
        String ann = annotations.isEmpty() ? "{}" : "{" + annotations.entrySet().stream()
                .map(e -> e.getKey() + ": \"" + e.getValue() + "\"").collect(Collectors.joining(", ")) + "}";
        mesh.world.applyYaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  namespace: %s
                  annotations: %s
                spec:
                  replicas: 1
                  minReadySeconds: %d
                  selector:
                    matchLabels: {app: %s}
                  strategy: %s
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: app
                        image: example.com/%s:1
                """.formatted(name, ns, ann, minReadySeconds, name, strategy, name, name));
    }

    static final String MBB = "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}";

    /** The creation time of the workload's (one) pod on {@code revision}. */
    Instant podCreated(String ns, String app, String revision) {
        JsonObject list = JsonParser.parseString(mesh.world.kubectl("get", "pods", "-n", ns, "-l", "app=" + app, "-o", "json")).getAsJsonObject();
        for (JsonElement e : list.getAsJsonArray("items")) {
            JsonObject meta = e.getAsJsonObject().getAsJsonObject("metadata");
            String name = meta.get("name").getAsString();
            if (!meta.has("deletionTimestamp") && revision.equals(mesh.podRevisions(ns).get(name))) {
                return Instant.parse(meta.get("creationTimestamp").getAsString());
            }
        }
        throw new AssertionError("no pod of " + ns + "/" + app + " on " + revision + ": " + mesh.podRevisions(ns));
    }

    /** The revisions of the pods of one app ("app=NAME"). */
    List<String> revisionsOf(String ns, String app) {
        return mesh.podRevisions(ns).entrySet().stream().filter(e -> e.getKey().startsWith(app + "-")).map(Map.Entry::getValue).toList();
    }

    @Test
    void skippedWorkloadStaysBehindAndOrderedGroupsRestartOneAfterTheOther() {
        String ns = mesh.namespace("wlc-order", Map.of("istio.io/rev", mesh.world.oldRevision()));
        deployment(ns, "client", Map.of(), MBB, 3);
        deployment(ns, "db", Map.of("revroll.dev/order", "10"), MBB, 0);
        deployment(ns, "legacy", Map.of("revroll.dev/skip", "true"), MBB, 0);
        mesh.waitPods(ns, mesh.world.oldRevision());
        Path plan = mesh.plan("e2e-wlc-order", "- name: only\n  namespaces: [" + ns + "]\n", options(""));

        RevrollProcess.Result preview = RevrollProcess.run(mesh.world, "preview", plan.toString(), "-o", "text");
        assertEquals(0, preview.exitCode(), preview.toString());
        assertTrue(preview.out().contains("restart order: 1. order 0: Deployment/client → 2. order 10: Deployment/db"
                + " (each group rolled out before the next); a group's workloads all at once"), preview.out());
        assertTrue(preview.out().contains("left behind (revroll.dev/skip): Deployment/legacy stay on revision " + mesh.world.oldRevision()),
                preview.out());

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(0, run.exitCode(), run.toString());
        String old = mesh.world.oldRevision();
        String target = mesh.world.newRevision();
        assertEquals(List.of(old), revisionsOf(ns, "legacy"), "the skipped workload keeps its old-revision pod");
        assertEquals(List.of(target), revisionsOf(ns, "client"));
        assertEquals(List.of(target), revisionsOf(ns, "db"));
        assertEquals("", mesh.restartedAt(ns, "legacy"), "never restarted");
        // order: db's new pod was made only once client's rollout (3 s of minReadySeconds) was done
        Duration gap = Duration.between(podCreated(ns, "client", target), podCreated(ns, "db", target));
        assertTrue(gap.compareTo(Duration.ofSeconds(2)) >= 0, "db restarted " + gap + " after client");
        List<String> groups = MeshFixture.jsonLines(run.out(), "WAITING").stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject().get("message").getAsString())
                .filter(m -> m.startsWith("restart group")).toList();
        assertEquals(List.of("restart group 1 of 2 (order 0): Deployment/client", "restart group 1 of 2 (order 0) rolled out",
                "restart group 2 of 2 (order 10): Deployment/db", "restart group 2 of 2 (order 10) rolled out"), groups);
        // proxy-sync passed with the skipped workload's old pods, and says so
        String proxySync = MeshFixture.jsonLines(run.out(), "GATE_RESULT").stream().filter(l -> l.contains("\"gate\":\"proxy-sync\""))
                .findFirst().orElseThrow(() -> new AssertionError("no proxy-sync result in " + run.out()));
        assertTrue(proxySync.contains("proxy-sync: PASS"), proxySync);
        assertTrue(proxySync.contains("left behind (revroll.dev/skip), not checked: Deployment/legacy 1 pod(s) on " + old), proxySync);

        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", MeshFixture.runId(run.out()), "-o", "text");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("left behind (revroll.dev/skip): Deployment/legacy, not restarted, still on " + old), status.out());
        assertTrue(status.out().contains("restart order: 1. order 0: Deployment/client → 2. order 10: Deployment/db"), status.out());
    }

    @Test
    void theCapHoldsWatchedForwardAndInTheRollback() {
        String ns = mesh.namespace("wlc-cap", Map.of("istio.io/rev", mesh.world.oldRevision()));
        for (String name : List.of("a", "b", "c")) {
            deployment(ns, name, Map.of(), MBB, 2);
        }
        mesh.waitPods(ns, mesh.world.oldRevision());
        Path plan = mesh.plan("e2e-wlc-cap", "- name: only\n  namespaces: [" + ns + "]\n", options("maxConcurrentRestarts: 1"));

        RevrollProcess.Result run;
        try (MidRollouts watched = MidRollouts.watch(mesh.world, ns)) {
            run = RevrollProcess.run(mesh.world, "run", plan.toString());
            assertEquals(0, run.exitCode(), run.toString());
            watched.assertWatched();
            assertEquals(List.of("a", "b", "c"), watched.rolledOut(), "every Deployment rolled out");
            assertEquals(1, watched.most(), "at most one mid-rollout at once: " + watched.mostAt());
        }
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));

        try (MidRollouts watched = MidRollouts.watch(mesh.world, ns)) {
            RevrollProcess.Result back = RevrollProcess.run(mesh.world, "rollback", MeshFixture.runId(run.out()));
            assertEquals(0, back.exitCode(), back.toString());
            watched.assertWatched();
            assertEquals(List.of("a", "b", "c"), watched.rolledOut(), "every Deployment rolled back");
            assertEquals(1, watched.most(), "the rollback's restart holds the cap too: " + watched.mostAt());
        }
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
    }

    @Test
    void aRecreateDeploymentAndABarePodAreListedAFinishedJobPodIsNotAndTheRequirementRefusesChangingNothing() {
        String ns = mesh.namespace("wlc-mbb", Map.of("istio.io/rev", mesh.world.oldRevision()));
        deployment(ns, "web", Map.of(), MBB, 0);
        deployment(ns, "batch", Map.of(), "{type: Recreate}", 0);
        mesh.world.applyYaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: debug
                  namespace: %s
                spec:
                  containers:
                  - name: app
                    image: example.com/debug:1
                ---
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: backup
                  namespace: %s
                spec:
                  backoffLimit: 0
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: app
                        image: example.com/backup:1
                """.formatted(ns, ns));
        mesh.waitPods(ns, mesh.world.oldRevision());
        // kwok ends a Job's pod at once (its pod-complete stage): a finished Job pod is not live, so not listed; a
        // running one is (WorkloadControlTest), which this world cannot keep running
        await("the Job's pod Succeeded", Duration.ofMinutes(1)).until(() -> mesh.world.kubectl("get", "pods", "-n", ns, "-l", "job-name=backup",
                "-o", "jsonpath={.items[*].status.phase}").trim().equals("Succeeded"));
        String jobPod = mesh.world.kubectl("get", "pods", "-n", ns, "-l", "job-name=backup", "-o", "jsonpath={.items[0].metadata.name}").trim();
        Path gitops = mesh.gitopsClone("gitops", List.of(ns));
        String git = """
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                """.formatted(gitops);
        Path plan = mesh.plan("e2e-wlc-mbb", "- name: only\n  namespaces: [" + ns + "]\n", options("") + git);
        Path strict = mesh.plan("e2e-wlc-strict", "- name: only\n  namespaces: [" + ns + "]\n", options("requireMakeBeforeBreak: true") + git);

        RevrollProcess.Result preview = RevrollProcess.run(mesh.world, "preview", plan.toString(), "-o", "text");
        assertEquals(0, preview.exitCode(), preview.toString());
        assertTrue(preview.out().contains("not make-before-break: Deployment/batch: strategy Recreate: all 1 pod(s) are stopped before the new ones start"),
                preview.out());
        assertTrue(preview.out().contains("what a person must do: accept the gap, or set its strategy to RollingUpdate"), preview.out());
        assertTrue(preview.out().contains("not make-before-break: Pod/debug: a bare pod (no controller): revroll cannot restart it"), preview.out());
        assertFalse(preview.out().contains("Pod/" + jobPod), "a finished Job's pod is not listed: " + preview.out());

        Map<String, String> pods = mesh.podRevisions(ns);
        Map<String, String> labels = mesh.labels(ns);
        RevrollProcess.Result refused = RevrollProcess.run(mesh.world, "run", strict.toString());

        assertEquals(3, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("restart.requireMakeBeforeBreak: " + ns + "/Deployment/batch cannot be restarted make-before-break"),
                refused.err());
        assertTrue(refused.err().contains("restart.requireMakeBeforeBreak: " + ns + "/Pod/debug cannot be restarted make-before-break"), refused.err());
        assertFalse(refused.err().contains("Pod/" + jobPod), refused.err());
        assertFalse(refused.err().contains("Deployment/web"), refused.err());
        assertEquals(labels, mesh.labels(ns), "no label changed");
        assertEquals(pods, mesh.podRevisions(ns), "no pod was replaced");
        assertEquals("", mesh.restartedAt(ns, "web"));
        assertFalse(mesh.remoteLog(ns).stream().anyMatch(l -> l.contains("Revroll-Step")), "no commit on the remote: " + mesh.remoteLog(ns));

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(0, run.exitCode(), run.toString());
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", MeshFixture.runId(run.out()), "-o", "text");
        assertTrue(status.out().contains("not make-before-break: Deployment/batch: strategy Recreate"), status.out());
        assertTrue(status.out().contains("not make-before-break: Pod/debug: a bare pod (no controller): revroll cannot restart it; it stays on "
                + mesh.world.oldRevision()), status.out());
        assertTrue(status.out().contains("what a person must do: after the step, delete it and create it again"), status.out());
        assertEquals(mesh.world.oldRevision(), mesh.podRevisions(ns).get("debug"), "the bare pod is left as it was");
    }

    @Test
    void aRunKilledBetweenTwoGroupsResumesAtTheNextGroup() {
        String ns = mesh.namespace("wlc-kill", Map.of("istio.io/rev", mesh.world.oldRevision()));
        deployment(ns, "client", Map.of(), MBB, 0);
        deployment(ns, "db", Map.of("revroll.dev/order", "10"), MBB, 0);
        mesh.waitPods(ns, mesh.world.oldRevision());
        Path plan = mesh.plan("e2e-wlc-kill", "- name: only\n  namespaces: [" + ns + "]\n", options(""));

        running = RevrollProcess.start(mesh.world, Map.of("REVROLL_FAILPOINT", "in:restart-group"), "run", plan.toString());
        assertTrue(running.awaitFailpoint("in:restart-group", Duration.ofMinutes(5)).isPresent(), running.errors());
        String printed = running.kill();
        runId = MeshFixture.runId(printed);
        String clientAt = mesh.restartedAt(ns, "client");
        int clientReplicaSets = mesh.replicaSets(ns, "client");
        assertNotEquals("", clientAt, "the first group was restarted before the kill");
        assertEquals("", mesh.restartedAt(ns, "db"), "the second group was not");
        RevrollProcess.Result killed = RevrollProcess.run(mesh.world, "status", runId, "-o", "json");
        assertTrue(killed.out().contains("\"groupsRolledOut\" : 1"), killed.out());

        RevrollProcess.Result resumed = RevrollProcess.run(mesh.world, "resume", runId);

        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertEquals(clientAt, mesh.restartedAt(ns, "client"), "the first group is not restarted again");
        assertEquals(clientReplicaSets, mesh.replicaSets(ns, "client"));
        assertNotEquals("", mesh.restartedAt(ns, "db"));
        List<String> groups = MeshFixture.jsonLines(resumed.out(), "WAITING").stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject().get("message").getAsString())
                .filter(m -> m.startsWith("restart group")).toList();
        assertEquals(List.of("restart group 2 of 2 (order 10): Deployment/db", "restart group 2 of 2 (order 10) rolled out"), groups,
                "the resumed restart goes on at the second group");
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
    }
}
