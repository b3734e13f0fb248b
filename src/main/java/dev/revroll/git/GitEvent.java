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
        /** About to push; detail: commit id and attempt number. */
        PUSHING,
        /** The push lost a race (non-fast-forward); revroll fetches, rebases and tries again. */
        PUSH_RACED,
        /** The commit is on the remote; detail: its id. */
        PUSHED,
        /** The local clone could not be brought up to date (it has its own commits or changes); detail: why. */
        LOCAL_CLONE_LEFT_AS_IS
    }
}
