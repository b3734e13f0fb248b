package dev.revroll.errors;

/**
 * A record revroll keeps in the cluster cannot be read or written as it should: a run journal that does not parse or
 * outgrew its store, a {@code revroll.dev/*} annotation that is not the JSON revroll wrote. A person must look at
 * the object the message names.
 */
public class RecordException extends RevrollException {

    public RecordException(String message) {
        super(message);
    }

    public RecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
