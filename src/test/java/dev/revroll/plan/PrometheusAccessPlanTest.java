package dev.revroll.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code spec.prometheus}'s TLS, headers and credentials: what loads, and every mistake with its line and column. */
class PrometheusAccessPlanTest {

    @TempDir
    Path dir;

    private static final String HEAD = PlanFiles.HEAD + """
              waves: [{name: a, namespaces: [x]}]
              prometheus:
            """;

    private Path write(String prometheus) throws IOException {
        return PlanFiles.write(dir, "plan.yaml", HEAD + prometheus.indent(4));
    }

    private List<String> problems(String prometheus) throws IOException {
        return PlanFiles.problems(dir, HEAD + prometheus.indent(4));
    }

    @Test
    void everyFieldIsReadAndPathsAreRelativeToThePlan() throws IOException {
        Plan.PrometheusConfig p = PlanLoader.load(write("""
                url: https://prom.example:9090
                tls:
                  caFile: certs/ca.pem
                  certFile: /etc/prom/client.pem
                  keyFile: ../client-key.pem
                  serverName: prom.internal
                headers:
                  X-Scope-OrgID: tenant-a
                  X-Other: " two words "
                bearerTokenFile: token
                """)).spec().prometheus().orElseThrow();
        assertEquals(new Plan.PrometheusTls(Optional.of(dir.resolve("certs/ca.pem")), Optional.of(Path.of("/etc/prom/client.pem")),
                Optional.of(dir.getParent().resolve("client-key.pem")), Optional.of("prom.internal"), false), p.tls().orElseThrow());
        assertEquals(Map.of("X-Scope-OrgID", "tenant-a", "X-Other", "two words"), p.headers());
        assertEquals(List.of("X-Scope-OrgID", "X-Other"), List.copyOf(p.headers().keySet()), "in the plan's order");
        assertEquals(Optional.of(dir.resolve("token")), p.bearerTokenFile());
        assertEquals(Optional.empty(), p.basicAuth());

        Plan.PrometheusConfig basic = PlanLoader.load(write("""
                url: http://prom:9090
                basicAuth: {username: revroll, passwordEnv: PROM_PASSWORD}
                """)).spec().prometheus().orElseThrow();
        assertEquals(new Plan.BasicAuth("revroll", Optional.empty(), Optional.of("PROM_PASSWORD")), basic.basicAuth().orElseThrow());
        assertEquals(Map.of(), basic.headers());
        assertEquals(Optional.empty(), basic.tls());
    }

    @Test
    void aPasswordInThePlanIsRefusedNamingWhereItBelongs() throws IOException {
        assertEquals(List.of("F:13:7: spec.prometheus.basicAuth.password: a password never stands in the plan; use passwordFile "
                        + "(a file holding it) or passwordEnv (the name of an environment variable holding it)"),
                problems("""
                        url: http://prom:9090
                        basicAuth:
                          username: revroll
                          password: s3cret
                          passwordFile: pw
                        """));
    }

    @Test
    void oneCredentialAndOnePasswordSource() throws IOException {
        assertEquals(List.of("F:12:5: spec.prometheus.basicAuth: give one credential: spec.prometheus.bearerTokenFile or spec.prometheus.basicAuth, not both"),
                problems("""
                        url: http://prom:9090
                        bearerTokenFile: token
                        basicAuth: {username: revroll, passwordFile: pw}
                        """));
        assertEquals(List.of("F:11:5: spec.prometheus.basicAuth: needs the password's source: passwordFile (a file holding it) "
                        + "or passwordEnv (an environment variable holding it)"),
                problems("""
                        url: http://prom:9090
                        basicAuth: {username: revroll}
                        """));
        assertEquals(List.of("F:11:5: spec.prometheus.basicAuth: give passwordFile or passwordEnv, not both"),
                problems("""
                        url: http://prom:9090
                        basicAuth: {username: revroll, passwordFile: pw, passwordEnv: PW}
                        """));
        assertEquals(List.of("F:11:5: spec.prometheus.basicAuth.username: required field is missing",
                        "F:11:30: spec.prometheus.basicAuth.passwordEnv: 'hunter 2' is not an environment variable name; "
                                + "write the variable's name (letters, digits, _), not its value"),
                problems("""
                        url: http://prom:9090
                        basicAuth: {passwordEnv: hunter 2}
                        """));
        assertEquals(List.of("F:11:5: spec.prometheus.bearerTokenFile: the URL has user info too; remove it from spec.prometheus.url"),
                problems("""
                        url: http://user:pw@prom:9090
                        bearerTokenFile: token
                        """));
    }

    @Test
    void aClientCertificateNeedsItsKeyAndTlsNeedsHttps() throws IOException {
        assertEquals(List.of("F:12:7: spec.prometheus.tls.certFile: a client certificate needs both certFile and keyFile; add keyFile"),
                problems("""
                        url: https://prom:9090
                        tls:
                          certFile: client.pem
                        """));
        assertEquals(List.of("F:12:7: spec.prometheus.tls.keyFile: a client certificate needs both certFile and keyFile; add certFile"),
                problems("""
                        url: https://prom:9090
                        tls:
                          keyFile: client-key.pem
                        """));
        assertEquals(List.of("F:11:5: spec.prometheus.tls: applies to an https:// URL only; spec.prometheus.url is not one"),
                problems("""
                        url: http://prom:9090
                        tls: {caFile: ca.pem}
                        """));
        assertEquals(List.of("F:12:7: spec.prometheus.tls.caFile: has no effect with insecureSkipVerify: true (nothing is verified); remove one of them"),
                problems("""
                        url: https://prom:9090
                        tls:
                          caFile: ca.pem
                          insecureSkipVerify: true
                        """));
        assertEquals(List.of("F:12:15: spec.prometheus.tls.caFile: must not be empty",
                        "F:13:27: spec.prometheus.tls.insecureSkipVerify: must be true or false, found 'maybe'"),
                problems("""
                        url: https://prom:9090
                        tls:
                          caFile: ""
                          insecureSkipVerify: maybe
                        """));
    }

    @Test
    void headersAreNamesAndOneLineValuesButNeverAuthorization() throws IOException {
        assertEquals(List.of("F:12:7: spec.prometheus.headers.authorization: a credential never stands in the plan; use bearerTokenFile "
                        + "(a file holding the token, re-read when it changes) or basicAuth with passwordFile or passwordEnv, not an authorization header"),
                problems("""
                        url: http://prom:9090
                        headers:
                          authorization: Bearer abc
                        """));
        assertEquals(List.of("F:12:7: spec.prometheus.headers.X Scope: 'X Scope' is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)",
                        "F:14:7: spec.prometheus.headers.x-scope-orgid: the same header as X-Scope-OrgID (header names ignore case); give it once",
                        "F:15:15: spec.prometheus.headers.X-Line: a header value must be one line without control characters",
                        "F:16:15: spec.prometheus.headers.X-List: must be a string, found a list (a, b)"),
                problems("""
                        url: http://prom:9090
                        headers:
                          X Scope: a
                          X-Scope-OrgID: tenant-a
                          x-scope-orgid: tenant-b
                          X-Line: "a\\nb"
                          X-List: [a, b]
                        """));
    }
}
