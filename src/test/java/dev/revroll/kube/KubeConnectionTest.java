package dev.revroll.kube;

import dev.revroll.cli.ExitCode;
import dev.revroll.cli.ExitCodes;
import dev.revroll.errors.RevrollException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding the kubeconfig and the context; no request is sent by {@code open}. */
class KubeConnectionTest {

    private static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            current-context: staging
            clusters:
            - name: staging
              cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
            - name: prod
              cluster: {server: "https://10.0.0.2:6443", insecure-skip-tls-verify: true}
            users:
            - name: me
              user: {token: abc}
            contexts:
            - name: staging
              context: {cluster: staging, user: me}
            - name: prod-eu-1
              context: {cluster: prod, user: me}
            """;

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    @Test
    void usesTheCurrentContextOrTheNamedOne() throws IOException {
        Path f = write("config", KUBECONFIG);
        KubeConnection current = KubeConnection.open(Optional.of(f), Optional.empty(), Map.<String, String>of()::get);
        assertEquals("staging", current.contextName());
        assertEquals("https://10.0.0.1:6443", current.server());
        assertEquals(KubeResilience.CONNECT_TIMEOUT.toMillis(), current.apiClient().getConnectTimeout());
        KubeConnection prod = KubeConnection.open(Optional.of(f), Optional.of("prod-eu-1"), Map.<String, String>of()::get);
        assertEquals("prod-eu-1", prod.contextName());
        assertEquals("https://10.0.0.2:6443", prod.server());
    }

    @Test
    void anUnknownContextListsTheKnownOnes() throws IOException {
        Path f = write("config", KUBECONFIG);
        RevrollException e = assertThrows(RevrollException.class,
                () -> KubeConnection.open(Optional.of(f), Optional.of("prod-us-1"), Map.<String, String>of()::get));
        assertEquals(ExitCode.INVALID, ExitCodes.of(e));
        assertEquals("kube context 'prod-us-1' is not in " + f + "; it has: staging, prod-eu-1", e.getMessage());
    }

    @Test
    void kubeconfigEnvTakesItsExistingFilesInOrderThenHomeIsUsed() throws IOException {
        Path f = write("from-env", KUBECONFIG);
        Path g = write("second", KUBECONFIG);
        String sep = java.io.File.pathSeparator;
        assertEquals(List.of(f, g), KubeConnection.defaultKubeconfig(
                Map.of("KUBECONFIG", dir.resolve("missing") + sep + f + sep + sep + g + sep + f)::get));
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube/config"), KUBECONFIG);
        assertEquals(List.of(home.resolve(".kube/config")), KubeConnection.defaultKubeconfig(Map.of("HOME", home.toString())::get));
        RevrollException e = assertThrows(RevrollException.class,
                () -> KubeConnection.defaultKubeconfig(Map.of("KUBECONFIG", dir.resolve("missing").toString(), "HOME", home.toString())::get));
        assertTrue(e.getMessage().contains("names no existing file"), e.getMessage());
    }

    @Test
    void missingFilesAndNothingAtAllAreUsageErrors() throws IOException {
        RevrollException missing = assertThrows(RevrollException.class,
                () -> KubeConnection.open(Optional.of(dir.resolve("nope")), Optional.empty(), Map.<String, String>of()::get));
        assertEquals(ExitCode.INVALID, ExitCodes.of(missing));
        RevrollException none = assertThrows(RevrollException.class,
                () -> KubeConnection.open(Optional.empty(), Optional.empty(), Map.of("HOME", dir.toString())::get));
        assertTrue(none.getMessage().startsWith("no Kubernetes configuration found"), none.getMessage());
        Path broken = write("broken", "apiVersion: v1\nusers:\n- name: me\n  user: {token: abc\nkind: Config\n");
        RevrollException unreadable = assertThrows(RevrollException.class,
                () -> KubeConnection.open(Optional.of(broken), Optional.empty(), Map.<String, String>of()::get));
        assertEquals("cannot read kubeconfig " + broken + ":5:5: expected ',' or '}', but got :; fix the file",
                unreadable.getMessage());
        assertEquals(ExitCode.INVALID, ExitCodes.of(unreadable));
    }
}
