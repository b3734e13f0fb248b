package dev.revroll.errors;

/**
 * A journal write lost a compare-and-swap: someone else wrote the run's journal since it was read (another revroll
 * on the same run, or a person). Nothing was written; a person must look at who else is running.
 */
public class JournalConflictException extends RecordException {

    private final String runId;

    public JournalConflictException(String runId, String message) {
        super(message);
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }
}
