package dev.revroll.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.revroll.e2e.GitDaemonRemote.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Git refusing in the middle of whole runs on the real world (issue: trust under faults), each against a remote of the
 * test's own (a {@code git daemon} it starts, stops and hooks): the remote going down between two steps, a push the
 * remote rejects, another writer's edit of a manifest between steps (kept), and a revert that cannot apply. Each ends either as an
 * unfaulted run would, or stopped with a message naming the Git problem, with the cluster, the remote and the journal
 * in step, and {@code resume} or {@code rollback} finishing the job.
 */
@ExtendWith(WorldNamespaces.class)
@Order(4) // among the longest classes: started first (pom.xml, e2e concurrency)
class GitFaultsIT {

    private static final String PATH = "clusters/e2e/namespaces/";

    @TempDir
    Path tmp;

    MeshFixture mesh;
    GitDaemonRemote remote;
    Path clone;
    /** The pods of both namespaces, watched from before the run to the test's end (make-before-break holds throughout). */
    AvailabilityFloor floor;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @AfterEach
    void stopRemote() throws InterruptedException {
        if (floor != null) {
            floor.close();
        }
        if (remote != null) {
            remote.close();
        }
    }

    /** Two namespaces on the old revision, each with one Deployment, their manifests on a remote of this test's own. */
    List<String> twoNamespaces(String prefix) throws Exception {
        String a = mesh.meshedNamespace(prefix + "-a", Map.of(), "web");
        String b = mesh.meshedNamespace(prefix + "-b", Map.of(), "web");
        Map<String, String> files = new LinkedHashMap<>();
        for (String ns : List.of(a, b)) {
            files.put(PATH + ns + ".yaml", mesh.namespaceManifest(ns));
        }
        floor = AvailabilityFloor.watch(mesh.world, a, b);
        remote = GitDaemonRemote.start(tmp, files);
        clone = remote.cloneTo(tmp.resolve("clone"));
        git(clone, "config", "user.name", "revroll e2e");
        git(clone, "config", "user.email", "e2e@revroll.invalid");
        return List.of(a, b);
    }

    Path plan(String name, String a, String b, String onFailure) {
        return mesh.plan(name, "- name: first\n  namespaces: [" + a + "]\n- name: second\n  namespaces: [" + b + "]\n",
                RunIT.gates().replace("onFailure: rollback-step", "onFailure: " + onFailure) + """
                        git:
                          repo: %s
                          path: %s{{namespace}}.yaml
                          push: true
                        """.formatted(clone, PATH));
    }

    /** The remote's commit subjects, newest first (the seed commit last). */
    List<String> remoteSubjects() throws Exception {
        return Arrays.stream(remote.inRemote("log", "--format=%s", "main").split("\n")).filter(l -> !l.isBlank()).toList();
    }

    long commitsFor(String ns) throws Exception {
        return remoteSubjects().stream().filter(s -> s.contains(ns) && s.contains(": move ")).count();
    }

    long revertsFor(String ns) throws Exception {
        return remoteSubjects().stream().filter(s -> s.contains(ns) && s.contains(": revert ")).count();
    }

    /** Starts {@code run PLAN} and returns once the step of {@code ns} has pushed its commit. */
    RevrollProcess.Running runUntilCommitted(Path plan, String ns) {
        RevrollProcess.Running running = RevrollProcess.start(mesh.world, "run", plan.toString());
        running.awaitLine("the commit of " + ns + "'s step pushed", Duration.ofMinutes(3), line -> line.contains("\"type\":\"ACTION_DONE\"")
                && line.contains("\"action\":\"git-commit\"") && line.contains(ns));
        return running;
    }

    /** Another writer's clone: replaces {@code from} by {@code to} in the manifest of {@code ns}, commits and pushes. */
    void otherWriterEdits(Path other, String ns, String from, String to, String subject) throws Exception {
        git(other, "pull", "-q", "origin", "main");
        Path manifest = other.resolve(PATH + ns + ".yaml");
        Files.writeString(manifest, Files.readString(manifest).replace("istio.io/rev: \"" + from + "\"", "istio.io/rev: \"" + to + "\""));
        git(other, "commit", "-q", "-am", subject);
        git(other, "push", "-q", "origin", "main");
    }

