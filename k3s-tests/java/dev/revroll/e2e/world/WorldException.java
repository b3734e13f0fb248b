package dev.revroll.e2e.world;

/** The test world could not do what a test asked (a command failed, a part did not answer); the message says what and where to look. */
public final class WorldException extends RuntimeException {

    public WorldException(String message) {
        super(message);
    }

    public WorldException(String message, Throwable cause) {
        super(message, cause);
    }
}
