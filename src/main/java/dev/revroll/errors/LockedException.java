package dev.revroll.errors;

/** Another run holds the run lock; the message names the holder and when the lease expires. */
public class LockedException extends RevrollException {
    public LockedException(String message) {
        super(message);
    }
}
