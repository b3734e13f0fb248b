package dev.revroll.prometheus;

import dev.revroll.plan.Plan;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The headers of every query to Prometheus (docs/prometheus-access.md): the plan's {@code headers}, and
 * {@code Authorization} from the first credential there is, in this order: {@code bearerTokenFile} (read again whenever
 * its modification time or size changes: a projected ServiceAccount token rotates), {@code basicAuth} (password from
 * {@code passwordFile}, re-read the same way, or from the environment variable {@code passwordEnv}), the environment
 * variable {@value PrometheusMetricsProvider#TOKEN_ENV}, the user info of the URL. {@link #describe()} says where the
 * credential comes from, never what it is; header values are not shown either (some carry keys).
 */
final class PrometheusAuth {

    /** A token or password file is small; a larger file is not one (and is not read whole). */
    static final int MAX_SECRET_BYTES = 64 * 1024;

    private final Map<String, String> headers;
    private final Credential credential;
    private final String shown;

    private interface Credential {
        Optional<String> authorization() throws AccessProblem;
    }

    PrometheusAuth(Plan.PrometheusConfig config, String urlUserInfo, Function<String, String> environment) {
        this.headers = config.headers();
        String headerNames = headers.isEmpty() ? "" : ", headers " + String.join(", ", headers.keySet());
        Optional<String> envToken = Optional.ofNullable(environment.apply(PrometheusMetricsProvider.TOKEN_ENV)).map(String::strip)
                .filter(t -> !t.isEmpty());
        Credential credential;
        String from;
        if (config.bearerTokenFile().isPresent()) {
            SecretFile file = new SecretFile("spec.prometheus.bearerTokenFile", config.bearerTokenFile().get());
            credential = () -> Optional.of("Bearer " + token(file.read(), file.describe()));
            from = "bearer token from " + config.bearerTokenFile().get() + ", re-read when it changes";
        } else if (config.basicAuth().isPresent()) {
            Plan.BasicAuth basic = config.basicAuth().get();
            if (basic.passwordFile().isPresent()) {
                SecretFile file = new SecretFile("spec.prometheus.basicAuth.passwordFile", basic.passwordFile().get());
                credential = () -> Optional.of(basic(basic.username(), file.read()));
                from = "basic auth as " + basic.username() + ", password from " + basic.passwordFile().get();
            } else {
                String name = basic.passwordEnv().orElseThrow();
                credential = () -> Optional.of(basic(basic.username(), Optional.ofNullable(environment.apply(name))
                        .filter(p -> !p.isEmpty()).orElseThrow(() -> new AccessProblem(
                                "the environment variable " + name + " (spec.prometheus.basicAuth.passwordEnv) is not set or empty"))));
                from = "basic auth as " + basic.username() + ", password from $" + name;
            }
        } else if (envToken.isPresent()) {
            String authorization = "Bearer " + envToken.get();
            credential = () -> Optional.of(authorization);
            from = "bearer token from " + PrometheusMetricsProvider.TOKEN_ENV;
        } else if (urlUserInfo != null && !urlUserInfo.isEmpty()) {
            String decoded = URLDecoder.decode(urlUserInfo, StandardCharsets.UTF_8);
            String authorization = "Basic " + Base64.getEncoder().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
            credential = () -> Optional.of(authorization);
            from = "basic auth from the URL, redacted";
        } else {
            credential = Optional::empty;
            from = "";
        }
        this.credential = credential;
        this.shown = (from + headerNames).replaceFirst("^, ", "");
    }

    /** The headers of one query, {@code Authorization} included when there is a credential. */
    Map<String, String> headers() throws AccessProblem {
        Optional<String> authorization = credential.authorization();
        if (authorization.isEmpty()) {
            return headers;
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Authorization", authorization.get());
        return all;
    }

    /** Where the credential comes from and which headers are sent, for messages ("" when neither); never a value. */
    String describe() {
        return shown;
    }

    private static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A bearer token is one word of visible characters (a JWT is); anything else would not make a header. */
    private static String token(String text, String where) throws AccessProblem {
        if (!text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new AccessProblem(where + " does not hold one token (it has spaces, line breaks or other characters a token has not; its content is not shown)");
        }
        return text;
    }

    /**
     * A file holding a secret, read again whenever its modification time or size changes (a symlink, as a projected
     * volume's files are, is followed), else served from memory. Surrounding whitespace is dropped (a trailing newline).
     */
    static final class SecretFile {
        private final String field;
        private final Path path;
        private FileTime modified;
        private long size = -1;
        private String value;

        SecretFile(String field, Path path) {
            this.field = field;
            this.path = path;
        }

        String describe() {
            return field + " " + path;
        }

        synchronized String read() throws AccessProblem {
            try {
                BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
                if (value != null && now.lastModifiedTime().equals(modified) && now.size() == size) {
                    return value;
                }
                if (!now.isRegularFile()) {
                    throw new AccessProblem(describe() + " is not a file");
                }
                byte[] bytes;
                try (InputStream in = Files.newInputStream(path)) {
                    bytes = in.readNBytes(MAX_SECRET_BYTES + 1);
                }
                if (bytes.length > MAX_SECRET_BYTES) {
                    throw new AccessProblem(describe() + " is larger than 64 KiB; is it the right file?");
                }
                String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString().strip();
                if (text.isEmpty()) {
                    throw new AccessProblem(describe() + " is empty");
                }
                value = text;
                modified = now.lastModifiedTime();
                size = now.size();
                return value;
            } catch (NoSuchFileException e) {
                throw new AccessProblem(describe() + ": no such file");
            } catch (CharacterCodingException e) {
                throw new AccessProblem(describe() + " is not UTF-8 text");
            } catch (IOException e) {
                throw new AccessProblem(describe() + " cannot be read: " + e.getClass().getSimpleName());
            }
        }
    }
}
