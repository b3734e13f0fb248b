package dev.revroll.git;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedactionTest {

    @Test
    void removesUserInfoFromUrls() {
        assertEquals("cannot fetch from https://***@git.example.com/org/gitops.git: 401",
                Redaction.redact("cannot fetch from https://alice:s3cr3t@git.example.com/org/gitops.git: 401", List.of()));
        assertEquals("https://***@host/x and http://***@h2:8080/y",
                Redaction.redact("https://x-access-token:ghp_abc@host/x and http://bob@h2:8080/y", List.of()));
        assertEquals("ssh://***@host:22/repo.git", Redaction.redact("ssh://git@host:22/repo.git", List.of()));
    }

    @Test
    void leavesUrlsWithoutUserInfoAndPlainTextAlone() {
        String text = "git://127.0.0.1:35001/gitops.git rejected: user@example.com is not allowed";
        assertEquals(text, Redaction.redact(text, List.of()));
    }

    @Test
    void removesKnownSecretsAnywhere() {
        assertEquals("token *** was refused; header Authorization: Bearer ***",
                Redaction.redact("token tok-12345 was refused; header Authorization: Bearer tok-12345", List.of("tok-12345")));
        assertEquals("Authorization: Basic ***", Redaction.redact("Authorization: Basic YWxpY2U6c2VjcmV0", List.of()));
    }

    @Test
    void exceptionsCarryOnlyRedactedText() {
        GitException e = new GitException(dev.revroll.errors.GitRecordException.Reason.REJECTED, "push to https://a:pw@h/r failed",
                new RuntimeException("https://a:pw@h/r: not authorized"));
        assertFalse(e.getMessage().contains("pw"));
        assertFalse(e.getCause().getMessage().contains("pw"));
    }

    @Test
    void tokenFromTheEnvironmentIsUsedAsCredentials() throws Exception {
        assertEquals(List.of("x-access-token", "t0k3n"), userAndPassword(GitCredentials.forRemote("https://host/r.git",
                Map.of(GitCredentials.TOKEN_ENV, "t0k3n"))));
        assertEquals(List.of("ci-bot", "t0k3n"), userAndPassword(GitCredentials.forRemote("https://host/r.git",
                Map.of(GitCredentials.TOKEN_ENV, "t0k3n", GitCredentials.USERNAME_ENV, "ci-bot"))));
        assertEquals(List.of("alice", "pw"), userAndPassword(GitCredentials.forRemote("https://alice:pw@host/r.git", Map.of())));
        assertTrue(GitCredentials.forRemote("git@host:org/r.git", Map.of()).provider().isEmpty());
    }

    private static List<String> userAndPassword(GitCredentials credentials) throws Exception {
        org.eclipse.jgit.transport.CredentialItem.Username user = new org.eclipse.jgit.transport.CredentialItem.Username();
        org.eclipse.jgit.transport.CredentialItem.Password pass = new org.eclipse.jgit.transport.CredentialItem.Password();
        assertTrue(credentials.provider().orElseThrow().get(new org.eclipse.jgit.transport.URIish("https://host/r.git"), user, pass));
        return List.of(user.getValue(), new String(pass.getValue()));
    }
}
