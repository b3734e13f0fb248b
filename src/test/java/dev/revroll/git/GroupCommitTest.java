package dev.revroll.git;

import dev.revroll.e2e.GitDaemonRemote;
import dev.revroll.errors.GitRecordException.Reason;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository.StepChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.revroll.e2e.GitDaemonRemote.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steps in flight share a push (docs/git-record.md#steps-in-flight-share-a-push): real threads calling one
 * {@link JGitOpsRepository} at once, against a bare repository on disk whose hooks count and refuse pushes.
 */
class GroupCommitTest {

    private static final String PLAN = "mesh-1-28";
    private static final String RUN = "run-g";
    private static final String TEMPLATE = "clusters/test/namespaces/{{namespace}}.yaml";
    private static final List<String> NAMESPACES = List.of("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8");

    @TempDir
    Path tmp;

    private GitDaemonRemote remote;
    private Path clone;
    private JGitOpsRepository repo;
    private final List<GitEvent> events = new CopyOnWriteArrayList<>();
    /** Run on every event after it was recorded (in the thread that records the group, holding the repository's lock). */
    private volatile Consumer<GitEvent> then = e -> { };
    private final ExecutorService pool = Executors.newFixedThreadPool(NAMESPACES.size() + 1);

    private static String manifest(String ns) {
        return "# namespace " + ns + "\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n"
                + "    team: shop   # owner\n    istio-injection: enabled\n";
    }

    @BeforeEach
    void remote() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        NAMESPACES.forEach(ns -> files.put(path(ns), manifest(ns)));
        files.put(path("bad"), "apiVersion: v1\nkind: Namespace\nmetadata: [name: bad\n");
        files.put("README.md", "GitOps\n");
        remote = GitDaemonRemote.start(tmp.resolve("remote"), files);
        clone = remote.cloneTo(tmp.resolve("clone"));
        repo = JGitOpsRepository.open(new Plan.GitConfig(clone.toString(), TEMPLATE, true,
                Optional.of("revroll bot"), Optional.of("revroll@example.com")), PLAN, e -> {
                    events.add(e);
                    then.accept(e);
                });
    }

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        repo.close();
        remote.close();
    }

    private static String path(String ns) {
        return "clusters/test/namespaces/" + ns + ".yaml";
    }

    private static StepChange step(String stepId, String ns) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("istio.io/rev", "1-28-0");
        labels.put("istio-injection", null);
        return new StepChange(PLAN, RUN, stepId, ns, "1-28-0", labels);
    }

    private Callable<String> commit(String stepId, String ns) {
        return () -> repo.commit(step(stepId, ns));
    }

    private long count(GitEvent.Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).count();
    }

    /**
     * Runs {@code first}, holds its push until each of {@code rest} has queued behind it (started one after the other,
     * so their order of arrival is the list's), then lets it go. The first push carries {@code first} alone; the
     * next group is {@code rest}.
     */
    private List<Future<String>> queuedBehindAHeldPush(Callable<String> first, List<Callable<String>> rest) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Consumer<GitEvent> after = then;
        then = e -> {
            if (e.kind() == GitEvent.Kind.PUSHING && count(GitEvent.Kind.PUSHING) == 1) {
                held.countDown();
                awaitLatch(release);
            }
            after.accept(e);
        };
        List<Future<String>> futures = new ArrayList<>();
        futures.add(pool.submit(first));
        awaitLatch(held);
        for (int i = 0; i < rest.size(); i++) {
            futures.add(pool.submit(rest.get(i)));
            int queued = i + 1;
            waitUntil("write " + queued + " queued", () -> repo.queued() == queued);
        }
        release.countDown();
        return futures;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void waitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String outcome(Future<String> f) throws Exception {
        try {
            return f.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static GitException failure(Future<String> f) throws Exception {
        try {
            String id = f.get(120, TimeUnit.SECONDS);
            throw new AssertionError("expected a GitException, got commit " + id);
        } catch (ExecutionException e) {
            return assertInstanceOf(GitException.class, e.getCause());
        }
    }

    private String trailer(String commit, String key) throws Exception {
        return git(clone, "log", "-1", "--format=%(trailers:key=" + key + ",valueonly)", commit).strip();
    }

    private String parentOf(String commit) throws Exception {
        return remote.inRemote("rev-parse", commit + "^").strip();
    }

    private String remoteHead() throws Exception {
        return remote.inRemote("rev-parse", "main").strip();
    }

    private void assertCloneCleanAt(String commit) throws Exception {
        assertEquals("", git(clone, "status", "--porcelain"));
        assertEquals(commit, git(clone, "rev-parse", "HEAD").strip());
    }

    // ---- grouping ------------------------------------------------------------------------------------------------

    @Test
    void stepsCommittingAtOnceShareFewerPushesAndEachCallerGetsItsOwnCommit() throws Exception {
        int n = NAMESPACES.size();
        CountDownLatch start = new CountDownLatch(1);
        int[] firstPush = {0};
        then = e -> {
            if (e.kind() == GitEvent.Kind.PUSHING && count(GitEvent.Kind.PUSHING) == 1) {
                // hold the first push until every other caller has queued behind it
                Matcher m = Pattern.compile("\\((\\d+) commits").matcher(e.detail());
                firstPush[0] = m.find() ? Integer.parseInt(m.group(1)) : 1;
                waitUntil("the others queued", () -> repo.queued() == n - firstPush[0]);
            }
        };
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String stepId = "s" + (i + 1);
            String ns = NAMESPACES.get(i);
            futures.add(pool.submit(() -> {
                start.await();
                return repo.commit(step(stepId, ns));
            }));
        }
        start.countDown();
        List<String> ids = new ArrayList<>();
        for (Future<String> f : futures) {
            ids.add(outcome(f));
        }

        int pushes = firstPush[0] == n ? 1 : 2;
        assertEquals(pushes, count(GitEvent.Kind.PUSHING), events.toString());
        assertEquals(pushes, remote.acceptedPushes(), "pushes the remote saw");
        assertEquals(pushes, count(GitEvent.Kind.FETCHED), "one fetch per group");
        assertTrue(pushes < n);

        // one commit per step, each caller got its own, each touching its own file only
        assertEquals(n, new HashSet<>(ids).size());
        List<String> log = remote.log("%H");
        assertEquals(n + 1, log.size());
        for (int i = 0; i < n; i++) {
            assertTrue(log.contains(ids.get(i)));
            assertEquals("s" + (i + 1), trailer(ids.get(i), "Revroll-Step"));
            assertEquals(RUN, trailer(ids.get(i), "Revroll-Run"));
            assertEquals(PLAN, trailer(ids.get(i), "Revroll-Plan"));
            assertEquals("1\t1\t" + path(NAMESPACES.get(i)),
                    remote.inRemote("show", "--format=", "--numstat", ids.get(i)).strip());
        }
        // a straight line: every commit has one parent, the one before it
        for (String line : remote.inRemote("rev-list", "--parents", "main").strip().split("\n")) {
            assertTrue(line.split(" ").length <= 2, "no merge commit: " + line);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(log.get(i + 1), parentOf(log.get(i)));
        }
        for (String ns : NAMESPACES) {
            assertTrue(remote.inRemote("show", "main:" + path(ns)).contains("istio.io/rev: 1-28-0"), ns);
        }
        assertCloneCleanAt(remoteHead());
    }

    @Test
    void aGroupsCommitsAreInTheOrderTheyWereAskedFor() throws Exception {
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"),
                List.of(commit("s4", "n4"), commit("s2", "n2"), commit("s5", "n5"), commit("s3", "n3")));
        List<String> ids = new ArrayList<>();
        for (Future<String> x : f) {
            ids.add(outcome(x));
        }
        assertEquals(List.of("s3", "s5", "s2", "s4", "s1"), remote.log("%(trailers:key=Revroll-Step,valueonly)"));
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), remote.log("%H").subList(0, 5));
        assertEquals(List.of("mesh-1-28: move n3 to revision 1-28-0", "mesh-1-28: move n5 to revision 1-28-0",
                "mesh-1-28: move n2 to revision 1-28-0", "mesh-1-28: move n4 to revision 1-28-0",
                "mesh-1-28: move n1 to revision 1-28-0", "seed the GitOps repository"), remote.log("%s"));
        assertEquals(2, count(GitEvent.Kind.PUSHING));
        assertEquals(2, remote.acceptedPushes());
        assertTrue(events.stream().anyMatch(e -> e.kind() == GitEvent.Kind.PUSHED
                && e.detail().equals(ids.get(4) + " (4 commits, steps s4, s2, s5, s3)")), events.toString());
        assertCloneCleanAt(ids.get(4));
        assertEquals(manifest("n5").replace("istio-injection: enabled", "istio.io/rev: 1-28-0"),
                Files.readString(clone.resolve(path("n5"))), "the clone's working tree followed");
    }

    @Test
    void aLostRaceRebuildsTheWholeGroupOnTheNewHeadAndPushesItAgain() throws Exception {
        Path other = remote.cloneTo(tmp.resolve("other"));
        then = e -> {
            if (e.kind() == GitEvent.Kind.PUSHING && count(GitEvent.Kind.PUSHING) == 2) {
                GitDaemonRemote.otherWriterPushes(other, "README.md", "edited meanwhile\n");
            }
        };
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"),
                List.of(commit("s2", "n2"), commit("s3", "n3"), commit("s4", "n4")));
        List<String> ids = new ArrayList<>();
        for (Future<String> x : f) {
            ids.add(outcome(x));
        }
        assertEquals(1, count(GitEvent.Kind.PUSH_RACED));
        assertEquals(3, count(GitEvent.Kind.PUSHING));
        assertEquals(3, count(GitEvent.Kind.FETCHED));
        assertEquals(List.of("mesh-1-28: move n4 to revision 1-28-0", "mesh-1-28: move n3 to revision 1-28-0",
                "mesh-1-28: move n2 to revision 1-28-0", "another writer edits README.md",
                "mesh-1-28: move n1 to revision 1-28-0", "seed the GitOps repository"), remote.log("%s"));
        List<String> log = remote.log("%H");
        assertEquals(List.of(ids.get(3), ids.get(2), ids.get(1)), log.subList(0, 3), "callers got the rebuilt commits");
        assertEquals(log.get(3), parentOf(ids.get(1)), "the group sits on the other writer's commit");
        assertEquals("GitOps\nedited meanwhile\n", remote.inRemote("show", "main:README.md"));
        assertCloneCleanAt(ids.get(3));
    }

    // ---- failures ------------------------------------------------------------------------------------------------

    @Test
    void aPushTheRemoteRefusesFailsEveryCallerOfTheGroupWithItsOwnCommitAndPushesNothingOfIt() throws Exception {
        remote.preReceiveHook("while read old new ref; do\n"
                + "  if git log --format=%B \"$old..$new\" | grep -q '^Revroll-Step: s3$'; then\n"
                + "    echo 'policy: step s3 needs ticket MESH-1' >&2; exit 1\n"
                + "  fi\n"
                + "done");
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"),
                List.of(commit("s2", "n2"), commit("s3", "n3"), commit("s4", "n4")));
        String s1 = outcome(f.get(0));
        String url = git(clone, "config", "remote.origin.url").strip();
        List<String> steps = List.of("s2", "s3", "s4");
        for (int i = 0; i < 3; i++) {
            GitException e = failure(f.get(i + 1));
            assertEquals(Reason.REJECTED, e.reason());
            String stepId = steps.get(i);
            String with = String.join(", ", steps.stream().filter(s -> !s.equals(stepId)).toList());
            Matcher m = Pattern.compile("^origin \\(" + Pattern.quote(url) + "\\) rejected the push of ([0-9a-f]{12}) \\(step "
                    + stepId + ", in one push with step " + with + "\\) to main: pre-receive hook declined; the remote said: "
                    + ".*policy: step s3 needs ticket MESH-1.*; nothing of this step was pushed and the cluster was not touched$")
                    .matcher(e.getMessage());
            assertTrue(m.matches(), e.getMessage());
            assertEquals(stepId, trailer(m.group(1), "Revroll-Step"), "the message names the caller's own commit");
        }
        assertEquals(List.of(s1, remote.log("%H").get(1)), remote.log("%H"), "nothing of the group on the remote");
        assertEquals(1, remote.acceptedPushes());
        assertCloneCleanAt(s1);
    }

    @Test
    void aFetchThatFailsFailsEveryCallerOfTheGroupAsItWouldAlone() throws Exception {
        Path away = tmp.resolve("away.git");
        then = e -> {
            if (e.kind() == GitEvent.Kind.PUSHED && count(GitEvent.Kind.PUSHED) == 1) {
                try {
                    Files.move(remote.bare(), away);
                } catch (Exception x) {
                    throw new IllegalStateException(x);
                }
            }
        };
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"), List.of(commit("s2", "n2"), commit("s3", "n3")));
        String s1 = outcome(f.get(0));
        GitException e2 = failure(f.get(1));
        GitException e3 = failure(f.get(2));
        Files.move(away, remote.bare());
        for (GitException e : List.of(e2, e3)) {
            assertEquals(Reason.UNREACHABLE, e.reason());
            assertTrue(e.getMessage().startsWith("cannot fetch main from the GitOps remote origin ("), e.getMessage());
        }
        assertEquals(e2.getMessage(), e3.getMessage());
        assertNotSame(e2, e3, "each caller its own exception");
        assertEquals(2, remote.log("%H").size());
        assertEquals(s1, remoteHead());
        assertCloneCleanAt(s1);
    }

    @Test
    void aPushThatCannotReachTheRemoteFailsEveryCallerOfTheGroupWithItsOwnCommit() throws Exception {
        then = e -> {
            if (e.kind() == GitEvent.Kind.FETCHED && count(GitEvent.Kind.FETCHED) == 2) {
                try {
                    remote.down(); // after the group's fetch, before its push
                } catch (Exception x) {
                    throw new IllegalStateException(x);
                }
            }
        };
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"), List.of(commit("s2", "n2"), commit("s3", "n3")));
        String s1 = outcome(f.get(0));
        String url = git(clone, "config", "remote.origin.url").strip();
        for (int i = 1; i <= 2; i++) {
            String stepId = "s" + (i + 1);
            GitException e = failure(f.get(i));
            assertEquals(Reason.UNREACHABLE, e.reason());
            Matcher m = Pattern.compile("^cannot push ([0-9a-f]{12}) \\(step " + stepId + ", in one push with step "
                    + (i == 1 ? "s3" : "s2") + "\\) to origin \\(" + Pattern.quote(url)
                    + "\\): .+; nothing of this step was pushed and the cluster was not touched$").matcher(e.getMessage());
            assertTrue(m.matches(), e.getMessage());
            assertEquals(stepId, trailer(m.group(1), "Revroll-Step"));
        }
        assertEquals(s1, remoteHead());
        assertEquals(1, remote.acceptedPushes());
        assertCloneCleanAt(s1);
    }

    @Test
    void aStepWhoseOwnChangeCannotBeBuiltFailsAloneAndTheRestOfItsGroupIsPushed() throws Exception {
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"),
                List.of(commit("s2", "n2"), commit("s3", "missing"), commit("s4", "bad"), commit("s5", "n5")));
        String s1 = outcome(f.get(0));
        String s2 = outcome(f.get(1));
        GitException missing = failure(f.get(2));
        GitException bad = failure(f.get(3));
        String s5 = outcome(f.get(4));

        assertEquals(Reason.MANIFEST, missing.reason());
        assertEquals("clusters/test/namespaces/missing.yaml does not exist on origin/main; nothing was pushed and the cluster"
                + " was not touched", missing.getMessage());
        assertEquals(Reason.MANIFEST, bad.reason());
        assertInstanceOf(ManifestException.class, bad);
        assertTrue(bad.getMessage().startsWith("clusters/test/namespaces/bad.yaml:"), bad.getMessage());

        assertEquals(List.of(s5, s2, s1), remote.log("%H").subList(0, 3));
        assertEquals(s2, parentOf(s5));
        assertEquals(2, count(GitEvent.Kind.PUSHING));
        assertEquals(2, remote.acceptedPushes());
        assertCloneCleanAt(s5);
    }

    @Test
    void aConflictingEditFailsOnlyTheStepOfThatFile() throws Exception {
        Path other = remote.cloneTo(tmp.resolve("other"));
        then = e -> {
            if (e.kind() == GitEvent.Kind.PUSHING && count(GitEvent.Kind.PUSHING) == 2) {
                GitDaemonRemote.otherWriterPushes(other, path("n3"), "# hand edit\n");
            }
        };
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"),
                List.of(commit("s2", "n2"), commit("s3", "n3"), commit("s4", "n4")));
        outcome(f.get(0));
        String s2 = outcome(f.get(1));
        GitException conflict = failure(f.get(2));
        String s4 = outcome(f.get(3));

        assertEquals(Reason.CONFLICT, conflict.reason());
        assertTrue(conflict.getMessage().startsWith("conflict: clusters/test/namespaces/n3.yaml was changed on origin/main by "),
                conflict.getMessage());
        assertTrue(conflict.getMessage().contains("(another writer edits n3.yaml, Other Writer) while revroll was writing step s3 (n3);"
                + " nothing was pushed and the cluster was not touched"), conflict.getMessage());
        assertEquals(List.of("mesh-1-28: move n4 to revision 1-28-0", "mesh-1-28: move n2 to revision 1-28-0",
                "another writer edits n3.yaml", "mesh-1-28: move n1 to revision 1-28-0", "seed the GitOps repository"),
                remote.log("%s"));
        assertEquals(List.of(s4, s2), remote.log("%H").subList(0, 2));
        assertEquals(manifest("n3") + "# hand edit\n", remote.inRemote("show", "main:" + path("n3")));
        assertCloneCleanAt(s4);
    }

    @Test
    void aGroupThatLosesEveryRaceFailsEachCallerWithItsOwnStepWithinOneBudget() throws Exception {
        Path other = remote.cloneTo(tmp.resolve("other"));
        then = e -> {
            if (e.kind() == GitEvent.Kind.PUSHING && count(GitEvent.Kind.PUSHING) >= 2) {
                GitDaemonRemote.otherWriterPushes(other, "README.md", "again\n");
            }
        };
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"), List.of(commit("s2", "n2"), commit("s3", "n3")));
        String s1 = outcome(f.get(0));
        for (int i = 1; i <= 2; i++) {
            GitException e = failure(f.get(i));
            assertEquals(Reason.REJECTED, e.reason());
            assertEquals("the push of step s" + (i + 1) + " (n" + (i + 1) + ") to origin/main was rejected as non-fast-forward "
                    + GitResilience.PUSH_ATTEMPTS + " times while others pushed to the branch; nothing of this step was pushed"
                    + " and the cluster was not touched", e.getMessage());
        }
        assertEquals(1 + GitResilience.PUSH_ATTEMPTS, count(GitEvent.Kind.PUSHING), "one budget for the group");
        assertEquals(GitResilience.PUSH_ATTEMPTS, count(GitEvent.Kind.PUSH_RACED));
        List<String> steps = remote.log("%(trailers:key=Revroll-Step,valueonly)");
        assertEquals(List.of("s1"), steps, "nothing of the group on the remote");
        assertEquals(s1, remote.log("%H").get(GitResilience.PUSH_ATTEMPTS));
        assertEquals("", git(clone, "status", "--porcelain"));
    }

    @Test
    void revertsAskedAtOnceShareAPushAndEachCallerGetsItsOwnRevert() throws Exception {
        List<String> commits = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            commits.add(repo.commit(step("s" + i, "n" + i)));
        }
        events.clear();
        List<Callable<String>> rest = new ArrayList<>();
        for (int i = 2; i <= 4; i++) {
            StepChange change = step("s" + i, "n" + i);
            String commit = commits.get(i - 1);
            rest.add(() -> repo.revert(change, commit));
        }
        List<Future<String>> f = queuedBehindAHeldPush(() -> repo.revert(step("s1", "n1"), commits.get(0)), rest);
        List<String> reverts = new ArrayList<>();
        for (Future<String> x : f) {
            reverts.add(outcome(x));
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(commits.get(i), trailer(reverts.get(i), "Revroll-Revert-Of"), "each caller its own revert");
            assertEquals("s" + (i + 1), trailer(reverts.get(i), "Revroll-Step"));
            assertEquals(manifest("n" + (i + 1)), remote.inRemote("show", "main:" + path("n" + (i + 1))));
        }
        assertEquals(List.of(reverts.get(3), reverts.get(2), reverts.get(1), reverts.get(0)), remote.log("%H").subList(0, 4));
        assertEquals(2, count(GitEvent.Kind.PUSHING));
        assertEquals(6, remote.acceptedPushes());
        assertCloneCleanAt(reverts.get(3));
    }

    // ---- one caller at a time: as before -------------------------------------------------------------------------

    @Test
    void oneCallerAtATimeFetchesAndPushesOncePerCommitWithTheMessagesOfASingleStep() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            events.clear();
            String id = repo.commit(step("s" + i, "n" + i));
            ids.add(id);
            assertEquals(List.of(GitEvent.Kind.FETCHED, GitEvent.Kind.PUSHING, GitEvent.Kind.PUSHED),
                    events.stream().map(GitEvent::kind).toList());
            assertEquals(id, events.get(1).detail());
            assertEquals(id, events.get(2).detail());
        }
        events.clear();
        String revert = repo.revert(step("s3", "n3"), ids.get(2));
        assertEquals(List.of(GitEvent.Kind.FETCHED, GitEvent.Kind.PUSHING, GitEvent.Kind.PUSHED),
                events.stream().map(GitEvent::kind).toList());
        assertEquals(revert, events.get(1).detail());

        events.clear();
        assertEquals(ids.get(0), repo.commit(step("s1", "n1")), "found again by its trailers");
        assertEquals(List.of(GitEvent.Kind.FETCHED, GitEvent.Kind.ALREADY_RECORDED), events.stream().map(GitEvent::kind).toList());
        assertEquals(4, remote.acceptedPushes());

        GitException missing = org.junit.jupiter.api.Assertions.assertThrows(GitException.class,
                () -> repo.commit(step("s9", "missing")));
        assertEquals("clusters/test/namespaces/missing.yaml does not exist on origin/main; nothing was pushed and the cluster"
                + " was not touched", missing.getMessage());

        remote.preReceiveHook("echo 'policy: no' >&2\nexit 1");
        String url = git(clone, "config", "remote.origin.url").strip();
        GitException refused = org.junit.jupiter.api.Assertions.assertThrows(GitException.class,
                () -> repo.commit(step("s4", "n4")));
        assertEquals(Reason.REJECTED, refused.reason());
        assertTrue(Pattern.compile("^origin \\(" + Pattern.quote(url) + "\\) rejected the push of [0-9a-f]{12} to main: "
                + "pre-receive hook declined; the remote said: .*policy: no.*; nothing of this step was pushed and the cluster"
                + " was not touched$").matcher(refused.getMessage()).matches(), refused.getMessage());
        assertFalse(refused.getMessage().contains("in one push"));
        assertEquals(revert, remoteHead());
        assertCloneCleanAt(revert);
    }

    @Test
    void theSameStepAskedTwiceInOneGroupIsOneCommit() throws Exception {
        List<Future<String>> f = queuedBehindAHeldPush(commit("s1", "n1"), List.of(commit("s2", "n2"), commit("s2", "n2")));
        outcome(f.get(0));
        String a = outcome(f.get(1));
        String b = outcome(f.get(2));
        assertEquals(a, b);
        assertEquals(List.of("s2", "s1"), remote.log("%(trailers:key=Revroll-Step,valueonly)"));
        assertEquals(2, count(GitEvent.Kind.PUSHING));
        assertCloneCleanAt(a);
    }
}
