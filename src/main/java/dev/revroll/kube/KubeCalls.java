package dev.revroll.kube;

import com.fasterxml.jackson.databind.JsonNode;
import dev.revroll.json.Json;
import io.github.resilience4j.retry.Retry;
import io.kubernetes.client.openapi.ApiException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Runs calls against one API server: retried per {@link KubeResilience} where that is safe, and every failure turned
 * into a {@link KubeApiException} a person can read (never a raw client-java exception).
 */
final class KubeCalls {

    /** One request to the API server. */
    @FunctionalInterface
    interface ApiCall<T> {
        T call() throws ApiException;
    }

    private final KubeConnection connection;
    private final Retry retry;

    KubeCalls(KubeConnection connection) {
        this.connection = connection;
        this.retry = KubeResilience.apiRetry(connection.contextName());
    }

    /** The retry of this API server, for exchanges that are not a single API call (port-forward). */
    Retry retry() {
        return retry;
    }

    KubeConnection connection() {
        return connection;
    }

    /** A read: retried on transient failures. */
    <T> T read(String action, String object, ApiCall<T> call) {
        return retried(action, object, call, false);
    }

    /** A write that gives the same result however often it is sent (merge patch, delete): retried. */
    <T> T idempotentWrite(String action, String object, ApiCall<T> call) {
        return retried(action, object, call, true);
    }

    /** A write sent once (create, compare-and-swap replace): a retry could report a conflict with itself. */
    <T> T once(String action, String object, ApiCall<T> call) {
        try {
            return call.call();
        } catch (ApiException e) {
            throw translate(action, object, e, true);
        }
    }

    private <T> T retried(String action, String object, ApiCall<T> call, boolean write) {
        try {
            return retry.executeCallable(call::call);
        } catch (ApiException e) {
            throw translate(action, object, e, write);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new KubeApiException("cannot " + action + " " + object + " (" + connection.describe() + "): " + e,
                    action, object, 0, null, write, e);
        }
    }

    KubeApiException translate(String action, String object, ApiException e, boolean write) {
        if (e.getCode() == 0) {
            return new KubeApiException("cannot reach the Kubernetes API at " + connection.server() + " (context "
                    + connection.contextName() + ") to " + action + " " + object + ": " + transportProblem(e),
                    action, object, 0, null, write, e);
        }
        String reason = null;
        String serverMessage = null;
        String body = e.getResponseBody();
        if (body != null && !body.isBlank()) {
            try {
                JsonNode parsed = Json.tree(body);
                if (parsed.isObject()) {
                    reason = stringField(parsed, "reason");
                    serverMessage = stringField(parsed, "message");
                } else {
                    serverMessage = body.strip();
                }
            } catch (IOException | RuntimeException notJson) {
                serverMessage = body.strip();
            }
        }
        if (serverMessage == null || serverMessage.isBlank()) {
            serverMessage = e.getMessage() == null ? "no message" : e.getMessage();
        }
        String message = "cannot " + action + " " + object + ": HTTP " + e.getCode()
                + (reason != null && !reason.isBlank() ? " " + reason : "") + ": " + serverMessage
                + hint(e.getCode()) + " (" + connection.describe() + ")";
        return new KubeApiException(message, action, object, e.getCode(), reason, write, e);
    }

    private static String hint(int code) {
        return switch (code) {
            case 401 -> " - the credentials of this kube context were refused; log in again";
            case 403 -> " - the kube user lacks this permission (RBAC)";
            case 415 -> " - revroll sent a patch type the server does not accept (a bug, please report it)";
            default -> "";
        };
    }

    private static String transportProblem(ApiException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ConnectException) {
            return "connection refused (" + cause.getMessage() + ")";
        }
        if (cause instanceof SocketTimeoutException) {
            return "timed out (" + cause.getMessage() + ")";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host " + cause.getMessage();
        }
        if (cause instanceof IOException) {
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        return e.getMessage() == null ? String.valueOf(cause) : e.getMessage();
    }

    private static String stringField(JsonNode o, String name) {
        JsonNode v = o.get(name);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }
}
