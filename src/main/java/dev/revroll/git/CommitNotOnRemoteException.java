package dev.revroll.git;

import dev.revroll.errors.ExitCode;

/** A step commit that is not on the remote branch (its push never landed), so there is nothing to revert in Git. */
public class CommitNotOnRemoteException extends GitException {
    public CommitNotOnRemoteException(String message) {
        super(ExitCode.ROLLBACK_INCOMPLETE, message);
    }
}
