package dev.revroll.kube;

import dev.revroll.cli.ExitCode;
import dev.revroll.cli.ExitCodes;
import dev.revroll.errors.RevrollException;
import io.kubernetes.client.util.KubeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A KUBECONFIG list merged as kubectl merges it (docs/kubeconfig.md). */
class KubeconfigMergeTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }

    private static String list(Path... files) {
        return String.join(File.pathSeparator, java.util.Arrays.stream(files).map(Path::toString).toList());
    }

    @Test
    void eachNameIsTakenWholeFromTheFirstFileThatDefinesIt() throws IOException {
        Path first = write("first", """
                clusters:
                - name: prod
                  cluster: {server: "https://first:6443"}
                users:
                - name: me
                  user: {token: first-token}
                contexts:
                - name: prod
                  context: {cluster: prod, user: me}
                """);
        Path second = write("second", """
                current-context: prod
                clusters:
                - name: prod
                  cluster: {server: "https://second:6443", insecure-skip-tls-verify: true}
                - name: staging
                  cluster: {server: "https://staging:6443"}
                users:
                - name: me
                  user: {token: second-token}
                contexts:
                - name: prod
                  context: {cluster: staging, user: me}
                - name: staging
                  context: {cluster: staging, user: me}
                """);
        KubeConfig config = KubeconfigMerge.merge(List.of(first, second));
        assertEquals("prod", config.getCurrentContext(), "current-context from the first file that sets one");
        assertEquals("https://first:6443", config.getServer(), "context and cluster 'prod' from the first file");
        assertEquals(true, config.verifySSL(), "the second file's prod cluster is not mixed in field by field");
        assertEquals("first-token", config.getCredentials().get(KubeConfig.CRED_TOKEN_KEY));
        config.setContext("staging");
        assertEquals("https://staging:6443", config.getServer(), "names only the second file defines are added");
        assertEquals(2, config.getContexts().size());
        assertEquals(2, config.getClusters().size());
        assertEquals(1, config.getUsers().size());
    }

    @Test
    void theFirstCurrentContextWinsAndMissingOrEmptyEntriesAreSkipped() throws IOException {
        Path none = write("none", "clusters:\n- name: a\n  cluster: {server: \"https://a:6443\"}\n");
        Path a = write("a", "current-context: ctx-a\ncontexts:\n- name: ctx-a\n  context: {cluster: a, user: u}\n"
                + "users:\n- name: u\n  user: {token: t}\n");
        Path b = write("b", "current-context: ctx-b\ncontexts:\n- name: ctx-b\n  context: {cluster: a, user: u}\n");
        Path empty = write("empty", "");
        String kubeconfig = list(none, dir.resolve("missing"), empty) + File.pathSeparator + File.pathSeparator + list(a, b);
        KubeConnection c = KubeConnection.open(Optional.empty(), Optional.empty(), Map.of("KUBECONFIG", kubeconfig)::get);
        assertEquals("ctx-a", c.contextName());
        assertEquals("https://a:6443", c.server(), "cluster from the first file, context from the third");
        assertEquals(List.of(none, empty, a, b), c.kubeconfig());
        assertEquals("ctx-b", KubeConnection.open(Optional.empty(), Optional.of("ctx-b"),
                Map.of("KUBECONFIG", kubeconfig)::get).contextName(), "--context picks from the merged contexts");
    }

    @Test
    void relativePathsAreResolvedAgainstTheirOwnFile() throws IOException {
        write("one/token", "token-of-one");
        write("two/token", "token-of-two");
        Path one = write("one/config", """
                current-context: one
                clusters:
                - name: one
                  cluster: {server: "https://one:6443", certificate-authority: ca.crt}
                users:
                - name: one
                  user: {tokenFile: token, client-certificate: certs/me.crt, client-key: /abs/me.key}
                - name: exec-on-path
                  user: {exec: {command: kubectl-login}}
                contexts:
                - name: one
                  context: {cluster: one, user: one}
                """);
        Path two = write("two/sub/config", """
                clusters:
                - name: two
                  cluster: {server: "https://two:6443", certificate-authority: ../ca.crt}
                users:
                - name: two
                  user: {tokenFile: ../token}
                - name: exec-relative
                  user: {exec: {command: ./bin/login}}
                contexts:
                - name: two
                  context: {cluster: two, user: two}
                """);
        KubeConfig config = KubeconfigMerge.merge(List.of(one, two));
        assertEquals(dir.resolve("one/ca.crt").toString(), config.getCertificateAuthorityFile());
        assertEquals(dir.resolve("one/certs/me.crt").toString(), config.getClientCertificateFile());
        assertEquals("/abs/me.key", config.getClientKeyFile(), "absolute paths stay");
        assertEquals("token-of-one", config.getCredentials().get(KubeConfig.CRED_TOKEN_KEY));
        config.setContext("two");
        assertEquals(dir.resolve("two/ca.crt").toString(), config.getCertificateAuthorityFile());
        assertEquals("token-of-two", config.getCredentials().get(KubeConfig.CRED_TOKEN_KEY), "client-java reads the resolved tokenFile");
        assertEquals(dir.resolve("two/sub/bin/login").toString(), execCommand(config, "exec-relative"));
        assertEquals("kubectl-login", execCommand(config, "exec-on-path"), "a bare command is looked up on the PATH");
    }

    @SuppressWarnings("unchecked")
    private static String execCommand(KubeConfig config, String user) {
        Map<String, Object> entry = (Map<String, Object>) config.getUsers().stream()
                .filter(u -> user.equals(((Map<String, Object>) u).get("name"))).findFirst().orElseThrow();
        return (String) ((Map<String, Object>) ((Map<String, Object>) entry.get("user")).get("exec")).get("command");
    }

    @Test
    void aFileThatDoesNotParseIsNamedWithLineAndColumn() throws IOException {
        Path good = write("good", "current-context: x\n");
        Path bad = write("bad", "clusters:\n- name: a\n  cluster: [server\n");
        RevrollException e = assertThrows(RevrollException.class, () -> KubeConnection.open(Optional.empty(), Optional.empty(),
                Map.of("KUBECONFIG", list(good, bad))::get));
        assertEquals(ExitCode.INVALID, ExitCodes.of(e));
        assertEquals("cannot read kubeconfig " + bad + ":4:1: expected ',' or ']', but got <stream end>; fix the file", e.getMessage());
        Path nameless = write("nameless", "users:\n- user: {token: t}\n");
        RevrollException n = assertThrows(RevrollException.class, () -> KubeconfigMerge.merge(List.of(good, nameless)));
        assertEquals("kubeconfig " + nameless + ": users[0] has no name", n.getMessage());
        Path scalar = write("scalar", "just text\n");
        assertEquals("kubeconfig " + scalar + " is not a kubeconfig: its top level is not a mapping",
                assertThrows(RevrollException.class, () -> KubeconfigMerge.merge(List.of(scalar))).getMessage());
    }

    @Test
    void anUnknownContextNamesTheWholeList() throws IOException {
        Path a = write("a", "contexts:\n- name: one\n  context: {cluster: c, user: u}\n");
        Path b = write("b", "contexts:\n- name: two\n  context: {cluster: c, user: u}\n");
        RevrollException e = assertThrows(RevrollException.class, () -> KubeConnection.open(Optional.empty(), Optional.of("three"),
                Map.of("KUBECONFIG", list(a, b))::get));
        assertEquals("kube context 'three' is not in KUBECONFIG=" + list(a, b) + "; it has: one, two", e.getMessage());
    }
}