    JsonObject status(String runId) {
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", runId, "-o", "json");
        assertEquals(0, status.exitCode(), status.toString());
        return JsonParser.parseString(status.out()).getAsJsonObject();
    }

    void onRevision(String ns, String revision) {
        assertEquals(revision, mesh.labels(ns).get("istio.io/rev"), ns);
        mesh.waitPods(ns, revision);
    }

    @Test
    void theRemoteGoingDownBetweenStepsPausesBeforeTheClusterIsTouchedAndResumeFinishesOnceItIsBack() throws Exception {
        List<String> ns = twoNamespaces("git-down");
        String a = ns.get(0);
        String b = ns.get(1);
        Map<String, String> bPods = mesh.podRevisions(b);
        Path plan = plan("e2e-git-down", a, b, "pause");

        RevrollProcess.Running running = runUntilCommitted(plan, a);
        remote.down();
        RevrollProcess.Result paused = running.finish(Duration.ofMinutes(10));

        assertEquals(5, paused.exitCode(), paused.toString());
        assertTrue(paused.err().contains("git-commit") && paused.err().contains("127.0.0.1:" + remote.url().replaceAll(".*:(\\d+)/.*", "$1")),
                "the message names the action and the remote: " + paused.err());
        onRevision(a, mesh.world.newRevision());
        assertEquals(mesh.world.oldRevision(), mesh.labels(b).get("istio.io/rev"), "the second step stopped before its relabel");
        assertEquals(bPods, mesh.podRevisions(b), "and restarted nothing");
        String runId = MeshFixture.runId(paused.out());
        assertEquals("PAUSED", status(runId).get("state").getAsString());

        remote.up();
        RevrollProcess.Result resumed = RevrollProcess.run(mesh.world, "resume", runId);

        assertEquals(0, resumed.exitCode(), resumed.toString());
        onRevision(b, mesh.world.newRevision());
        assertEquals(1, commitsFor(a), remoteSubjects().toString());
        assertEquals(1, commitsFor(b), "one commit for the second step, never two: " + remoteSubjects());
        assertEquals(0, revertsFor(a) + revertsFor(b));
        assertTrue(remote.inRemote("show", "main:" + PATH + b + ".yaml").contains("istio.io/rev: \"" + mesh.world.newRevision() + "\""));
        assertEquals("DONE", status(runId).get("state").getAsString());
        floor.assertHeld();
    }

