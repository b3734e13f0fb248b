package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.MergeCommand;
import org.eclipse.jgit.api.MergeResult;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The GitOps record on JGit. The plan names a local clone; the remote and branch are that clone's current branch and
 * its upstream. Step commits and reverts are built in the object database on top of the remote head (the clone's
 * working tree is never used to compute them), pushed, and only then is the local branch fast-forwarded, so a
 * push that loses a race can be rebuilt on the new head and pushed again. Never a force-push. Calls are serialized
 * per instance (a wave with {@code parallel > 1} shares one clone); concurrent writers elsewhere are handled by the
 * fetch-rebase-push retry of {@link GitResilience}.
 */
public final class JGitOpsRepository implements GitOpsRepository, AutoCloseable {

    /** The trailers of step commits and reverts; defined in {@link StepCommits}. */
    public static final String TRAILER_RUN = StepCommits.TRAILER_RUN;
    public static final String TRAILER_STEP = StepCommits.TRAILER_STEP;
    public static final String TRAILER_PLAN = StepCommits.TRAILER_PLAN;
    public static final String TRAILER_REVERT_OF = StepCommits.TRAILER_REVERT_OF;
    /** The injection labels; defined in {@link InjectionLabels}. */
    public static final String REVISION_LABEL = InjectionLabels.REVISION;
    public static final String INJECTION_LABEL = InjectionLabels.INJECTION;

    private final GitClone clone;
    private final Plan.GitConfig config;
    private final String planName;
    private final Git git;
    private final Repository repo;
    private final String branch;
    private final String trackingRef;
    private final GitResilience resilience = new GitResilience();
    private final GitFiles files;
    private final StepCommits commits;
    private final GitRemote remote;
    private final Consumer<GitEvent> events;

    private JGitOpsRepository(GitClone clone, Consumer<GitEvent> events) {
        this.clone = clone;
        this.config = clone.config();
        this.planName = clone.planName();
        this.git = clone.git();
        this.repo = clone.repo();
        this.branch = clone.branch();
        this.trackingRef = clone.trackingRef();
        this.files = new GitFiles(clone.repo());
        this.commits = new StepCommits(clone);
        this.remote = new GitRemote(clone, events);
        this.events = events;
    }

    public static JGitOpsRepository open(Plan.GitConfig config, String planName) {
        return open(config, planName, event -> { });
    }

    /** Opens the clone named by the plan; see {@link GitClone#open} for what it refuses. */
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
        if (!config.push()) {
            head = resolveOrNull(Constants.R_HEADS + branch);
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
        if (!repo.isBare()) {
            problems.addAll(uncommittedChanges(namespaces));
        }
        return problems.stream().map(Redaction::redact).toList();
    }

