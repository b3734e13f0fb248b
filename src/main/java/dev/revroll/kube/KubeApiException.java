package dev.revroll.kube;

import dev.revroll.errors.ExitCode;
import dev.revroll.errors.RevrollException;

import java.util.Optional;

/**
 * A call to the Kubernetes API failed. The message says what revroll was doing, on which object, the HTTP code and
 * the API server's own words (forbidden, not found, admission denied, ...), or that the API server could not be
 * reached at all ({@link #httpCode()} 0).
 *
 * <p>Exit code: a failed read touched nothing ({@link ExitCode#PREFLIGHT_REFUSED}); a failed write may leave the
 * cluster half-changed unless the engine undoes it ({@link ExitCode#ROLLBACK_INCOMPLETE}).
 */
public class KubeApiException extends RevrollException {

    private final String action;
    private final String object;
    private final int httpCode;
    private final String reason;

    KubeApiException(ExitCode exitCode, String message, String action, String object, int httpCode, String reason,
                     Throwable cause) {
        super(exitCode, message, cause);
        this.action = action;
        this.object = object;
        this.httpCode = httpCode;
        this.reason = reason;
    }

    /** What revroll was doing ("patch", "read", "list", ...). */
    public String action() {
        return action;
    }

    /** The object, as {@code Kind namespace/name}. */
    public String object() {
        return object;
    }

    /** The HTTP status, 0 when the API server did not answer. */
    public int httpCode() {
        return httpCode;
    }

    /** The API server's reason (Forbidden, NotFound, Conflict, Invalid, ...), when it gave one. */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    public boolean notFound() {
        return httpCode == 404;
    }

    public boolean conflict() {
        return httpCode == 409;
    }
}