    @Test
    void aPushTheRemoteRejectsMidRunStopsThatStepBeforeTheClusterAndSaysWhy() throws Exception {
        List<String> ns = twoNamespaces("git-reject");
        String a = ns.get(0);
        String b = ns.get(1);
        Map<String, String> bLabels = mesh.labels(b);
        Path plan = plan("e2e-git-reject", a, b, "rollback-step");

        RevrollProcess.Running running = runUntilCommitted(plan, a);
        remote.preReceiveHook("echo 'e2e: main is protected during the change freeze' >&2\nexit 1");
        RevrollProcess.Result run = running.finish(Duration.ofMinutes(10));

        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("e2e: main is protected during the change freeze"), "the remote's own words: " + run.err());
        onRevision(a, mesh.world.newRevision());
        assertEquals(bLabels, mesh.labels(b), "the second step never relabelled");
        mesh.podRevisions(b).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        assertEquals(1, commitsFor(a));
        assertEquals(0, commitsFor(b), "nothing of the second step on the remote: " + remoteSubjects());
        assertFalse(git(clone, "status", "--porcelain").contains(b), "the clone is left clean");
        floor.assertHeld();
    }

    @Test
    void anotherWritersEditBetweenStepsIsKeptUnderTheStepsCommit() throws Exception {
        List<String> ns = twoNamespaces("git-edit");
        String a = ns.get(0);
        String b = ns.get(1);
        Path plan = plan("e2e-git-edit", a, b, "rollback-step");
        Path other = remote.cloneTo(tmp.resolve("other"));

        RevrollProcess.Running running = runUntilCommitted(plan, a);
        // while the first step restarts, someone adds a label to the second namespace's manifest
        git(other, "pull", "-q", "origin", "main");
        Path manifest = other.resolve(PATH + b + ".yaml");
        Files.writeString(manifest, Files.readString(manifest).replace("  labels:\n", "  labels:\n    team: \"payments\"\n"));
        git(other, "commit", "-q", "-am", "label " + b + " with its team");
        git(other, "push", "-q", "origin", "main");
        RevrollProcess.Result run = running.finish(Duration.ofMinutes(10));

        assertEquals(0, run.exitCode(), run.toString());
        onRevision(b, mesh.world.newRevision());
        String file = remote.inRemote("show", "main:" + PATH + b + ".yaml");
        assertTrue(file.contains("team: \"payments\"") && file.contains("istio.io/rev: \"" + mesh.world.newRevision() + "\""),
                "the other writer's label stays beside the step's change:\n" + file);
        assertEquals(1, commitsFor(a));
        assertEquals(List.of("label " + b + " with its team"), remoteSubjects().stream().filter(x -> x.contains(b) && x.startsWith("label")).toList());
        assertEquals(2, remoteSubjects().stream().filter(x -> x.contains(b)).count(), "their commit and the step's, nothing twice: " + remoteSubjects());
        floor.assertHeld();
    }

    @Test
    void aRevertThatCannotApplyLeavesTheClusterRolledBackAndSaysWhatToDoAndRollbackFinishesAfterGitIsFixed() throws Exception {
        List<String> ns = twoNamespaces("git-revert");
        String a = ns.get(0);
        String failing = ns.get(1);
        Map<String, String> before = mesh.labels(failing);
        mesh.world.setFault(Fault.errors(failing, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        Path plan = plan("e2e-git-revert", a, failing, "rollback-step");
        Path other = remote.cloneTo(tmp.resolve("other"));

        RevrollProcess.Running running = runUntilCommitted(plan, failing);
        // while its gate fails, someone edits the very lines revroll's commit changed: its revert cannot apply
        otherWriterEdits(other, failing, mesh.world.newRevision(), "someone-else", "hand edit of " + failing);
        RevrollProcess.Result run = running.finish(Duration.ofMinutes(10));

        assertEquals(4, run.exitCode(), "ROLLBACK_INCOMPLETE: " + run);
        assertTrue(run.err().contains("cannot revert"), run.err());
        assertTrue(run.err().contains("1. Git commit ") && run.err().contains("is not reverted"), "only Git is left to a person: " + run.err());
        assertFalse(run.err().contains("kubectl label namespace"), "the cluster's undo completed, so no kubectl to run: " + run.err());
        assertEquals(before, mesh.labels(failing), "the cluster is rolled back all the same");
        mesh.podRevisions(failing).forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        onRevision(a, mesh.world.newRevision());
        String runId = MeshFixture.runId(run.out());
        assertEquals("ROLLBACK_INCOMPLETE", status(runId).get("state").getAsString());
        assertEquals(0, revertsFor(failing));

        // a person puts the manifest back as revroll's commit left it; rollback then reverts and finishes
        otherWriterEdits(other, failing, "someone-else", mesh.world.newRevision(), "undo the hand edit of " + failing);
        RevrollProcess.Result rollback = RevrollProcess.run(mesh.world, "rollback", runId);

        assertEquals(0, rollback.exitCode(), rollback.toString());
        assertTrue(rollback.out().contains("finished the rollback of second/" + failing), rollback.out());
        assertEquals(1, revertsFor(failing), remoteSubjects().toString());
        assertTrue(remote.inRemote("show", "main:" + PATH + failing + ".yaml").contains("istio.io/rev: \"" + mesh.world.oldRevision() + "\""));
        assertEquals(before, mesh.labels(failing));
        assertEquals("ROLLED_BACK", status(runId).get("state").getAsString());
        // the step the plan's onFailure (rollback-step) kept moved stays moved, its commit once and not reverted
        onRevision(a, mesh.world.newRevision());
        assertEquals(1, commitsFor(a));
        assertEquals(0, revertsFor(a));
        floor.assertHeld();
    }
}
