package dev.revroll.errors;

/**
 * Base of every error a person is meant to read: what happened, on which object or file, and what to do. It carries
 * no exit code: the CLI maps what happened to a code in one place ({@code dev.revroll.cli.ExitCodes}), and prints
 * the message without a stack trace. Anything that is not a {@code RevrollException} is a bug.
 */
public abstract class RevrollException extends RuntimeException {

    public RevrollException(String message) {
        super(message);
    }

    public RevrollException(String message, Throwable cause) {
        super(message, cause);
    }
}
