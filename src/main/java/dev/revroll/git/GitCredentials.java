package dev.revroll.git;

import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.util.Map;
import java.util.Optional;

/**
 * How revroll authenticates to the GitOps remote. SSH: JGit's Apache MINA sshd transport with the user's
 * {@code ~/.ssh} keys, {@code ~/.ssh/config}, {@code known_hosts} and the ssh-agent ({@code SSH_AUTH_SOCK}).
 * HTTPS: the token in {@code REVROLL_GIT_TOKEN} (user {@code REVROLL_GIT_USERNAME}, default {@code x-access-token}),
 * else the user info in the remote URL. Nothing here is ever printed; messages go through {@link Redaction}.
 */
public final class GitCredentials {

    public static final String TOKEN_ENV = "REVROLL_GIT_TOKEN";
    public static final String USERNAME_ENV = "REVROLL_GIT_USERNAME";
    public static final String DEFAULT_TOKEN_USER = "x-access-token";

    private final Optional<CredentialsProvider> provider;

    private GitCredentials(Optional<CredentialsProvider> provider) {
        this.provider = provider;
    }

    public static GitCredentials forRemote(String remoteUrl) {
        return forRemote(remoteUrl, System.getenv());
    }

    static GitCredentials forRemote(String remoteUrl, Map<String, String> env) {
        String token = env.get(TOKEN_ENV);
        if (token != null && !token.isBlank()) {
            dev.revroll.errors.Secrets.register(token);
            String user = env.getOrDefault(USERNAME_ENV, DEFAULT_TOKEN_USER);
            return new GitCredentials(Optional.of(new UsernamePasswordCredentialsProvider(
                    user == null || user.isBlank() ? DEFAULT_TOKEN_USER : user, token)));
        }
        try {
            URIish uri = new URIish(remoteUrl);
            if (uri.getUser() != null && uri.getPass() != null) {
                dev.revroll.errors.Secrets.register(uri.getPass());
                return new GitCredentials(Optional.of(new UsernamePasswordCredentialsProvider(uri.getUser(), uri.getPass())));
            }
        } catch (Exception e) {
            // not a URL we can read user info from (scp-like ssh or a path): no password credentials
        }
        return new GitCredentials(Optional.empty());
    }

    Optional<CredentialsProvider> provider() {
        return provider;
    }

    /** Applies the credentials to a fetch or push; SSH uses the default session factory (keys, agent, known_hosts). */
    public <C extends TransportCommand<C, ?>> C apply(C command) {
        provider.ifPresent(command::setCredentialsProvider);
        return command;
    }
}
