package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.InjectionLabels;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The GitOps record on JGit. The plan names a local clone; the remote and branch are that clone's current branch and
 * its upstream. Step commits and reverts are built in the object database on top of the remote head (the clone's
 * working tree is never used to compute them), pushed, and only then is the local branch fast-forwarded, so a
 * push that loses a race can be rebuilt on the new head and pushed again. Never a force-push. Calls are serialized
 * per instance (a wave with {@code parallel > 1} shares one clone); concurrent writers elsewhere are handled by the
 * fetch-rebase-push retry of {@link GitResilience}.
 *
 * <p>This class implements the port and runs each step's attempt; the parts do the Git work: {@link GitClone}
 * (the opened clone and its upstream), {@link GitRemote} (fetch and push), {@link StepCommits} (commits and reverts
 * in the object database, found again by their trailers), {@link LocalClone} (the clone's branch and working tree)
 * and {@link GitFiles} (files at a commit, diffs). The parts are not thread-safe; they are only called under this
 * instance's lock.
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
    public synchronized List<String> preflight(List<String> namespaces) {
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
    public synchronized String previewDiff(StepChange change) {
        ObjectId head = headForReading();
        String path = pathOf(change.namespace());
        String before = files.read(head, path).orElseThrow(() -> new GitException(Reason.MANIFEST,
                path + " does not exist on " + remoteName()));
        return GitFiles.unifiedDiff(path, before, edited(path, before, change));
    }

    @Override
    public synchronized String commit(StepChange change) {
        StepAttempt attempt = new StepAttempt(change);
        return resilience.untilThePushLands(attempt::commitOnce, () -> new GitException(Reason.REJECTED, "the push of step "
                + change.stepId() + " (" + change.namespace() + ") to " + remoteName() + " was rejected as non-fast-forward "
                + GitResilience.PUSH_ATTEMPTS + " times while others pushed to the branch; nothing of this step was pushed"
                + " and the cluster was not touched"));
    }

    @Override
    public synchronized String revert(StepChange change, String commitId) {
        StepAttempt attempt = new StepAttempt(change);
        return resilience.untilThePushLands(() -> attempt.revertOnce(commitId), () -> new GitException(Reason.REJECTED,
                "the push of the revert of " + GitMessages.abbreviate(commitId) + " to " + remoteName()
                + " was rejected as non-fast-forward " + GitResilience.PUSH_ATTEMPTS
                + " times while others pushed to the branch; the revert is not on the remote"));
    }

    @Override
    public synchronized Optional<Map<String, String>> labelsAtRemote(String namespace) {
        ObjectId head = headForReading();
        String path = pathOf(namespace);
        return files.read(head, path)
                .flatMap(text -> NamespaceManifest.parse(path, text).labels(namespace))
                .map(InjectionLabels::of);
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

    // ---- one attempt of a commit or revert (retried when the push loses a race) ----------------------------------

    private final class StepAttempt {
        private final StepChange change;
        private final String path;
        private ObjectId firstBase;
        private ObjectId firstBlob;

        StepAttempt(StepChange change) {
            this.change = change;
            this.path = pathOf(change.namespace());
        }

        String commitOnce() {
            ObjectId head = startingPoint();
            Optional<RevCommit> done = commits.findStep(head, change);
            if (done.isPresent()) {
                return alreadyRecorded(done.get());
            }
            ObjectId blob = files.blobId(head, path);
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
            RevCommit commit = commits.writeStep(head, change, path, edited(path, files.readBlob(blob), change));
            return published(commit, "nothing of this step was pushed and the cluster was not touched");
        }

        String revertOnce(String commitId) {
            ObjectId head = startingPoint();
            Optional<RevCommit> done = commits.findRevert(head, commitId);
            if (done.isPresent()) {
                return alreadyRecorded(done.get());
            }
            RevCommit revert = commits.writeRevert(head, change, commitId);
            return published(revert, "the revert is not on the remote");
        }

        /** A commit or revert for this step already on the remote (or, with push off, in the clone): returned as is. */
        private String alreadyRecorded(RevCommit done) {
            events.accept(new GitEvent(GitEvent.Kind.ALREADY_RECORDED, done.name()));
            local.syncTo(done, path);
            return done.name();
        }

        /** Pushes a new commit or revert (with push on), then brings the local clone to it. */
        private String published(RevCommit commit, String consequence) {
            if (push) {
                remote.push(commit, consequence);
            }
            local.syncTo(commit, path);
            return commit.name();
        }

        private ObjectId startingPoint() {
            if (push) {
                ObjectId head = remote.fetchHead();
                local.fastForward(head);
                return head;
            }
            return local.branchHead();
        }

        private GitException conflict(ObjectId head) {
            String culprit = commits.lastChange(firstBase, head, path);
            return new GitException(Reason.CONFLICT, "conflict: " + path + " was changed on " + remoteName() + culprit
                    + " while revroll was writing step " + change.stepId() + " (" + change.namespace()
                    + "); nothing was pushed and the cluster was not touched. Check the change and run again");
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
