package dev.revroll.git;

import dev.revroll.errors.GitRecordException;

/**
 * Git could not record or undo a step (remote unreachable, push rejected, a conflicting change). The message says
 * which remote, file or commit, and whether the cluster was touched; credentials are always redacted.
 */
public class GitException extends GitRecordException {

    public GitException(Reason reason, String message) {
        super(reason, Redaction.redact(message));
    }

    public GitException(Reason reason, String message, Throwable cause) {
        super(reason, Redaction.redact(message));
        if (cause != null) {
            // keep the chain for --verbose, but never a message that could carry a secret
            initCause(new RedactedCause(cause));
        }
    }

    /**
     * The same failure (reason, message, cause) as a new exception, for each other caller of a group that failed as a
     * whole (docs/git-record.md#steps-in-flight-share-a-push).
     */
    GitException sameFailure() {
        GitException copy = new GitException(reason(), getMessage());
        if (getCause() != null) {
            copy.initCause(getCause());
        }
        return copy;
    }

    /** A cause whose text went through {@link Redaction}; the original stack trace is kept. */
    static final class RedactedCause extends RuntimeException {
        RedactedCause(Throwable original) {
            super(original.getClass().getName() + ": " + Redaction.redact(String.valueOf(original.getMessage())));
            setStackTrace(original.getStackTrace());
            if (original.getCause() != null) {
                initCause(new RedactedCause(original.getCause()));
            }
        }
    }
}
