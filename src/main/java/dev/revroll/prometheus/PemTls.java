package dev.revroll.prometheus;

import dev.revroll.plan.Plan;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.client.netty.ssl.ClientSslBuilder;
import io.micronaut.http.client.netty.ssl.NettyClientSslBuilder;
import io.micronaut.http.ssl.SslConfiguration;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The TLS of an https:// Prometheus from the plan's PEM files ({@code spec.prometheus.tls}, docs/prometheus-access.md),
 * given to Micronaut's HTTP client as its SSL builder: Micronaut still sets protocols, ALPN and hostname verification
 * (endpoint identification HTTPS); only the trust and key material are the plan's. {@code caFile}: trust exactly those
 * certificates (the JDK's CAs are not added). {@code certFile}/{@code keyFile}: the client certificate. {@code
 * serverName}: the name sent as SNI and verified in the server's certificate, instead of the URL's host.
 * {@code insecureSkipVerify}: a trust manager that accepts anything (an extended one, so the JDK adds no hostname check).
 */
final class PemTls extends NettyClientSslBuilder {

    private static final int MAX_PEM_BYTES = 1 << 20;

    private final TrustManagerFactory trust;
    private final KeyManagerFactory keys;

    private PemTls(TrustManagerFactory trust, KeyManagerFactory keys) {
        super(new ResourceResolver());
        this.trust = trust;
        this.keys = keys;
    }

