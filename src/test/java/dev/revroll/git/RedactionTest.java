package dev.revroll.git;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
        GitException e = new GitException(dev.revroll.errors.ExitCode.ROLLED_BACK, "push to https://a:pw@h/r failed",
                new RuntimeException("https://a:pw@h/r: not authorized"));
        assertFalse(e.getMessage().contains("pw"));
        assertFalse(e.getCause().getMessage().contains("pw"));
    }

    @Test
    void tokenFromTheEnvironmentIsUsedAsCredentials() {
        GitCredentials c = GitCredentials.forRemote("https://host/r.git", Map.of(GitCredentials.TOKEN_ENV, "t0k3n"));
        assertEquals(false, c.toString().contains("t0k3n"));
    }
}
