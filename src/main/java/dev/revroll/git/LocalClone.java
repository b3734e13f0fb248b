package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Keeps the clone's own branch, index and working tree in line with what was recorded: fast-forwarding the branch
 * to the remote head, moving it onto a new step commit and refreshing that one file, and finding uncommitted
 * changes to manifests before a run. With push on, a clone that cannot follow is left as it is (an event says why);
 * with push off the clone is the record, so that is an error.
 */
final class LocalClone {

    private final GitClone clone;
    private final Git git;
    private final Repository repo;
    private final String branch;
    private final boolean push;
    private final Consumer<GitEvent> events;

    LocalClone(GitClone clone, Consumer<GitEvent> events) {
        this.clone = clone;
        this.git = clone.git();
        this.repo = clone.repo();
        this.branch = clone.branch();
        this.push = clone.config().push();
        this.events = events;
    }

    /** The head of the clone's branch, or null when it has no commits or cannot be read. */
    ObjectId branchHeadOrNull() {
        return clone.resolveOrNull(Constants.R_HEADS + branch);
    }

    /** The head of the clone's branch (with push off, what steps are committed on). */
    ObjectId branchHead() {
        ObjectId head = branchHeadOrNull();
        if (head == null) {
            throw new GitException(Reason.UNREADABLE, "branch " + branch + " of " + clone.config().repo() + " has no commits");
        }
        return head;
    }

    /** Brings the local branch up to the remote head when it can without merging; never fails the step. */
    void fastForward(ObjectId remoteHead) {
        if (repo.isBare()) {
            return;
        }
        ObjectId local = branchHeadOrNull();
        if (remoteHead.equals(local)) {
            return;
        }
        try {
            Ref tracking = repo.exactRef(clone.trackingRef());
            MergeResult result = git.merge().include(tracking).setFastForward(MergeCommand.FastForwardMode.FF_ONLY)
                    .setCommit(true).call();
            if (!result.getMergeStatus().isSuccessful()) {
                events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, "branch " + branch
                        + " cannot be fast-forwarded to " + clone.remoteName() + ": " + result.getMergeStatus()));
            }
        } catch (GitAPIException | IOException | RuntimeException e) {
            events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, Redaction.redact(GitMessages.rootMessage(e))));
        }
    }

    /**
     * After a commit is on the remote (or, with push off, made): moves the local branch to it when the branch sat on
     * its parent, and refreshes the one file in the index and working tree when that file had no local changes.
     */
    void syncTo(RevCommit commit, String path) {
        ObjectId local = branchHeadOrNull();
        if (local == null || local.equals(commit)) {
            return;
        }
        boolean onParent = commit.getParentCount() == 1 && local.equals(commit.getParent(0));
        if (!onParent) {
            if (push) {
                fastForward(commit);
            }
            return;
        }
        try {
            boolean fileClean = repo.isBare() || git.status().addPath(path).call().isClean();
            if (!fileClean) {
                events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, path + " has local changes"));
                if (!push) {
                    throw new GitException(Reason.CONFLICT, path + " has uncommitted changes in " + clone.config().repo());
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
            if (!push) {
                throw new GitException(Reason.WRITE_FAILED, "cannot commit to " + branch + " of " + clone.config().repo() + ": "
                        + GitMessages.rootMessage(e), e);
            }
            events.accept(new GitEvent(GitEvent.Kind.LOCAL_CLONE_LEFT_AS_IS, Redaction.redact(GitMessages.rootMessage(e))));
        }
    }

    /** One problem per file among {@code paths} with uncommitted changes; none for a bare clone (no working tree). */
    List<String> uncommittedChanges(List<String> paths) {
        List<String> problems = new ArrayList<>();
        if (repo.isBare()) {
            return problems;
        }
        try {
            var status = git.status();
            paths.forEach(status::addPath);
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
                problems.add(path + " has uncommitted changes in the clone " + clone.config().repo()
                        + "; commit, stash or discard them first");
            }
        } catch (GitAPIException | RuntimeException e) {
            problems.add("cannot read the status of the clone " + clone.config().repo() + ": " + GitMessages.rootMessage(e));
        }
        return problems;
    }
}
