package dev.revroll.errors;

/**
 * Input other than the plan's fields is wrong: an option, a kubeconfig or context, a run id, a step name, a plan file
 * that changed since its run started, a run that cannot be resumed. Nothing was touched.
 */
public class UsageException extends RevrollException {

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
