package dev.revroll.errors;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must never reach a person, a journal or the cluster: the secret values revroll has read (a Git token, a
 * Prometheus password or bearer token; each adapter registers what it reads), user info in URLs
 * ({@code https://user:token@host}) and the value of an {@code Authorization} header. {@link #redact} masks them all;
 * every text revroll writes outside the process from a message it did not compose itself passes through it.
 */
public final class Secrets {

    public static final String MASK = "***";
    /** Shorter values are not masked: they would mask ordinary words. */
    static final int MIN_LENGTH = 4;

    private static final Set<String> KNOWN = new CopyOnWriteArraySet<>();
    /** scheme://userinfo@ — userinfo is everything up to the last '@' before the host part. */
    private static final Pattern URL_USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@\\s]+)@");
    private static final Pattern AUTH_HEADER = Pattern.compile("(?i)(authorization:\\s*(?:basic|bearer|token)\\s+)\\S+");

    private Secrets() {
    }

    /** Remembers a secret value for the rest of the process (a rotated token: each value read is registered). */
    public static void register(String secret) {
        if (secret != null && secret.strip().length() >= MIN_LENGTH) {
            KNOWN.add(secret);
            KNOWN.add(secret.strip());
        }
    }

    /** Masks every registered secret, URL user info and authorization header values. */
    public static String redact(String text) {
        return redact(text, List.of());
    }

    /** As {@link #redact(String)}, also masking {@code more}. */
    public static String redact(String text, List<String> more) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : more) {
            if (secret != null && secret.length() >= MIN_LENGTH) {
                out = out.replace(secret, MASK);
            }
        }
        for (String secret : KNOWN) {
            out = out.replace(secret, MASK);
        }
        Matcher m = URL_USER_INFO.matcher(out);
        out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK + "@"));
        out = AUTH_HEADER.matcher(out).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
        return out;
    }
}