    /** Reads the files now; a missing or unreadable one is an {@link AccessProblem} naming the field and the path. */
    static ClientSslBuilder of(Plan.PrometheusTls tls) throws AccessProblem {
        TrustManagerFactory trust = null;
        if (tls.insecureSkipVerify()) {
            trust = new TrustAnything();
        } else if (tls.caFile().isPresent()) {
            trust = trustOnly(tls.caFile().get());
        }
        KeyManagerFactory keys = null;
        if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
            keys = keyManager(tls.certFile().get(), tls.keyFile().get());
        }
        PemTls builder = new PemTls(trust, keys);
        if (tls.serverName().isEmpty()) {
            return builder;
        }
        String serverName = tls.serverName().get();
        return (configuration, versions) -> new ServerNameContext(builder.build(configuration, versions), serverName);
    }

    @Override
    protected TrustManagerFactory getTrustManagerFactory(SslConfiguration configuration) {
        return trust != null ? trust : super.getTrustManagerFactory(configuration);
    }

    @Override
    protected KeyManagerFactory getKeyManagerFactory(SslConfiguration configuration) {
        return keys != null ? keys : super.getKeyManagerFactory(configuration);
    }

    private static TrustManagerFactory trustOnly(Path caFile) throws AccessProblem {
        List<X509Certificate> cas = certificates("tls.caFile", caFile);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new AccessProblem("spec.prometheus.tls.caFile " + caFile + " cannot be used as a trust store: " + e.getMessage());
        }
    }

    private static KeyManagerFactory keyManager(Path certFile, Path keyFile) throws AccessProblem {
        List<X509Certificate> chain = certificates("tls.certFile", certFile);
        PrivateKey key = privateKey(keyFile);
        java.security.PublicKey certified = chain.get(0).getPublicKey();
        boolean otherKind = List.of("RSA", "EC").contains(key.getAlgorithm()) && List.of("RSA", "EC").contains(certified.getAlgorithm())
                && !key.getAlgorithm().equals(certified.getAlgorithm());
        boolean otherRsaKey = key instanceof java.security.interfaces.RSAPrivateCrtKey rsa
                && certified instanceof java.security.interfaces.RSAPublicKey pub && !rsa.getModulus().equals(pub.getModulus());
        if (otherKind || otherRsaKey) {
            throw new AccessProblem("spec.prometheus.tls.keyFile " + keyFile + " is not the key of the certificate in " + certFile
                    + "; give the certificate's own key");
        }
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new AccessProblem("spec.prometheus.tls.certFile " + certFile + " and keyFile " + keyFile + " cannot be used together: " + e.getMessage());
        }
    }

    /** Every certificate of a PEM file, in order (a chain: the leaf first). */
    private static List<X509Certificate> certificates(String field, Path file) throws AccessProblem {
        byte[] pem = read(field, file);
        Collection<? extends Certificate> read;
        try {
            read = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw new AccessProblem("spec.prometheus." + field + " " + file + " is not a PEM certificate file: " + e.getMessage());
        }
        List<X509Certificate> out = new ArrayList<>();
        read.forEach(c -> out.add((X509Certificate) c));
        if (out.isEmpty()) {
            throw new AccessProblem("spec.prometheus." + field + " " + file + " holds no certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The key of a PEM file: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}). */
    private static PrivateKey privateKey(Path file) throws AccessProblem {
        String where = "spec.prometheus.tls.keyFile " + file;
        Object pem;
        try (PEMParser parser = new PEMParser(new StringReader(new String(read("tls.keyFile", file), java.nio.charset.StandardCharsets.US_ASCII)))) {
            pem = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new AccessProblem(where + " is not a PEM private key (its content is not shown)");
        }
        PrivateKeyInfo info = pem instanceof PrivateKeyInfo p ? p : pem instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo() : null;
        if (info != null) {
            // as PKCS#8 (the PKCS#1 and SEC 1 forms wrapped), to the JDK's own key factories
            for (String algorithm : List.of("RSA", "EC", "EdDSA")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
                } catch (GeneralSecurityException | IOException e) {
                    // not of this algorithm
                }
            }
            throw new AccessProblem(where + " holds a key of a kind this JDK cannot use (RSA, EC and EdDSA keys are)");
        }
        if (pem instanceof PKCS8EncryptedPrivateKeyInfo || pem instanceof PEMEncryptedKeyPair) {
            throw new AccessProblem(where + " is encrypted; give the key unencrypted (openssl pkey -in KEY -out KEY.pem), kept readable only by revroll");
        }
        throw new AccessProblem(where + " holds no private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static byte[] read(String field, Path file) throws AccessProblem {
        String where = "spec.prometheus." + field + " " + file;
        try {
            if (Files.size(file) > MAX_PEM_BYTES) {
                throw new AccessProblem(where + " is larger than 1 MiB; is it the PEM file?");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new AccessProblem(where + ": no such file");
        } catch (IOException e) {
            throw new AccessProblem(where + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** insecureSkipVerify: every server certificate, for every name. */
    private static final class TrustAnything extends SimpleTrustManagerFactory {
        private static final TrustManager ANYTHING = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };

        @Override
        protected void engineInit(KeyStore keyStore) {
        }

        @Override
        protected void engineInit(ManagerFactoryParameters parameters) {
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return new TrustManager[] {ANYTHING};
        }
    }

    /**
     * Engines for {@code serverName} instead of the URL's host: the JDK sends it as SNI and, with the endpoint
     * identification Micronaut sets, verifies the server's certificate against it. The connection still goes to the URL's host.
     */
    private static final class ServerNameContext extends SslContext {
        private final SslContext delegate;
        private final String serverName;

        ServerNameContext(SslContext delegate, String serverName) {
            this.delegate = delegate;
            this.serverName = serverName;
        }

        @Override
        public boolean isClient() {
            return delegate.isClient();
        }

        @Override
        public List<String> cipherSuites() {
            return delegate.cipherSuites();
        }

        @Override
        @SuppressWarnings("deprecation")
        public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
            return delegate.applicationProtocolNegotiator();
        }

        @Override
        public SSLEngine newEngine(ByteBufAllocator alloc) {
            return delegate.newEngine(alloc, serverName, -1);
        }

        @Override
        public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
            return delegate.newEngine(alloc, serverName, peerPort);
        }

        @Override
        public SSLSessionContext sessionContext() {
            return delegate.sessionContext();
        }
    }
}
