package dev.revroll.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import dev.revroll.plan.Plan;
import dev.revroll.ports.MetricsProvider.QueryResult;
import dev.revroll.prometheus.PrometheusMetricsProvider;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reaching a real Prometheus (the test world's binary, started here on free 127.0.0.1 ports, each with a
 * {@code --web.config.file} of its own) the ways {@code spec.prometheus} allows (docs/prometheus-access.md): over TLS
 * trusting the plan's CA only, with a client certificate the server requires, with basic auth (bcrypt users of the
 * web config), and through a gateway in front of it that, as Mimir's or Cortex's would, requires {@code X-Scope-OrgID}
 * and the bearer token currently in a file (rotated mid-test). Certificates and hashes are made here. The provider
 * cases need no cluster; the CLI cases ({@code validate}, and {@code preview}, which reads the world's cluster) run
 * the real jar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(WorldNamespaces.class)
class PrometheusAccessIT {

    private static final String PASSWORD = "pr0m-Pa55-planted";
    private static final String TOKEN_1 = "gateway-token-one-planted";
    private static final String TOKEN_2 = "gateway-token-two-planted";
    private static final String HEADER_VALUE = "header-key-planted-77";

    private final List<Process> prometheus = new ArrayList<>();
    private final List<PrometheusMetricsProvider> providers = new ArrayList<>();
    private final List<String> gatewaySaw = new CopyOnWriteArrayList<>();
    private Path work;
    private Path caFile;
    private Path otherCaFile;
    private Path clientCert;
    private Path clientKeyPkcs1;
    private Path clientKeyPkcs8;
    private Path passwordFile;
    private Path tokenFile;
    /** TLS with basic auth. */
    private String basicUrl;
    /** TLS requiring a client certificate of the CA. */
    private String mutualUrl;
    private String gatewayUrl;
    private HttpServer gateway;

    @BeforeAll
    void startPrometheusServingTlsAndBasicAuth() throws Exception {
        Path binary = PrometheusMetricsProviderIT.worldBin().resolve("prometheus");
        if (!Files.isExecutable(binary)) {
            fail("no prometheus binary in " + binary.getParent() + ": build the test world first (k3s-tests/world/build.sh)");
        }
        work = Files.createTempDirectory("revroll-prometheus-access");
        KeyPair caKeys = rsa();
        X500Name caName = new X500Name("CN=revroll e2e CA");
        X509Certificate ca = certificate(caName, caKeys, caName, caKeys, true);
        caFile = write("ca.pem", pem(ca));
        KeyPair otherKeys = rsa();
        otherCaFile = write("other-ca.pem", pem(certificate(new X500Name("CN=other CA"), otherKeys, new X500Name("CN=other CA"), otherKeys, true)));
        KeyPair serverKeys = rsa();
        X509Certificate server = certificate(caName, caKeys, new X500Name("CN=prometheus"), serverKeys, false,
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "prom.internal"));
        Path serverCert = write("server.pem", pem(server));
        Path serverKey = write("server-key.pem", pkcs8(serverKeys));
        KeyPair clientKeys = rsa();
        X509Certificate client = certificate(caName, caKeys, new X500Name("CN=revroll"), clientKeys, false);
        clientCert = write("client.pem", pem(client));
        clientKeyPkcs1 = write("client-key.rsa.pem", pem(clientKeys.getPrivate()));
        assertTrue(Files.readString(clientKeyPkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----"), "a PKCS#1 key");
        clientKeyPkcs8 = write("client-key.pem", pkcs8(clientKeys));
        passwordFile = write("password", PASSWORD + "\n");
        tokenFile = write("token", TOKEN_1 + "\n");

        String hash = OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), new SecureRandom().generateSeed(16), 4);
        basicUrl = start(binary, "basic", """
                tls_server_config:
                  cert_file: %s
                  key_file: %s
                basic_auth_users:
                  revroll: '%s'
                """.formatted(serverCert, serverKey, hash));
        mutualUrl = start(binary, "mutual", """
                tls_server_config:
                  cert_file: %s
                  key_file: %s
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: %s
                """.formatted(serverCert, serverKey, caFile));
        SSLContext trustCa = sslContext(ca, null, null);
        SSLContext withClient = sslContext(ca, client, clientKeys);
        await("Prometheus serving TLS and basic auth at " + basicUrl, Duration.ofSeconds(60))
                .until(() -> ready(trustCa, basicUrl, "Basic " + base64("revroll:" + PASSWORD)));
        await("Prometheus requiring a client certificate at " + mutualUrl, Duration.ofSeconds(60))
                .until(() -> ready(withClient, mutualUrl, null));
        startGateway(trustCa);
    }

    @AfterAll
    void stop() throws Exception {
        providers.forEach(PrometheusMetricsProvider::close);
        if (gateway != null) {
            gateway.stop(0);
        }
        for (Process p : prometheus) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ TLS

    @Test
    void tlsTrustsThePlansCaOnlyAndVerifiesTheName() {
        Optional<Plan.BasicAuth> basic = Optional.of(new Plan.BasicAuth("revroll", Optional.of(passwordFile), Optional.empty()));
        assertEquals(Optional.empty(), why(config(basicUrl, tls(caFile, null, null, null, false), Map.of(), null, basic)));

        String untrusted = why(config(basicUrl, Optional.empty(), Map.of(), null, basic)).orElseThrow();
        assertTrue(untrusted.contains("TLS handshake with " + basicUrl + " failed") && untrusted.contains("certification path"), untrusted);
        assertTrue(untrusted.contains("spec.prometheus.tls.caFile"), "names the field that fixes it: " + untrusted);
        String otherCa = why(config(basicUrl, tls(otherCaFile, null, null, null, false), Map.of(), null, basic)).orElseThrow();
        assertTrue(otherCa.contains("TLS handshake") && otherCa.contains("certification path"), "only the plan's CA is trusted: " + otherCa);

        assertEquals(Optional.empty(), why(config(basicUrl, tls(caFile, null, null, "prom.internal", false), Map.of(), null, basic)),
                "the certificate names prom.internal");
        String wrongName = why(config(basicUrl, tls(caFile, null, null, "other.internal", false), Map.of(), null, basic)).orElseThrow();
        assertTrue(wrongName.contains("TLS handshake") && wrongName.contains("other.internal"), wrongName);

        assertEquals(Optional.empty(), why(config(basicUrl, tls(null, null, null, null, true), Map.of(), null, basic)),
                "insecureSkipVerify accepts the certificate unverified");
    }

    @Test
    void aClientCertificateTheServerRequires() {
        String without = why(config(mutualUrl, tls(caFile, null, null, null, false), Map.of(), null, Optional.empty())).orElseThrow();
        assertTrue(without.startsWith("TLS handshake with " + mutualUrl + " failed: Received fatal alert: certificate_required"), without);
        assertEquals(Optional.empty(), why(config(mutualUrl, tls(caFile, clientCert, clientKeyPkcs1, null, false), Map.of(), null, Optional.empty())),
                "PKCS#1 key");
        assertEquals(Optional.empty(), why(config(mutualUrl, tls(caFile, clientCert, clientKeyPkcs8, null, false), Map.of(), null, Optional.empty())),
                "PKCS#8 key");
        String notAKey = why(config(mutualUrl, tls(caFile, clientCert, caFile, null, false), Map.of(), null, Optional.empty())).orElseThrow();
        assertEquals("spec.prometheus.tls.keyFile " + caFile + " holds no private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", notAKey);
    }

    // ------------------------------------------------------------------------------------------------ basic auth

    @Test
    void basicAuthWithThePasswordFromAFileOrTheEnvironment() throws IOException {
        Optional<Plan.PrometheusTls> tls = tls(caFile, null, null, null, false);
        assertEquals(Optional.empty(), why(config(basicUrl, tls, Map.of(), null,
                Optional.of(new Plan.BasicAuth("revroll", Optional.of(passwordFile), Optional.empty())))));
        Plan.PrometheusConfig fromEnv = config(basicUrl, tls, Map.of(), null, Optional.of(new Plan.BasicAuth("revroll", Optional.empty(), Optional.of("PROM_PW"))));
        assertEquals(Optional.empty(), provider(fromEnv, Map.of("PROM_PW", PASSWORD)).whyUnreachable());

        String wrong = provider(fromEnv, Map.of("PROM_PW", "not-" + PASSWORD)).whyUnreachable().orElseThrow();
        assertTrue(wrong.contains("HTTP 401"), wrong);
        assertFalse(wrong.contains(PASSWORD), wrong);
        String none = why(config(basicUrl, tls, Map.of(), null, Optional.empty())).orElseThrow();
        assertTrue(none.contains("HTTP 401"), none);
    }

    // ------------------------------------------------------------------------------------------------ headers, rotating token

    @Test
    void headersAndABearerTokenThatRotates() throws IOException {
        Plan.PrometheusConfig viaGateway = config(gatewayUrl, Optional.empty(), Map.of("X-Scope-OrgID", "tenant-a"), tokenFile, Optional.empty());
        PrometheusMetricsProvider p = provider(viaGateway, Map.of());
        QueryResult first = p.query("vector(1)", Instant.now());
        assertEquals(Optional.empty(), first.error());
        assertEquals(1.0, first.samples().get(0).value(), "Prometheus' own answer, through the gateway");

        Files.writeString(tokenFile, TOKEN_2 + "\n"); // the kubelet rotates the projected token
        QueryResult afterRotation = p.query("vector(2)", Instant.now());
        assertEquals(Optional.empty(), afterRotation.error(), "the next query uses the new token");
        assertEquals(2.0, afterRotation.samples().get(0).value());
        assertEquals(List.of("tenant-a Bearer " + TOKEN_1, "tenant-a Bearer " + TOKEN_2), gatewaySaw);
        assertFalse(p.describe().contains(TOKEN_2), p.describe());

        String noTenant = why(config(gatewayUrl, Optional.empty(), Map.of(), tokenFile, Optional.empty())).orElseThrow();
        assertTrue(noTenant.contains("HTTP 401") && noTenant.contains("no org id"), noTenant);
    }

    // ------------------------------------------------------------------------------------------------ the CLI

    @Test
    void validateRefusesAPasswordInThePlanWithoutShowingIt() throws IOException {
        Path plan = write("password-in-plan.yaml", """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: password-in-plan
                spec:
                  revision:
                    to: 1-28-0
                  waves: [{name: a, namespaces: [x]}]
                  prometheus:
                    url: %s
                    basicAuth:
                      username: revroll
                      password: %s
                """.formatted(basicUrl, PASSWORD));
        RevrollProcess.Result r = RevrollProcess.local(Map.of(), "validate", plan.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains(plan + ":13:7: spec.prometheus.basicAuth.password: a password never stands in the plan; use passwordFile"),
                r.toString());
        assertFalse(r.out().contains(PASSWORD) || r.err().contains(PASSWORD), r.toString());
    }

    /** {@code preview} reads the world's cluster; its preflight queries this Prometheus with the plan's TLS and basic auth. */
    @Test
    void previewReachesPrometheusOverTlsWithBasicAuthAndNamesWhatFails(TestNamespaces namespaces) throws IOException {
        MeshFixture mesh = new MeshFixture(namespaces);
        String ns = mesh.namespace("pa", Map.of("istio.io/rev", mesh.world.oldRevision()));
        // a client certificate the server does not ask for, and a header: neither may show in any output
        String access = """
                prometheus:
                    url: %s
                    tls:
                      caFile: %s
                      certFile: client.pem
                      keyFile: client-key.pem
                    headers:
                      X-Api-Key: %s
                    basicAuth:
                      username: revroll
                      passwordEnv: PROM_PW
                """;
        List<String> secrets = new ArrayList<>(List.of(PASSWORD, HEADER_VALUE));
        Files.readAllLines(clientKeyPkcs8).stream().filter(l -> !l.startsWith("-----")).forEach(secrets::add);
        Path good = planWith(mesh, ns, access.formatted(basicUrl, work.relativize(caFile), HEADER_VALUE));
        RevrollProcess.Result ok = RevrollProcess.run(mesh.world, Map.of("PROM_PW", PASSWORD), "preview", good.toString());
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(ok.out().contains("gate answers: vector(0)\n      now: 0.0 → PASS"), "the gate's query went through too: " + ok);

        RevrollProcess.Result wrong = RevrollProcess.run(mesh.world, Map.of("PROM_PW", "wrong-" + PASSWORD), "preview", good.toString());
        assertEquals(3, wrong.exitCode(), wrong.toString());
        assertTrue(wrong.out().contains("REFUSED: Prometheus at " + basicUrl + " (basic auth as revroll, password from $PROM_PW, headers X-Api-Key) cannot be queried: HTTP 401"),
                wrong.toString());

        Path missingCa = planWith(mesh, ns, access.formatted(basicUrl, "no-such-ca.pem", HEADER_VALUE));
        RevrollProcess.Result missing = RevrollProcess.run(mesh.world, Map.of("PROM_PW", PASSWORD), "preview", missingCa.toString());
        assertEquals(3, missing.exitCode(), missing.toString());
        assertTrue(missing.out().contains("cannot be queried: spec.prometheus.tls.caFile " + work.resolve("no-such-ca.pem") + ": no such file"),
                missing.toString());
        assertFalse(missing.err().contains("Exception"), "no stack trace: " + missing.err());
        for (RevrollProcess.Result r : List.of(ok, wrong, missing)) {
            for (String secret : secrets) {
                assertFalse(r.out().contains(secret) || r.err().contains(secret), "a secret shows: " + secret + "\n" + r);
            }
        }
    }

    /** A plan of the world's revisions for {@code ns}, with a metric gate and this {@code prometheus:} block, in {@link #work}. */
    private Path planWith(MeshFixture mesh, String ns, String prometheusBlock) throws IOException {
        Path made = mesh.plan("e2e-prom-access", "- name: w\n  namespaces: [" + ns + "]\n", """
                gates:
                  metrics:
                    - name: answers
                      query: vector(0)
                      failWhen: "> 1"
                      interval: 1s
                      samples: 1
                """);
        String yaml = Files.readString(made).replace("  prometheus:\n    url: " + mesh.world.prometheusUrl() + "\n", prometheusBlock.indent(2));
        assertTrue(yaml.contains("passwordEnv: PROM_PW"), yaml);
        return write(made.getFileName().toString(), yaml);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Optional<String> why(Plan.PrometheusConfig config) {
        return provider(config, Map.of()).whyUnreachable();
    }

    private PrometheusMetricsProvider provider(Plan.PrometheusConfig config, Map<String, String> environment) {
        PrometheusMetricsProvider p = new PrometheusMetricsProvider(config, environment::get);
        providers.add(p);
        return p;
    }

    private static Plan.PrometheusConfig config(String url, Optional<Plan.PrometheusTls> tls, Map<String, String> headers, Path token,
            Optional<Plan.BasicAuth> basic) {
        return new Plan.PrometheusConfig(url, Duration.ofSeconds(5), tls, headers, Optional.ofNullable(token), basic);
    }

    private static Optional<Plan.PrometheusTls> tls(Path ca, Path cert, Path key, String serverName, boolean insecure) {
        return Optional.of(new Plan.PrometheusTls(Optional.ofNullable(ca), Optional.ofNullable(cert), Optional.ofNullable(key),
                Optional.ofNullable(serverName), insecure));
    }

    /** Starts a Prometheus with this web config and no scrape targets ({@code vector(1)} needs no data); returns its https URL. */
    private String start(Path binary, String name, String webConfig) throws IOException {
        Path config = write(name + "-prometheus.yml", "global:\n  scrape_interval: 1m\n");
        Path web = write(name + "-web.yml", webConfig);
        int port = PrometheusMetricsProviderIT.freePort();
        Path log = Path.of("target", "prometheus-access-" + name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        prometheus.add(new ProcessBuilder(binary.toString(),
                "--config.file=" + config,
                "--web.config.file=" + web,
                "--storage.tsdb.path=" + work.resolve(name + "-data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start());
        return "https://127.0.0.1:" + port;
    }

    /**
     * The gateway a Mimir or Cortex setup puts in front: a request needs {@code X-Scope-OrgID: tenant-a} and
     * {@code Authorization: Bearer <what the token file holds now>}, else 401; it is forwarded to the basic-auth
     * Prometheus with the gateway's own credentials.
     */
    private void startGateway(SSLContext trustCa) throws IOException {
        HttpClient upstream = HttpClient.newBuilder().sslContext(trustCa).connectTimeout(Duration.ofSeconds(5)).build();
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            try (exchange) {
                String tenant = exchange.getRequestHeaders().getFirst("X-Scope-OrgID");
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                if (!"tenant-a".equals(tenant)) {
                    reply(exchange, 401, "no org id");
                    return;
                }
                gatewaySaw.add(tenant + " " + authorization);
                if (!("Bearer " + Files.readString(tokenFile).strip()).equals(authorization)) {
                    reply(exchange, 401, "invalid token");
                    return;
                }
                HttpResponse<String> answer = upstream.send(HttpRequest.newBuilder(URI.create(basicUrl + exchange.getRequestURI()))
                                .header("Authorization", "Basic " + base64("revroll:" + PASSWORD)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                reply(exchange, answer.statusCode(), answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        gateway.start();
        gatewayUrl = "http://127.0.0.1:" + gateway.getAddress().getPort();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static boolean ready(SSLContext ssl, String url, String authorization) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/-/ready")).timeout(Duration.ofSeconds(2));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return HttpClient.newBuilder().sslContext(ssl).build().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static SSLContext sslContext(X509Certificate ca, X509Certificate client, KeyPair clientKeys) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", clientKeys.getPrivate(), new char[0], new X509Certificate[] {client});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ssl;
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static long serial = System.currentTimeMillis();

    /** A certificate of {@code subject} signed by {@code issuer}; a leaf may serve and authenticate a client. */
    private static X509Certificate certificate(X500Name issuer, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys, boolean ca,
            GeneralName... names) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial++), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (!ca) {
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        }
        if (names.length > 0) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    }

    /** BouncyCastle's PEM: a certificate, or an RSA key as PKCS#1 ({@code RSA PRIVATE KEY}). */
    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

    private static String pkcs8(KeyPair keys) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(work.resolve(name), content);
    }
}
