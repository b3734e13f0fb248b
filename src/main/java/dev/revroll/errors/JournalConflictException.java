package dev.revroll.errors;

/**
 * A journal write lost a compare-and-swap: someone else wrote the run's journal since it was read (another revroll
 * on the same run, or a person). Nothing was written; a person must look at who else is running. Exit 4.
 */
public class JournalConflictException extends RevrollException {

    private final String runId;

    public JournalConflictException(String runId, String message) {
        super(ExitCode.ROLLBACK_INCOMPLETE, message);
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }
}
