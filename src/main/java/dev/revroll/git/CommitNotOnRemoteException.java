package dev.revroll.git;

/** A step commit that is not on the remote branch (its push never landed), so there is nothing to revert in Git. */
public class CommitNotOnRemoteException extends GitException {
    public CommitNotOnRemoteException(String message) {
        super(Reason.NOT_ON_REMOTE, message);
    }
}
