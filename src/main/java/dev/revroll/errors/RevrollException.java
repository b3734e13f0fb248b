package dev.revroll.errors;

/**
 * Base of every error a person is meant to read. The message says what happened and what to do; the CLI's one
 * handler prints it (no stack trace) and exits with {@link #exitCode()}.
 */
public class RevrollException extends RuntimeException {

    private final ExitCode exitCode;

    public RevrollException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public RevrollException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
