package dev.revroll.prometheus;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.revroll.plan.Plan;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS material of {@code spec.prometheus.tls} against a JDK HTTPS server that requires a client certificate: the
 * key forms that load (PKCS#8, PKCS#1, SEC 1), those refused, and trust and name checks. The real Prometheus test is
 * PrometheusAccessIT.
 */
class PemTlsTest {

    @TempDir
    Path dir;

    private HttpsServer server;
    private final List<PrometheusMetricsProvider> providers = new ArrayList<>();
    private final KeyPair caKeys = keys("RSA");
    private final X509Certificate ca = certificate("CN=test CA", caKeys, "CN=test CA", caKeys, true);

    @AfterEach
    void stop() {
        providers.forEach(PrometheusMetricsProvider::close);
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void everyKeyFormAndTheNameToVerify() throws Exception {
        String url = start();
        Path caFile = write("ca.pem", pem(ca));
        KeyPair rsa = keys("RSA");
        Path rsaCert = write("rsa.pem", pem(certificate("CN=test CA", caKeys, "CN=revroll", rsa, false)));
        KeyPair ec = keys("EC");
        Path ecCert = write("ec.pem", pem(certificate("CN=test CA", caKeys, "CN=revroll-ec", ec, false)));
        Path pkcs1 = write("rsa-key.pem", pem(rsa.getPrivate()));
        Path pkcs8 = write("rsa-key8.pem", pem(new JcaPKCS8Generator(rsa.getPrivate(), null)));
        Path sec1 = write("ec-key.pem", sec1(ec));
        assertTrue(Files.readString(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(Files.readString(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----"));

        assertEquals(Optional.empty(), why(url, caFile, rsaCert, pkcs1, null), "PKCS#1");
        assertEquals(Optional.empty(), why(url, caFile, rsaCert, pkcs8, null), "PKCS#8");
        assertEquals(Optional.empty(), why(url, caFile, ecCert, sec1, null), "SEC 1");
        assertEquals(Optional.empty(), why(url, caFile, rsaCert, pkcs1, "prom.internal"), "the certificate names prom.internal");

        String wrongName = why(url, caFile, rsaCert, pkcs1, "elsewhere.internal").orElseThrow();
        assertTrue(wrongName.startsWith("TLS handshake with " + url + " failed: ") && wrongName.contains("elsewhere.internal"), wrongName);
        String noClientCertificate = why(url, caFile, null, null, null).orElseThrow();
        assertTrue(noClientCertificate.startsWith("TLS handshake with " + url + " failed: ") || noClientCertificate.startsWith("cannot query"),
                noClientCertificate);
        String untrusted = why(url, null, rsaCert, pkcs1, null).orElseThrow();
        assertTrue(untrusted.startsWith("TLS handshake with " + url + " failed: ") && untrusted.contains("spec.prometheus.tls.caFile must hold"),
                untrusted);

        String byName = url.replace("127.0.0.1", "localhost"); // a name the certificate does not hold
        String notNamed = why(byName, caFile, rsaCert, pkcs1, null).orElseThrow();
        assertTrue(notNamed.startsWith("TLS handshake with " + byName + " failed: ") && notNamed.contains("localhost"), notNamed);
        assertEquals(Optional.empty(), why(byName, null, rsaCert, pkcs1, null, true), "insecureSkipVerify: neither trust nor name is checked");

        Path encrypted = write("encrypted.pem", pem(new JcaPKCS8Generator(rsa.getPrivate(),
                new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
                        .setPassword("pw".toCharArray()).build())));
        assertEquals(Optional.of("spec.prometheus.tls.keyFile " + encrypted + " is encrypted; give the key unencrypted "
                + "(openssl pkey -in KEY -out KEY.pem), kept readable only by revroll"), why(url, caFile, rsaCert, encrypted, null));
        assertEquals(Optional.of("spec.prometheus.tls.keyFile " + sec1 + " is not the key of the certificate in " + rsaCert
                + "; give the certificate's own key"), why(url, caFile, rsaCert, sec1, null));
        assertEquals(Optional.of("spec.prometheus.tls.keyFile " + pkcs8 + " is not the key of the certificate in " + ecCert
                + "; give the certificate's own key"), why(url, caFile, ecCert, pkcs8, null));
        assertEquals(Optional.of("spec.prometheus.tls.keyFile " + caFile + " holds no private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)"),
                why(url, caFile, rsaCert, caFile, null));
    }

    private Optional<String> why(String url, Path ca, Path cert, Path key, String serverName) {
        return why(url, ca, cert, key, serverName, false);
    }

    private Optional<String> why(String url, Path ca, Path cert, Path key, String serverName, boolean insecure) {
        PrometheusMetricsProvider p = new PrometheusMetricsProvider(new Plan.PrometheusConfig(url, Duration.ofSeconds(3),
                Optional.of(new Plan.PrometheusTls(Optional.ofNullable(ca), Optional.ofNullable(cert), Optional.ofNullable(key),
                        Optional.ofNullable(serverName), insecure)), Map.of(), Optional.empty(), Optional.empty()), name -> null);
        providers.add(p);
        return p.whyUnreachable();
    }

    /** An HTTPS server with a certificate for 127.0.0.1 and prom.internal that needs a client certificate of the CA. */
    private String start() throws Exception {
        KeyPair serverKeys = keys("RSA");
        X509Certificate cert = certificate("CN=test CA", caKeys, "CN=prometheus", serverKeys, false,
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "prom.internal"));
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("server", serverKeys.getPrivate(), new char[0], new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters parameters) {
                javax.net.ssl.SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                parameters.setSSLParameters(ssl);
            }
        });
        server.createContext("/", exchange -> {
            byte[] body = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"1\"]}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static KeyPair keys(String algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize(algorithm.equals("EC") ? 256 : 2048);
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate certificate(String issuer, KeyPair issuerKeys, String subject, KeyPair subjectKeys, boolean isCa,
            GeneralName... names) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), new X500Name(subject), subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (names.length > 0) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** SEC 1 with its curve named inside, as openssl and cert-manager write it. */
    private static String sec1(KeyPair ec) throws IOException {
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(ec.getPrivate().getEncoded());
        java.math.BigInteger d = ((java.security.interfaces.ECPrivateKey) ec.getPrivate()).getS();
        org.bouncycastle.asn1.sec.ECPrivateKey key = new org.bouncycastle.asn1.sec.ECPrivateKey(256, d,
                info.getPrivateKeyAlgorithm().getParameters());
        return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }
}
