package dev.revroll.errors;

import java.util.Optional;

/**
 * A call to the Kubernetes API failed. The message says what revroll was doing, on which object, the HTTP code and
 * the API server's own words (forbidden, not found, admission denied, ...), or that the API server could not be
 * reached at all ({@link #httpCode()} 0). {@link #write()} says whether the call could have changed the cluster.
 */
public class ClusterException extends RevrollException {

    private final String action;
    private final String object;
    private final int httpCode;
    private final String reason;
    private final boolean write;

    public ClusterException(String message, String action, String object, int httpCode, String reason, boolean write, Throwable cause) {
        super(message, cause);
        this.action = action;
        this.object = object;
        this.httpCode = httpCode;
        this.reason = reason;
        this.write = write;
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

    /** True for a create, patch, update or delete: the cluster may be half-changed unless something undoes it. */
    public boolean write() {
        return write;
    }

    public boolean notFound() {
        return httpCode == 404;
    }

    public boolean conflict() {
        return httpCode == 409;
    }
}
