package dev.revroll.errors;

/** Another run holds the lock. Exit 6. */
public class LockedException extends RevrollException {
    public LockedException(String message) {
        super(ExitCode.LOCKED, message);
    }
}
