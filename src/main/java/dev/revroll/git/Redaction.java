package dev.revroll.git;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one function every Git message and exception text passes through before a person (or a journal) sees it:
 * user info in URLs ({@code https://user:token@host}) becomes {@code ***}, and the token from
 * {@code REVROLL_GIT_TOKEN} is removed wherever it appears.
 */
public final class Redaction {

    public static final String MASK = "***";

    /** scheme://userinfo@ — userinfo is everything up to the last '@' before the host part. */
    private static final Pattern URL_USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@\\s]+)@");
    private static final Pattern AUTH_HEADER = Pattern.compile("(?i)(authorization:\\s*(?:basic|bearer|token)\\s+)\\S+");

    private Redaction() {
    }

    public static String redact(String text) {
        return redact(text, secretsFromEnvironment());
    }

    /** Redacts URL user info, authorization headers and each of {@code secrets} (values shorter than 4 chars are ignored). */
    public static String redact(String text, List<String> secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 4) {
                out = out.replace(secret, MASK);
            }
        }
        Matcher m = URL_USER_INFO.matcher(out);
        out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK + "@"));
        out = AUTH_HEADER.matcher(out).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
        return out;
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
