package dev.revroll.kube;

import dev.revroll.cli.ExitCode;
import dev.revroll.cli.ExitCodes;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Error translation and the retry policy (the calls here are plain lambdas; no API server is involved). */
class KubeCallsTest {

    private final KubeCalls calls = new KubeCalls(KubeConnection.of(new ApiClient().setBasePath("https://10.0.0.1:6443"), "prod-eu-1"));

    @Test
    void theServersStatusBecomesTheMessage() {
        ApiException forbidden = new ApiException(403, Map.of(), "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                + "\"message\":\"namespaces \\\"shop\\\" is forbidden: User \\\"ci\\\" cannot patch resource \\\"namespaces\\\"\",\"code\":403}");
        KubeApiException e = calls.translate("patch", "Namespace shop", forbidden, true);
        assertEquals("cannot patch Namespace shop: HTTP 403 Forbidden: namespaces \"shop\" is forbidden: User \"ci\" cannot patch "
                + "resource \"namespaces\" - the kube user lacks this permission (RBAC) (context prod-eu-1 at https://10.0.0.1:6443)", e.getMessage());
        assertEquals(403, e.httpCode());
        assertEquals(ExitCode.ROLLBACK_INCOMPLETE, ExitCodes.of(e));
    }

    @Test
    void noAnswerSaysTheServerCannotBeReached() {
        ApiException refused = new ApiException(new ConnectException("Failed to connect to /10.0.0.1:6443"));
        KubeApiException e = calls.translate("read", "Namespace shop", refused, false);
        assertTrue(e.getMessage().startsWith("cannot reach the Kubernetes API at https://10.0.0.1:6443 (context prod-eu-1) to read Namespace shop: connection refused"),
                e.getMessage());
        assertEquals(0, e.httpCode());
    }

    @Test
    void transientFailuresAreRetriedAndOthersAreNot() {
        assertTrue(KubeResilience.isTransient(new ApiException(503, "unavailable")));
        assertTrue(KubeResilience.isTransient(new ApiException(429, "slow down")));
        assertTrue(KubeResilience.isTransient(new ApiException(new ConnectException("refused"))));
        assertFalse(KubeResilience.isTransient(new ApiException(409, "conflict")));
        assertFalse(KubeResilience.isTransient(new ApiException(404, "not found")));
        assertFalse(KubeResilience.isTransient(new ApiException(501, "not implemented")));

        AtomicInteger attempts = new AtomicInteger();
        String value = calls.read("read", "Namespace shop", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ApiException(500, Map.of(), "{\"message\":\"etcdserver: leader changed\"}");
            }
            return "ok";
        });
        assertEquals("ok", value);
        assertEquals(3, attempts.get());

        AtomicInteger once = new AtomicInteger();
        KubeApiException notFound = assertThrows(KubeApiException.class, () -> calls.read("read", "Namespace x", () -> {
            once.incrementAndGet();
            throw new ApiException(404, Map.of(), "{\"reason\":\"NotFound\",\"message\":\"namespaces \\\"x\\\" not found\"}");
        }));
        assertEquals(1, once.get());
        assertTrue(notFound.notFound());

        AtomicInteger always = new AtomicInteger();
        KubeApiException gaveUp = assertThrows(KubeApiException.class, () -> calls.read("list", "Pods in namespace x", () -> {
            always.incrementAndGet();
            throw new ApiException(503, "unavailable");
        }));
        assertEquals(KubeResilience.MAX_ATTEMPTS, always.get());
        assertEquals(503, gaveUp.httpCode());
    }
}
