package dev.revroll.git;

import dev.revroll.errors.Secrets;

import java.util.ArrayList;
import java.util.List;

/**
 * The one function every Git message and exception text passes through before a person (or a journal) sees it:
 * user info in URLs ({@code https://user:token@host}) becomes {@code ***}, and the token from
 * {@code REVROLL_GIT_TOKEN} is removed wherever it appears.
 */
public final class Redaction {

    public static final String MASK = Secrets.MASK;

    private Redaction() {
    }

    public static String redact(String text) {
        return redact(text, secretsFromEnvironment());
    }

    /**
     * Redacts URL user info, authorization headers, every secret revroll has read ({@link Secrets}) and each of
     * {@code secrets} (values shorter than 4 chars are ignored).
     */
    public static String redact(String text, List<String> secrets) {
        return Secrets.redact(text, secrets);
    }

    private static List<String> secretsFromEnvironment() {
        List<String> secrets = new ArrayList<>();
        String token = System.getenv(GitCredentials.TOKEN_ENV);
        if (token != null && !token.isBlank()) {
            secrets.add(token);
        }
        return secrets;
    }
}
