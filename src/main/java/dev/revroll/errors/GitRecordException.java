package dev.revroll.errors;

/**
 * The Git record of a step could not be read or written. The message says which remote, file or commit, and whether
 * the cluster was touched; credentials are never in it. {@link #reason()} says what kind of failure it was.
 */
public class GitRecordException extends RevrollException {

    public enum Reason {
        /** The remote did not answer a fetch or a push, or has no such branch: nothing was written. */
        UNREACHABLE,
        /** The clone's objects or history could not be read. */
        UNREADABLE,
        /** A manifest in the repository cannot be read or edited (file:line:column in the message). */
        MANIFEST,
        /** The remote refused a push, or it lost every race: nothing of the change is on the remote. */
        REJECTED,
        /** The file was changed by someone else while revroll wrote it, or a revert conflicts. */
        CONFLICT,
        /** The commit to revert is not on the remote branch: there is nothing to revert in Git. */
        NOT_ON_REMOTE,
        /** A commit could not be written in the clone. */
        WRITE_FAILED
    }

    private final Reason reason;

    public GitRecordException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public GitRecordException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
