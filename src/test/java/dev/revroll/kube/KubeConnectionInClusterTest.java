package dev.revroll.kube;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.revroll.cli.ExitCode;
import dev.revroll.cli.ExitCodes;
import dev.revroll.errors.RevrollException;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-cluster configuration (a pod's service account): a temporary directory stands in for
 * {@code /var/run/secrets/kubernetes.io/serviceaccount} and a local HTTPS server, with a certificate only that
 * directory's {@code ca.crt} trusts, for the API server. What is checked is what a pod needs: the server comes from
 * {@code KUBERNETES_SERVICE_HOST}/{@code PORT}, the server certificate is verified against the CA file, the token file
 * is sent as the bearer token, and a missing piece is a clear usage error.
 */
class KubeConnectionInClusterTest {

    private static final String RESOURCES = "/dev/revroll/kube/incluster/";

    @TempDir
    Path serviceAccount;

    private HttpsServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void apiServer() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = getClass().getResourceAsStream(RESOURCES + "server.p12")) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/api/v1/namespaces", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"kind\":\"NamespaceList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void serviceAccountFiles(String caResource, String token) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(RESOURCES + caResource)) {
            Files.write(serviceAccount.resolve("ca.crt"), in.readAllBytes());
        }
        Files.writeString(serviceAccount.resolve("token"), token);
        Files.writeString(serviceAccount.resolve("namespace"), "revroll");
    }

    private Map<String, String> env() {
        return Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", String.valueOf(server.getAddress().getPort()));
    }

    private KubeConnection open(Map<String, String> env, Optional<String> context) {
        return KubeConnection.open(Optional.empty(), context, env::get, serviceAccount);
    }

    @Test
    void aPodReachesItsApiServerWithTheServiceAccountTokenOverVerifiedTls() throws Exception {
        serviceAccountFiles("ca.crt", "sa-token-1\n");
        KubeConnection c = open(env(), Optional.empty());
        assertEquals(KubeConnection.IN_CLUSTER, c.contextName());
        assertEquals("https://127.0.0.1:" + server.getAddress().getPort(), c.server());
        assertEquals(List.of(), c.kubeconfig());

        new CoreV1Api(c.apiClient()).listNamespace().execute();
        assertEquals(List.of("Bearer sa-token-1"), authorizations, "the token file's content (trimmed) is the bearer token");
        assertEquals(KubeResilience.CONNECT_TIMEOUT.toMillis(), c.apiClient().getConnectTimeout());
    }

    @Test
    void aServerCertificateTheServiceAccountCaDoesNotTrustIsRefused() throws Exception {
        serviceAccountFiles("other-ca.crt", "sa-token-1");
        KubeConnection c = open(env(), Optional.empty());
        ApiException e = assertThrows(ApiException.class, () -> new CoreV1Api(c.apiClient()).listNamespace().execute());
        assertTrue(String.valueOf(e.getCause()).contains("SSL") || String.valueOf(e.getCause()).contains("certification"), String.valueOf(e.getCause()));
        assertEquals(List.of(), authorizations, "no request reached the server");
    }

    @Test
    void contextNamesThePodsClusterSoThePlansContextCanBeChecked() throws IOException {
        serviceAccountFiles("ca.crt", "t");
        assertEquals("prod-eu-1", open(env(), Optional.of("prod-eu-1")).contextName());
    }

    @Test
    void anIpv6ServiceHostIsPutInBracketsAndTheDefaultPortIs443() throws IOException {
        serviceAccountFiles("ca.crt", "t");
        assertEquals("https://[fd00::1]:443", open(Map.of("KUBERNETES_SERVICE_HOST", "fd00::1"), Optional.empty()).server());
    }

    @Test
    void withoutTheServiceHostOrTheTokenThereIsNoInClusterConfiguration() throws IOException {
        serviceAccountFiles("ca.crt", "t");
        RevrollException noHost = assertThrows(RevrollException.class, () -> open(Map.of(), Optional.empty()));
        assertEquals(ExitCode.INVALID, ExitCodes.of(noHost));
        assertTrue(noHost.getMessage().startsWith("no Kubernetes configuration found"), noHost.getMessage());

        Files.delete(serviceAccount.resolve("token"));
        RevrollException noToken = assertThrows(RevrollException.class, () -> open(env(), Optional.empty()));
        assertTrue(noToken.getMessage().startsWith("no Kubernetes configuration found"), noToken.getMessage());
    }

    @Test
    void aMissingCaFileIsAUsageErrorNamingIt() throws IOException {
        serviceAccountFiles("ca.crt", "t");
        Files.delete(serviceAccount.resolve("ca.crt"));
        RevrollException e = assertThrows(RevrollException.class, () -> open(env(), Optional.empty()));
        assertEquals(ExitCode.INVALID, ExitCodes.of(e));
        assertTrue(e.getMessage().contains(serviceAccount.resolve("ca.crt").toString()), e.getMessage());
    }

    @Test
    void productionReadsTheStandardServiceAccountDirectory() {
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount", KubeConnection.SERVICE_ACCOUNT_DIR);
    }
}
