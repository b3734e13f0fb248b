package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.InjectionLabels;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The GitOps record on JGit. The plan names a local clone; the remote and branch are that clone's current branch and
 * its upstream. Step commits and reverts are built in the object database on top of the remote head (the clone's
 * working tree is never used to compute them), pushed, and only then is the local branch fast-forwarded, so a
 * push that loses a race can be rebuilt on the new head and pushed again. Never a force-push. The instance is
 * thread-safe: the steps of a wave with {@code parallel > 1} share it (one clone, one branch), and the commits and
 * reverts they ask for while a push is in flight are recorded together, one commit each, with one fetch and one push
 * (docs/git-record.md#steps-in-flight-share-a-push); concurrent writers elsewhere are handled by the fetch-rebase-push
 * retry of {@link GitResilience}.
 *
 * <p>This class implements the port and runs each step's attempt; the parts do the Git work: {@link GitClone}
 * (the opened clone and its upstream), {@link GitRemote} (fetch and push), {@link StepCommits} (commits and reverts
 * in the object database, found again by their trailers), {@link LocalClone} (the clone's branch and working tree)
 * and {@link GitFiles} (files at a commit, diffs). The parts are not thread-safe; they are only called under this
 * instance's {@link #lock}.
 */
public final class JGitOpsRepository implements GitOpsRepository, AutoCloseable {

    /** The trailers of step commits and reverts; defined in {@link StepCommits}. */
    public static final String TRAILER_RUN = StepCommits.TRAILER_RUN;
    public static final String TRAILER_STEP = StepCommits.TRAILER_STEP;
    public static final String TRAILER_PLAN = StepCommits.TRAILER_PLAN;
    public static final String TRAILER_REVERT_OF = StepCommits.TRAILER_REVERT_OF;
    /** The injection labels; defined in {@link InjectionLabels}. */

    private final GitClone clone;
    private final boolean push;
    private final GitResilience resilience = new GitResilience();
    private final GitRemote remote;
    private final LocalClone local;
    private final StepCommits commits;
    private final GitFiles files;
    private final Consumer<GitEvent> events;
    /** Held for every use of the parts; fair, so a caller whose write a group took gets it back before later arrivals. */
    private final ReentrantLock lock = new ReentrantLock(true);
    /** Commits and reverts asked for and not yet taken into a group, in arrival order. */
    private final ArrayDeque<Write> queue = new ArrayDeque<>();

    private JGitOpsRepository(GitClone clone, Consumer<GitEvent> events) {
        this.clone = clone;
        this.push = clone.config().push();
        this.remote = new GitRemote(clone, events);
        this.local = new LocalClone(clone, events);
        this.commits = new StepCommits(clone);
        this.files = new GitFiles(clone.repo());
        this.events = events;
    }

    public static JGitOpsRepository open(Plan.GitConfig config, String planName) {
        return open(config, planName, event -> { });
    }

    /**
     * Opens the clone named by the plan. Refuses (a {@code PreflightException}) when {@code git.path} has a
     * placeholder other than {@code {{namespace}}} and {@code {{plan}}}, or the clone is not a Git clone, is on a
     * detached HEAD, or its branch has no upstream.
     */
    public static JGitOpsRepository open(Plan.GitConfig config, String planName, Consumer<GitEvent> events) {
        GitClone clone = GitClone.open(config, planName);
        try {
            return new JGitOpsRepository(clone, events);
        } catch (RuntimeException e) {
            clone.close();
            throw e;
        }
    }

    // ---- GitOpsRepository ----------------------------------------------------------------------------------------

    @Override
    public List<String> preflight(List<String> namespaces) {
        lock.lock();
        try {
            return preflightLocked(namespaces);
        } finally {
            lock.unlock();
        }
    }

    private List<String> preflightLocked(List<String> namespaces) {
        List<String> problems = new ArrayList<>();
        ObjectId head;
        if (!push) {
            head = local.branchHeadOrNull();
        } else {
            try {
                head = remote.fetchHead();
            } catch (GitException e) {
                problems.add(e.getMessage());
                head = remote.trackingHead();
            }
        }
        if (head != null) {
            for (String namespace : namespaces) {
                String path = pathOf(namespace);
                try {
                    Optional<String> text = files.read(head, path);
                    if (text.isEmpty()) {
                        problems.add(path + " does not exist on " + remoteName() + " (" + head.abbreviate(8).name()
                                + "); namespace " + namespace + " needs its manifest there");
                    } else if (!NamespaceManifest.parse(path, text.get()).hasNamespace(namespace)) {
                        problems.add(path + " holds no 'kind: Namespace' document named '" + namespace + "'");
                    }
                } catch (ManifestException e) {
                    problems.add(e.getMessage());
                }
            }
        } else if (problems.isEmpty()) {
            problems.add("the remote branch " + remoteName() + " has never been fetched");
        }
        problems.addAll(local.uncommittedChanges(namespaces.stream().map(this::pathOf).toList()));
        return problems.stream().map(Redaction::redact).toList();
    }

    @Override
    public String previewDiff(StepChange change) {
        lock.lock();
        try {
            ObjectId head = headForReading();
            String path = pathOf(change.namespace());
            String before = files.read(head, path).orElseThrow(() -> new GitException(Reason.MANIFEST,
                    path + " does not exist on " + remoteName()));
            return GitFiles.unifiedDiff(path, before, edited(path, before, change));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the step: its commit is built on the remote head and pushed, in one push with the commits and reverts
     * other threads asked for meanwhile (docs/git-record.md#steps-in-flight-share-a-push).
     */
    @Override
    public String commit(StepChange change) {
        return record(new StepWrite(change));
    }

    /** Reverts the step's commit; grouped like {@link #commit} (docs/git-record.md#steps-in-flight-share-a-push). */
    @Override
    public String revert(StepChange change, String commitId) {
        return record(new RevertWrite(change, commitId));
    }

    @Override
    public Optional<Map<String, String>> labelsAtRemote(String namespace) {
        lock.lock();
        try {
            ObjectId head = headForReading();
            String path = pathOf(namespace);
            return files.read(head, path)
                    .flatMap(text -> NamespaceManifest.parse(path, text).labels(namespace))
                    .map(InjectionLabels::of);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String describe() {
        return clone.describe();
    }

    /** The manifest path of a namespace, from the plan's template. */
    public String pathOf(String namespace) {
        return clone.pathOf(namespace);
    }

    @Override
    public void close() {
        clone.close();
    }

    // ---- steps in flight share a push (docs/git-record.md#steps-in-flight-share-a-push) --------------------------

    /**
     * Asks for a write and waits for its outcome. Writes queue in arrival order; whoever gets the lock next takes
     * every write queued by then and records them as one group (one fetch, one commit each on the head in that order,
     * one push); the others find theirs done when they get the lock (it is fair: they come before later arrivals).
     */
    private String record(Write write) {
        synchronized (queue) {
            queue.add(write);
        }
        lock.lock();
        try {
            if (!write.isDone()) {
                List<Write> group;
                synchronized (queue) {
                    group = new ArrayList<>(queue);
                    queue.clear();
                }
                if (push) {
                    writeGroup(group);
                } else {
                    // the clone is the record: nothing to fetch or push, so nothing to share; one write after the other
                    group.forEach(w -> writeGroup(List.of(w)));
                }
            }
        } finally {
            lock.unlock();
        }
        return write.outcome();
    }

    /** How many writes wait for the next group (for tests that hold a push until the others have queued). */
    int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /**
     * Records a group, attempt after attempt while its push loses races (one budget for the group), and completes each
     * of its writes with its id or its own failure: none is left waiting, whatever goes wrong.
     */
    private void writeGroup(List<Write> group) {
        List<Write> pending = new ArrayList<>(group);
        try {
            if (!resilience.untilThePushLands(() -> attempt(pending))) {
                pending.forEach(w -> w.fail(w.lostEveryRace()));
            }
        } catch (GitException e) {
            // the fetch failed (or the clone could not be read): every write of the group gets what it would alone
            boolean first = true;
            for (Write w : pending) {
                w.fail(first ? e : e.sameFailure());
                first = false;
            }
        } catch (RuntimeException | Error e) {
            pending.forEach(w -> w.fail(e));
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /**
     * One attempt of a group: fetch the head, build each pending write's commit in order, each on the one before,
     * and push the last (the branch takes them all or none). A write whose own change cannot be built (its file
     * missing or unreadable, a conflicting edit, a revert that does not apply) fails alone and is left out; one
     * already on the remote is returned as is. Writes that are done leave {@code pending}; after a lost race the
     * rest is built again on the new head.
     *
     * @throws GitResilience.PushRaced when the push lost a race (the writes stay pending)
     */
    private void attempt(List<Write> pending) {
        ObjectId head = startingPoint();
        RevCommit tip = null;
        List<Write> carried = new ArrayList<>();
        Set<ObjectId> made = new HashSet<>();
        for (Write w : List.copyOf(pending)) {
            w.commit = null;
            try {
                ObjectId base = tip != null ? tip : head;
                Optional<RevCommit> found = w.find(base);
                if (found.isPresent() && !made.contains(found.get())) {
                    w.alreadyRecorded(found.get());
                    pending.remove(w);
                    continue;
                }
                if (found.isPresent()) {
                    w.commit = found.get(); // the same step asked twice in one group: one commit, both get its id
                } else {
                    w.commit = w.build(base, head);
                    tip = w.commit;
                    made.add(tip);
                }
                carried.add(w);
            } catch (RuntimeException e) {
                w.fail(e);
                pending.remove(w);
            }
        }
        if (carried.isEmpty()) {
            return;
        }
        if (push) {
            try {
                remote.push(tip, carried.size() == 1 ? tip.name() : tip.name() + " (" + carried.size()
                        + " commits, steps " + stepsOf(carried, null) + ")");
            } catch (GitRemote.PushFailed f) {
                for (Write w : carried) {
                    String name = GitMessages.abbreviate(w.commit.name()) + (carried.size() == 1 ? ""
                            : " (step " + w.change.stepId() + ", in one push with step " + stepsOf(carried, w) + ")");
                    w.fail(f.forCommit(name, w.consequence()));
                }
                pending.removeAll(carried);
                return;
            }
        }
        for (Write w : carried) {
            try {
                local.syncTo(w.commit, w.path);
                w.succeed(w.commit.name());
            } catch (RuntimeException e) {
                w.fail(e); // push off only: the clone's branch could not take the commit
            }
        }
        pending.removeAll(carried);
    }

    private static String stepsOf(List<Write> writes, Write except) {
        return String.join(", ", writes.stream().filter(w -> w != except).map(w -> w.change.stepId()).toList());
    }

    private ObjectId startingPoint() {
        if (push) {
            ObjectId head = remote.fetchHead();
            local.fastForward(head);
            return head;
        }
        return local.branchHead();
    }

    /**
     * A commit or revert asked for by one caller, and its outcome. Written and read under the lock (the caller reads
     * it after it got the lock itself), so the fields need no other guard.
     */
    private abstract class Write {
        final StepChange change;
        final String path;
        /** This attempt's commit for the write. */
        RevCommit commit;
        private boolean done;
        private String id;
        private Throwable failure;

        Write(StepChange change) {
            this.change = change;
            this.path = pathOf(change.namespace());
        }

        /** The write already in head's history (found by its trailers), if it is. */
        abstract Optional<RevCommit> find(ObjectId head);

        /** The write's commit on {@code base} ({@code head}: the remote head it was fetched as). */
        abstract RevCommit build(ObjectId base, ObjectId head);

        /** What a failed push did not do, ending its message. */
        abstract String consequence();

        abstract GitException lostEveryRace();

        /** A commit or revert for this step already on the remote (or, with push off, in the clone): returned as is. */
        void alreadyRecorded(RevCommit found) {
            events.accept(new GitEvent(GitEvent.Kind.ALREADY_RECORDED, found.name()));
            local.syncTo(found, path);
            succeed(found.name());
        }

        void succeed(String commitId) {
            if (!done) {
                done = true;
                id = commitId;
            }
        }

        void fail(Throwable e) {
            if (!done) {
                done = true;
                failure = e;
            }
        }

        boolean isDone() {
            return done;
        }

        String outcome() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return id;
        }
    }

    private final class StepWrite extends Write {
        private ObjectId firstBase;
        private ObjectId firstBlob;

        StepWrite(StepChange change) {
            super(change);
        }

        @Override
        Optional<RevCommit> find(ObjectId head) {
            return commits.findStep(head, change);
        }

        @Override
        RevCommit build(ObjectId base, ObjectId head) {
            ObjectId blob = files.blobId(base, path);
            if (blob == null) {
                throw new GitException(Reason.MANIFEST, path + " does not exist on " + remoteName()
                        + "; nothing was pushed and the cluster was not touched");
            }
            if (firstBlob == null) {
                firstBase = head;
                firstBlob = blob;
            } else if (!firstBlob.equals(blob)) {
                throw conflict(head);
            }
            return commits.writeStep(base, change, path, edited(path, files.readBlob(blob), change));
        }

        @Override
        String consequence() {
            return "nothing of this step was pushed and the cluster was not touched";
        }

        @Override
        GitException lostEveryRace() {
            return new GitException(Reason.REJECTED, "the push of step " + change.stepId() + " (" + change.namespace()
                    + ") to " + remoteName() + " was rejected as non-fast-forward " + GitResilience.PUSH_ATTEMPTS
                    + " times while others pushed to the branch; nothing of this step was pushed and the cluster was not touched");
        }

        private GitException conflict(ObjectId head) {
            String culprit = commits.lastChange(firstBase, head, path);
            return new GitException(Reason.CONFLICT, "conflict: " + path + " was changed on " + remoteName() + culprit
                    + " while revroll was writing step " + change.stepId() + " (" + change.namespace()
                    + "); nothing was pushed and the cluster was not touched. Check the change and run again");
        }
    }

    private final class RevertWrite extends Write {
        private final String commitId;

        RevertWrite(StepChange change, String commitId) {
            super(change);
            this.commitId = commitId;
        }

        @Override
        Optional<RevCommit> find(ObjectId head) {
            return commits.findRevert(head, commitId);
        }

        @Override
        RevCommit build(ObjectId base, ObjectId head) {
            return commits.writeRevert(base, change, commitId);
        }

        @Override
        String consequence() {
            return "the revert is not on the remote";
        }

        @Override
        GitException lostEveryRace() {
            return new GitException(Reason.REJECTED, "the push of the revert of " + GitMessages.abbreviate(commitId) + " to "
                    + remoteName() + " was rejected as non-fast-forward " + GitResilience.PUSH_ATTEMPTS
                    + " times while others pushed to the branch; the revert is not on the remote");
        }
    }

    /** For reads (preview, drift): the remote head, fetched once per instance; the local branch when push is off. */
    private ObjectId headForReading() {
        if (!push) {
            return local.branchHead();
        }
        return remote.knownHead();
    }

    /** The manifest with the step's labels set, comments, order and quoting kept. */
    private static String edited(String path, String manifest, StepChange change) {
        return NamespaceManifest.parse(path, manifest).withLabels(change.namespace(), StepCommits.labelsSetBy(change));
    }

    private String remoteName() {
        return clone.remoteName();
    }
}