    @Override
    public synchronized String previewDiff(StepChange change) {
        ObjectId head = headForReading();
        String path = pathOf(change.namespace());
        String before = files.read(head, path).orElseThrow(() -> new GitException(Reason.MANIFEST,
                path + " does not exist on " + remoteName()));
        String after = NamespaceManifest.parse(path, before).withLabels(change.namespace(), InjectionLabels.setBy(change));
        return GitFiles.unifiedDiff(path, before, after);
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
                "the push of the revert of " + GitMessages.abbreviate(commitId) + " to " + remoteName() + " was rejected as non-fast-forward "
                + GitResilience.PUSH_ATTEMPTS + " times while others pushed to the branch; the revert is not on the remote"));
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
            String before = files.readBlob(blob);
            String after = NamespaceManifest.parse(path, before).withLabels(change.namespace(), InjectionLabels.setBy(change));
            RevCommit commit = commits.writeStep(head, change, path, after);
            publish(commit, "nothing of this step was pushed and the cluster was not touched");
            syncLocalBranch(commit, path);
            return commit.name();
        }

        String revertOnce(String commitId) {
            ObjectId head = startingPoint();
            Optional<RevCommit> done = commits.findRevert(head, commitId);
            if (done.isPresent()) {
                return alreadyRecorded(done.get());
            }
            RevCommit revert = commits.writeRevert(head, change, commitId);
            publish(revert, "the revert is not on the remote");
            syncLocalBranch(revert, path);
            return revert.name();
        }

        /** A commit or revert for this step already on the remote (or, with push off, in the clone): returned as is. */
        private String alreadyRecorded(RevCommit done) {
            events.accept(new GitEvent(GitEvent.Kind.ALREADY_RECORDED, done.name()));
            syncLocalBranch(done, path);
            return done.name();
        }

        private ObjectId startingPoint() {
            if (config.push()) {
                ObjectId head = remote.fetchHead();
                fastForwardLocal(head);
                return head;
            }
            return localHead();
        }

        private GitException conflict(ObjectId head) {
            String culprit = commits.lastChange(firstBase, head, path);
            return new GitException(Reason.CONFLICT, "conflict: " + path + " was changed on " + remoteName() + culprit
                    + " while revroll was writing step " + change.stepId() + " (" + change.namespace()
                    + "); nothing was pushed and the cluster was not touched. Check the change and run again");
        }
    }

    // ---- remote --------------------------------------------------------------------------------------------------

    /** For reads (preview, drift): the remote head, fetched once per instance; the local branch when push is off. */
    private ObjectId headForReading() {
        if (!config.push()) {
            return localHead();
        }
        return remote.knownHead();
    }

    private void publish(RevCommit commit, String consequence) {
        if (config.push()) {
            remote.push(commit, consequence);
        }
    }

    // ---- local clone ---------------------------------------------------------------------------------------------

    private ObjectId localHead() {
        ObjectId head = resolveOrNull(Constants.R_HEADS + branch);
        if (head == null) {
            throw new GitException(Reason.UNREADABLE, "branch " + branch + " of " + config.repo() + " has no commits");
        }
        return head;
    }

    /** Brings the local branch up to the remote head when it can without merging; never fails the step. */
    private void fastForwardLocal(ObjectId remoteHead) {
        if (repo.isBare()) {
            return;
        }
        ObjectId local = resolveOrNull(Constants.R_HEADS + branch);
        if (remoteHead.equals(local)) {
            return;
        }
        try {
            Ref tracking = repo.exactRef(trackingRef);
            MergeResult result = git.merge().include(tracking).setFastForward(MergeCommand.FastForwardMode.FF_ONLY)
                    .setCommit(true).call();
            if (!result.getMergeStatus().isSuccessful()) {
                events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, "branch " + branch
                        + " cannot be fast-forwarded to " + remoteName() + ": " + result.getMergeStatus()));
            }
        } catch (GitAPIException | IOException | RuntimeException e) {
            events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, Redaction.redact(GitMessages.rootMessage(e))));
        }
    }

    /**
     * After a commit is on the remote (or, with push off, made): moves the local branch to it when the branch sat on
     * its parent, and refreshes the one file in the index and working tree when that file had no local changes.
     */
    private void syncLocalBranch(RevCommit commit, String path) {
        ObjectId local = resolveOrNull(Constants.R_HEADS + branch);
        if (local == null || local.equals(commit)) {
            return;
        }
        boolean onParent = commit.getParentCount() == 1 && local.equals(commit.getParent(0));
        if (!onParent) {
            if (config.push()) {
                fastForwardLocal(commit);
            }
            return;
        }
        try {
            boolean fileClean = repo.isBare() || git.status().addPath(path).call().isClean();
            if (!fileClean) {
                events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, path + " has local changes"));
                if (!config.push()) {
                    throw new GitException(Reason.CONFLICT, path + " has uncommitted changes in " + config.repo());
                }
                return;
            }
            RefUpdate ru = repo.updateRef(Constants.R_HEADS + branch);
            ru.setExpectedOldObjectId(local);
            ru.setNewObjectId(commit);
            ru.setRefLogMessage("revroll: " + commit.getShortMessage(), false);
            RefUpdate.Result r = ru.update();
            if (r != RefUpdate.Result.FAST_FORWARD && r != RefUpdate.Result.NEW && r != RefUpdate.Result.FORCED) {
                throw new IOException("cannot move " + branch + ": " + r);
            }
            if (!repo.isBare()) {
                git.reset().addPath(path).call();
                git.checkout().addPath(path).call();
            }
        } catch (GitAPIException | IOException e) {
            if (!config.push()) {
                throw new GitException(Reason.WRITE_FAILED, "cannot commit to " + branch + " of " + config.repo() + ": "
                        + GitMessages.rootMessage(e), e);
            }
            events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, Redaction.redact(GitMessages.rootMessage(e))));
        }
    }

    private List<String> uncommittedChanges(List<String> namespaces) {
        List<String> problems = new ArrayList<>();
        try {
            var status = git.status();
            namespaces.forEach(ns -> status.addPath(pathOf(ns)));
            Status st = status.call();
            Set<String> dirty = new TreeSet<>();
            dirty.addAll(st.getModified());
            dirty.addAll(st.getChanged());
            dirty.addAll(st.getAdded());
            dirty.addAll(st.getRemoved());
            dirty.addAll(st.getMissing());
            dirty.addAll(st.getUntracked());
            dirty.addAll(st.getConflicting());
            for (String path : dirty) {
                problems.add(path + " has uncommitted changes in the clone " + config.repo()
                        + "; commit, stash or discard them first");
            }
        } catch (GitAPIException | RuntimeException e) {
            problems.add("cannot read the status of the clone " + config.repo() + ": " + GitMessages.rootMessage(e));
        }
        return problems;
    }

    // ---- messages and helpers ------------------------------------------------------------------------------------

    private String remoteName() {
        return clone.remoteName();
    }

    private ObjectId resolveOrNull(String rev) {
        return clone.resolveOrNull(rev);
    }


}
