package dev.revroll.git;

/**
 * Progress of the Git record, for {@code --verbose} output and for tests that race a concurrent writer. The detail
 * text is already redacted.
 */
public record GitEvent(Kind kind, String detail) {

    public enum Kind {
        /** The remote branch was fetched; detail: its head commit. */
        FETCHED,
        /** A commit or revert for this step is already on the remote (idempotent resume); detail: its id. */
        ALREADY_RECORDED,
        /**
         * About to push; detail: the commit id, or for a group of steps in flight the last commit's id with how many
         * commits it carries and their steps (docs/git-record.md#steps-in-flight-share-a-push).
         */
        PUSHING,
        /** The push lost a race (non-fast-forward); revroll fetches, rebases and tries again. */
        PUSH_RACED,
        /** The commit (or a group's commits) is on the remote; detail: as for {@link #PUSHING}. */
        PUSHED,
        /** The local clone could not be brought up to date (it has its own commits or changes); detail: why. */
        LOCAL_CLONE_LEFT_AS_IS
    }
}
