package dev.revroll.e2e;

import dev.revroll.git.GitEvent;
import dev.revroll.git.GitException;
import dev.revroll.git.JGitOpsRepository;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository.StepChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static dev.revroll.e2e.GitDaemonRemote.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JGit adapter against a real remote: a bare repository behind a real {@code git daemon}, checked with the git CLI. */
class GitOpsRepositoryIT {

    private static final String PLAN = "mesh-1-28";
    private static final String TEMPLATE = "clusters/test/namespaces/{{namespace}}.yaml";

    @TempDir
    Path tmp;

    private GitDaemonRemote remote;
    private Path clone;

    private static String manifest(String ns, String labels) {
        return "# namespace " + ns + " (owned by team " + ns + ")\n"
                + "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata:\n"
                + "  name: " + ns + "\n"
                + "  labels:\n"
                + labels
                + "  annotations:\n"
                + "    owner: \"team-" + ns + "\"\n";
    }

    private static final String OLD_LABELS = "    team: shop   # owner\n    istio-injection: enabled\n";

    @BeforeEach
    void remote() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        for (String ns : List.of("alpha", "beta", "gamma")) {
            files.put("clusters/test/namespaces/" + ns + ".yaml", manifest(ns, OLD_LABELS));
        }
        files.put("clusters/test/namespaces/not-a-namespace.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-a-namespace\n");
        files.put("README.md", "GitOps\n");
        remote = GitDaemonRemote.start(tmp, files);
        clone = remote.cloneTo(tmp.resolve("clone"));
    }

    @AfterEach
    void stop() throws Exception {
        if (remote != null) {
            remote.close();
        }
    }

    private JGitOpsRepository open(Consumer<GitEvent> events) {
        return JGitOpsRepository.open(new Plan.GitConfig(clone.toString(), TEMPLATE, true,
                Optional.of("revroll bot"), Optional.of("revroll@example.com")), PLAN, events);
    }

    private JGitOpsRepository open() {
        return open(e -> { });
    }

    private static StepChange step(String run, String step, String ns) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("istio.io/rev", "1-28-0");
        labels.put("istio-injection", null);
        return new StepChange(PLAN, run, step, ns, "1-28-0", labels);
    }

    private List<String> remoteLog(String format) throws Exception {
        return Arrays.stream(remote.inRemote("log", "--format=" + format, "main").split("\n"))
                .filter(s -> !s.isBlank()).toList();
    }

    @Test
    void threeStepsLeaveThreeCommitsWithTrailersOnTheRemote() throws Exception {
        try (JGitOpsRepository repo = open()) {
            assertEquals(List.of(), repo.preflight(List.of("alpha", "beta", "gamma")));
            String diff = repo.previewDiff(step("run-1", "s1", "alpha"));
            assertTrue(diff.contains("-    istio-injection: enabled") && diff.contains("+    istio.io/rev: 1-28-0"), diff);
            assertEquals("GitOps\n", git(remote.bare(), "show", "main:README.md"), "preview writes nothing");
            assertEquals(1, remoteLog("%H").size(), "preview pushes nothing");

            List<String> ids = new ArrayList<>();
            int i = 1;
            for (String ns : List.of("alpha", "beta", "gamma")) {
                ids.add(repo.commit(step("run-1", "s" + i++, ns)));
            }
            assertEquals(Lists.reversed(ids), remoteLog("%H").subList(0, 3));
            assertEquals(List.of("mesh-1-28: move gamma to revision 1-28-0", "mesh-1-28: move beta to revision 1-28-0",
                    "mesh-1-28: move alpha to revision 1-28-0", "seed the GitOps repository"), remoteLog("%s"));
            assertEquals(List.of("s3", "s2", "s1"), remoteLog("%(trailers:key=Revroll-Step,valueonly)"));
            assertEquals(List.of("run-1", "run-1", "run-1"), remoteLog("%(trailers:key=Revroll-Run,valueonly)"));
            assertEquals(List.of(PLAN, PLAN, PLAN), remoteLog("%(trailers:key=Revroll-Plan,valueonly)"));
            assertEquals(List.of("revroll bot <revroll@example.com>", "revroll bot <revroll@example.com>",
                    "revroll bot <revroll@example.com>", "Other Writer <other@example.com>"), remoteLog("%an <%ae>"));

            // only the label lines changed; comments, order and quoting stayed
            String expected = manifest("alpha", "    team: shop   # owner\n    istio.io/rev: 1-28-0\n");
            assertEquals(expected, git(remote.bare(), "show", "main:clusters/test/namespaces/alpha.yaml"));
            String numstat = git(remote.bare(), "show", "--format=", "--numstat", ids.get(0)).strip();
            assertEquals("1\t1\tclusters/test/namespaces/alpha.yaml", numstat);

            // the local clone was fast-forwarded, working tree included
            assertEquals(ids.get(2), git(clone, "rev-parse", "HEAD").strip());
            assertEquals(expected, Files.readString(clone.resolve("clusters/test/namespaces/alpha.yaml")));
            assertEquals("", git(clone, "status", "--porcelain"));

            assertEquals(Optional.of(Map.of("istio.io/rev", "1-28-0")), open().labelsAtRemote("alpha"));
        }
    }

    @Test
    void commitAndRevertBothStayOnTheRemoteAndTheFileIsBackAsItWas() throws Exception {
        try (JGitOpsRepository repo = open()) {
            String commit = repo.commit(step("run-2", "s1", "alpha"));
            String revert = repo.revert(step("run-2", "s1", "alpha"), commit);
            assertEquals(List.of(revert, commit), remoteLog("%H").subList(0, 2));
            assertEquals("mesh-1-28: revert move of alpha to 1-28-0", remoteLog("%s").get(0));
            assertEquals(List.of(commit), remoteLog("%(trailers:key=Revroll-Revert-Of,valueonly)"));
            assertTrue(git(remote.bare(), "log", "-1", "--format=%B", "main").contains("This reverts commit " + commit + "."));
            assertEquals(manifest("alpha", OLD_LABELS), git(remote.bare(), "show", "main:clusters/test/namespaces/alpha.yaml"));

            // idempotent: asking again (a resumed rollback) returns the same revert, no second one
            assertEquals(revert, open().revert(step("run-2", "s1", "alpha"), commit));
            assertEquals(3, remoteLog("%H").size());

            // the step was reverted, so writing the step again (a later resume) makes a new commit
            String again = open().commit(step("run-2", "s1", "alpha"));
            assertFalse(again.equals(commit));
            assertEquals(4, remoteLog("%H").size());
        }
    }

    @Test
    void aCommitIsIdempotentOnRetry() throws Exception {
        String first;
        try (JGitOpsRepository repo = open()) {
            first = repo.commit(step("run-3", "s1", "beta"));
        }
        // a new process resuming the run, with a stale clone, finds the commit by its trailers
        git(clone, "reset", "-q", "--hard", "HEAD~1");
        try (JGitOpsRepository repo = open()) {
            assertEquals(first, repo.commit(step("run-3", "s1", "beta")));
        }
        assertEquals(List.of("s1"), remoteLog("%(trailers:key=Revroll-Step,valueonly)"));
        assertEquals(2, remoteLog("%H").size());
    }

    @Test
    void aConcurrentPushToAnotherFileIsRebasedAndLands() throws Exception {
        Path other = remote.cloneTo(tmp.resolve("other"));
        List<GitEvent> events = new ArrayList<>();
        String raced;
        try (JGitOpsRepository repo = open(event -> {
            events.add(event);
            if (event.kind() == GitEvent.Kind.PUSHING && events.stream().filter(e -> e.kind() == GitEvent.Kind.PUSHING).count() == 1) {
                GitDaemonRemote.otherWriterPushes(other, "clusters/test/namespaces/beta.yaml", "# touched by another writer\n");
            }
        })) {
            raced = repo.commit(step("run-4", "s1", "alpha"));
        }
        assertTrue(events.stream().anyMatch(e -> e.kind() == GitEvent.Kind.PUSH_RACED), events.toString());
        assertEquals(List.of("mesh-1-28: move alpha to revision 1-28-0", "another writer edits beta.yaml",
                "seed the GitOps repository"), remoteLog("%s"));
        assertEquals(raced, remoteLog("%H").get(0));
        assertTrue(git(remote.bare(), "show", "main:clusters/test/namespaces/beta.yaml").endsWith("# touched by another writer\n"));
        assertTrue(git(remote.bare(), "show", "main:clusters/test/namespaces/alpha.yaml").contains("istio.io/rev: 1-28-0"));
    }

    @Test
    void aConcurrentEditOfTheSameFileStopsTheStepAndNothingIsPushed() throws Exception {
        Path other = remote.cloneTo(tmp.resolve("other"));
        List<GitEvent> events = new ArrayList<>();
        GitException e;
        try (JGitOpsRepository repo = open(event -> {
            events.add(event);
            if (event.kind() == GitEvent.Kind.PUSHING && events.stream().filter(x -> x.kind() == GitEvent.Kind.PUSHING).count() == 1) {
                GitDaemonRemote.otherWriterPushes(other, "clusters/test/namespaces/alpha.yaml", "# hand edit\n");
            }
        })) {
            e = assertThrows(GitException.class, () -> repo.commit(step("run-5", "s1", "alpha")));
        }
        assertTrue(e.getMessage().contains("conflict: clusters/test/namespaces/alpha.yaml was changed on origin/main"), e.getMessage());
        assertTrue(e.getMessage().contains("another writer edits alpha.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was pushed and the cluster was not touched"), e.getMessage());
        assertEquals(List.of("another writer edits alpha.yaml", "seed the GitOps repository"), remoteLog("%s"));
    }

    @Test
    void preflightListsEveryProblemAndAnUnreachableRemote() throws Exception {
        Files.writeString(clone.resolve("clusters/test/namespaces/gamma.yaml"), "# local edit\n", java.nio.file.StandardOpenOption.APPEND);
        try (JGitOpsRepository repo = open()) {
            List<String> problems = repo.preflight(List.of("alpha", "missing", "not-a-namespace", "gamma"));
            assertEquals(3, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("clusters/test/namespaces/missing.yaml does not exist on origin/main"), problems.toString());
            assertTrue(problems.get(1).contains("holds no 'kind: Namespace' document named 'not-a-namespace'"), problems.toString());
            assertTrue(problems.get(2).startsWith("clusters/test/namespaces/gamma.yaml has uncommitted changes"), problems.toString());
        }
        int closed = GitDaemonRemote.freePort();
        git(clone, "remote", "set-url", "origin", "git://127.0.0.1:" + closed + "/gitops.git");
        git(clone, "checkout", "-q", "--", ".");
        try (JGitOpsRepository repo = open()) {
            List<String> problems = repo.preflight(List.of("alpha"));
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("cannot fetch main from the GitOps remote origin (git://127.0.0.1:" + closed + "/gitops.git)"),
                    problems.get(0));
            GitException e = assertThrows(GitException.class, () -> repo.commit(step("run-6", "s1", "alpha")));
            assertTrue(e.getMessage().contains("cannot fetch main"), e.getMessage());
        }
    }

    @Test
    void aRejectingPreReceiveHookIsReportedWithItsMessage() throws Exception {
        remote.preReceiveHook("echo 'policy: changes under clusters/ need ticket MESH-1' >&2\nexit 1");
        try (JGitOpsRepository repo = open()) {
            GitException e = assertThrows(GitException.class, () -> repo.commit(step("run-7", "s1", "alpha")));
            assertTrue(e.getMessage().contains("rejected the push"), e.getMessage());
            assertTrue(e.getMessage().contains("policy: changes under clusters/ need ticket MESH-1"), e.getMessage());
            assertTrue(e.getMessage().contains("the cluster was not touched"), e.getMessage());
        }
        assertEquals(1, remoteLog("%H").size());
    }

    @Test
    void withPushOffTheStepIsCommittedInTheCloneOnly() throws Exception {
        git(clone, "config", "user.name", "Clone Owner");
        git(clone, "config", "user.email", "owner@example.com");
        try (JGitOpsRepository repo = JGitOpsRepository.open(new Plan.GitConfig(clone.toString(), TEMPLATE, false,
                Optional.empty(), Optional.empty()), PLAN)) {
            assertEquals(List.of(), repo.preflight(List.of("alpha")));
            String id = repo.commit(step("run-8", "s1", "alpha"));
            assertEquals(id, repo.commit(step("run-8", "s1", "alpha")), "found again by its trailers");
            assertEquals(id, git(clone, "rev-parse", "HEAD").strip());
            assertEquals("Clone Owner <owner@example.com>", git(clone, "log", "-1", "--format=%an <%ae>").strip(),
                    "no plan author: git config user.name/email");
            assertTrue(Files.readString(clone.resolve("clusters/test/namespaces/alpha.yaml")).contains("istio.io/rev: 1-28-0"));
            assertEquals("", git(clone, "status", "--porcelain"));
        }
        assertEquals(1, remoteLog("%H").size(), "nothing pushed");
    }

    @Test
    void aRevertMergesUnrelatedEditsAndStopsOnAConflictingOne() throws Exception {
        Path other = remote.cloneTo(tmp.resolve("other"));
        try (JGitOpsRepository repo = open()) {
            // another writer edits another line of the same file after the step: the revert still applies
            String beta = repo.commit(step("run-9", "s1", "beta"));
            GitDaemonRemote.otherWriterPushes(other, "clusters/test/namespaces/beta.yaml", "# reviewed\n");
            String revert = repo.revert(step("run-9", "s1", "beta"), beta);
            assertEquals(manifest("beta", OLD_LABELS) + "# reviewed\n",
                    git(remote.bare(), "show", revert + ":clusters/test/namespaces/beta.yaml"));

            // another writer changes the very label line: a clear error, nothing pushed
            String alpha = repo.commit(step("run-9", "s2", "alpha"));
            git(other, "pull", "-q", "--ff-only");
            Path file = other.resolve("clusters/test/namespaces/alpha.yaml");
            Files.writeString(file, Files.readString(file).replace("istio.io/rev: 1-28-0", "istio.io/rev: canary"));
            git(other, "commit", "-q", "-am", "pin alpha to the canary tag");
            git(other, "push", "-q", "origin", "main");
            String head = git(remote.bare(), "rev-parse", "main");
            GitException e = assertThrows(GitException.class, () -> repo.revert(step("run-9", "s2", "alpha"), alpha));
            assertTrue(e.getMessage().contains("cannot revert " + alpha.substring(0, 12)), e.getMessage());
            assertTrue(e.getMessage().contains("clusters/test/namespaces/alpha.yaml changed since on origin/main by"), e.getMessage());
            assertTrue(e.getMessage().contains("pin alpha to the canary tag"), e.getMessage());
            assertEquals(head, git(remote.bare(), "rev-parse", "main"));
        }
    }

    @Test
    void openingRefusesACloneItCannotWriteThrough() throws Exception {
        java.util.function.Function<Path, String> refusal = dir -> assertThrows(dev.revroll.errors.PreflightException.class,
                () -> JGitOpsRepository.open(new Plan.GitConfig(dir.toString(), TEMPLATE, true, Optional.empty(), Optional.empty()), PLAN))
                .getMessage();
        assertTrue(refusal.apply(tmp.resolve("nowhere")).contains("does not exist; clone the GitOps repository there first"));
        assertTrue(refusal.apply(Files.createDirectories(tmp.resolve("plain-dir"))).contains("is not a Git clone"));
        git(clone, "checkout", "-q", "--detach");
        assertTrue(refusal.apply(clone).contains("is on a detached HEAD"));
        git(clone, "checkout", "-q", "-b", "local-only");
        String noUpstream = refusal.apply(clone);
        assertTrue(noUpstream.contains("branch local-only of the clone " + clone + " has no upstream"), noUpstream);
        assertTrue(assertThrows(dev.revroll.errors.PreflightException.class, () -> JGitOpsRepository.open(new Plan.GitConfig(
                clone.toString(), "clusters/{{wave}}/{{namespace}}.yaml", true, Optional.empty(), Optional.empty()), PLAN))
                .getMessage().contains("the placeholder {{wave}} is not supported"));
    }

    private static final class Lists {
        static <T> List<T> reversed(List<T> list) {
            List<T> copy = new ArrayList<>(list);
            java.util.Collections.reverse(copy);
            return copy;
        }
    }
}
