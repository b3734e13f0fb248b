package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The clone's upstream on the GitOps remote: fetching its head into the remote-tracking ref, and pushing a commit
 * onto it as a fast-forward (never a force-push), with the {@link GitCredentials} for the remote's URL and the
 * transport timeout of {@link GitResilience}. A push that lost a race throws {@link GitResilience.PushRaced} for the
 * retry; a push that cannot land throws {@link PushFailed}, which gives each commit it carried its own
 * {@link GitException}; a failed fetch is a {@link GitException}. Every message names the remote (credentials redacted).
 */
final class GitRemote {

    private final GitClone clone;
    private final GitCredentials credentials;
    private final Consumer<GitEvent> events;
    /** The remote head as last fetched or pushed by this instance; null before the first fetch. */
    private ObjectId knownHead;

    GitRemote(GitClone clone, Consumer<GitEvent> events) {
        this.clone = clone;
        this.credentials = GitCredentials.forRemote(clone.remoteUrl());
        this.events = events;
    }

    /** Fetches the upstream branch (the tracking ref follows it, even backwards) and returns its head. */
    ObjectId fetchHead() {
        try {
            credentials.apply(clone.git().fetch()
                    .setRemote(clone.remote())
                    .setRefSpecs(new RefSpec("+" + clone.remoteBranch() + ":" + clone.trackingRef()))
                    .setTimeout(GitResilience.transportTimeoutSeconds()))
                    .call();
        } catch (GitAPIException | RuntimeException e) {
            throw new GitException(Reason.UNREACHABLE, "cannot fetch " + branchName() + " from the GitOps remote "
                    + clone.remote() + " (" + clone.remoteUrl() + "): " + GitMessages.rootMessage(e), e);
        }
        ObjectId head = trackingHead();
        if (head == null) {
            throw new GitException(Reason.UNREACHABLE, "the GitOps remote " + clone.remote() + " (" + clone.remoteUrl()
                    + ") has no branch " + branchName());
        }
        knownHead = head;
        events.accept(new GitEvent(GitEvent.Kind.FETCHED, head.name()));
        return head;
    }

    /** The remote head as last fetched or pushed; fetched when this instance has not fetched yet. */
    ObjectId knownHead() {
        return knownHead != null ? knownHead : fetchHead();
    }

    /** The remote-tracking ref as the last fetch left it, or null when never fetched. */
    ObjectId trackingHead() {
        return clone.resolveOrNull(clone.trackingRef());
    }

    /**
     * Pushes {@code tip} onto the upstream branch: one commit, or the last of a group of step commits built one on
     * the other (docs/git-record.md); the branch moves to it in one update, so the remote takes all of them or none.
     * {@code summary} is the events' detail (the tip's id, and for a group how many commits it carries).
     *
     * @throws GitResilience.PushRaced when the remote rejected it as non-fast-forward (someone pushed first)
     * @throws PushFailed              when the remote could not be reached or refused the push
     */
    void push(RevCommit tip, String summary) {
        events.accept(new GitEvent(GitEvent.Kind.PUSHING, summary));
        Iterable<PushResult> results;
        try {
            results = credentials.apply(clone.git().push()
                    .setRemote(clone.remote())
                    .setRefSpecs(new RefSpec(tip.name() + ":" + clone.remoteBranch()))
                    .setTimeout(GitResilience.transportTimeoutSeconds()))
                    .call();
        } catch (GitAPIException | RuntimeException e) {
            throw new PushFailed(Reason.UNREACHABLE, commit -> "cannot push " + commit + " to " + clone.remote() + " ("
                    + clone.remoteUrl() + "): " + GitMessages.rootMessage(e), e);
        }
        for (PushResult result : results) {
            RemoteRefUpdate update = result.getRemoteUpdate(clone.remoteBranch());
            if (update == null) {
                continue;
            }
            switch (update.getStatus()) {
                case OK, UP_TO_DATE -> {
                    updateTrackingRef(tip);
                    knownHead = tip;
                    events.accept(new GitEvent(GitEvent.Kind.PUSHED, summary));
                }
                case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> {
                    events.accept(new GitEvent(GitEvent.Kind.PUSH_RACED, summary));
                    throw new GitResilience.PushRaced();
                }
                default -> {
                    String said = result.getMessages() == null ? "" : result.getMessages().strip();
                    String why = (update.getMessage() == null ? String.valueOf(update.getStatus()) : update.getMessage())
                            + (said.isEmpty() ? "" : "; the remote said: " + said.replace('\n', ' ').replace("\r", ""));
                    throw new PushFailed(Reason.REJECTED, commit -> clone.remote() + " (" + clone.remoteUrl()
                            + ") rejected the push of " + commit + " to " + branchName() + ": " + why, null);
                }
            }
        }
    }

    /**
     * A push that did not land and will not by asking again (the remote unreachable, or refusing it). Every commit the
     * push carried gets its own {@link GitException} from {@link #forCommit}.
     */
    static final class PushFailed extends RuntimeException {
        private final Reason reason;
        private final java.util.function.Function<String, String> message;
        private final Throwable transportFailure;

        PushFailed(Reason reason, java.util.function.Function<String, String> message, Throwable transportFailure) {
            super(reason.name(), null, false, false);
            this.reason = reason;
            this.message = message;
            this.transportFailure = transportFailure;
        }

        /**
         * The failure as one commit's caller sees it: {@code commit} is how the message names that commit (its short
         * id, for a group also its step), {@code consequence} ends it (what was not done because of it).
         */
        GitException forCommit(String commit, String consequence) {
            return new GitException(reason, message.apply(commit) + "; " + consequence, transportFailure);
        }
    }

    /** Moves the local remote-tracking ref to a commit the remote accepted (a local ref; the push is never forced). */
    private void updateTrackingRef(ObjectId id) {
        try {
            RefUpdate ru = clone.repo().updateRef(clone.trackingRef());
            ru.setNewObjectId(id);
            ru.setForceUpdate(true);
            ru.update();
        } catch (IOException e) {
            // the tracking ref is refreshed by the next fetch
        }
    }

    private String branchName() {
        return Repository.shortenRefName(clone.remoteBranch());
    }
}
