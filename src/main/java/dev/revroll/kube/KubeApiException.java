package dev.revroll.kube;

import dev.revroll.errors.ClusterException;

/**
 * A call to the Kubernetes API failed, as the client-java adapter reports it: what revroll was doing, on which object,
 * the HTTP code and the API server's own words, or that the API server could not be reached ({@link #httpCode()} 0).
 */
public class KubeApiException extends ClusterException {

    KubeApiException(String message, String action, String object, int httpCode, String reason, boolean write, Throwable cause) {
        super(message, action, object, httpCode, reason, write, cause);
    }
}
