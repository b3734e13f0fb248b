package dev.revroll.e2e;

import dev.revroll.git.JGitOpsRepository;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository.StepChange;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.GitDaemonRemote.git;
import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An SSH remote (Apache MINA sshd server running the real git-upload-pack / git-receive-pack) reached through
 * JGit's sshd transport, authenticating with a key that exists only in a real ssh-agent: proves the agent connector,
 * known_hosts checking and the push path over SSH.
 */
class GitSshAgentIT {

    @TempDir
    Path tmp;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        SshSessionFactory.setInstance(null);
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void pushesOverSshWithTheAgentsKey() throws Exception {
        GitDaemonRemote remote = GitDaemonRemote.start(tmp, Map.of("ns/shop.yaml",
                "kind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio.io/rev: 1-27-0\n"));
        cleanup.add(remote);

        // a key only the agent holds
        Path key = tmp.resolve("agent-key");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "revroll-ssh-it", "-f", key.toString()), null);
        Path sock = tmp.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString()).redirectErrorStream(true).start();
        cleanup.add(() -> {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        });
        await("ssh-agent's socket " + sock, Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(sock));
        run(List.of("ssh-add", key.toString()), sock);
        Files.delete(key);

        // the SSH server: only that key may log in; commands run git's own pack programs on the bare repository
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(tmp.resolve("host-key"));
        sshd.setKeyPairProvider(hostKeys);
        sshd.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(Path.of(key + ".pub")));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setCommandFactory((channel, command) -> new GitPackCommand(command, remote.bare()));
        sshd.start();
        cleanup.add(sshd::stop);
        int port = sshd.getPort();

        // the client's ~/.ssh: known_hosts with the server's key, the agent as identity; no key files
        Path sshDir = Files.createDirectories(tmp.resolve("home/.ssh"));
        KeyPair hostKey = hostKeys.loadKeys(null).iterator().next();
        Files.writeString(sshDir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
        Files.writeString(sshDir.resolve("config"), "Host 127.0.0.1\n  IdentityAgent " + sock + "\n  StrictHostKeyChecking yes\n");
        SshSessionFactory.setInstance(new SshdSessionFactoryBuilder()
                .setHomeDirectory(tmp.resolve("home").toFile())
                .setSshDirectory(sshDir.toFile())
                .build(null));

        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", remote.bare().toString(), clone.toString());
        git(clone, "remote", "set-url", "origin", "ssh://git@127.0.0.1:" + port + remote.bare());
        Plan.GitConfig config = new Plan.GitConfig(clone.toString(), "ns/{{namespace}}.yaml", true, Optional.empty(), Optional.empty());
        try (JGitOpsRepository repo = JGitOpsRepository.open(config, "p")) {
            assertEquals(List.of(), repo.preflight(List.of("shop")));
            String id = repo.commit(new StepChange("p", "run-ssh", "s1", "shop", "1-28-0", Map.of()));
            assertEquals(id, git(remote.bare(), "rev-parse", "main").strip());
            assertTrue(git(remote.bare(), "show", "main:ns/shop.yaml").contains("istio.io/rev: 1-28-0"));
        }
    }

    private static void run(List<String> cmd, Path agentSocket) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (agentSocket != null) {
            pb.environment().put("SSH_AUTH_SOCK", agentSocket.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), cmd + ": " + out);
    }

    /** {@code git-upload-pack '<path>'} / {@code git-receive-pack '<path>'} run as a process on the bare repository. */
    private static final class GitPackCommand implements Command {
        private final String command;
        private final Path bare;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        GitPackCommand(String command, Path bare) {
            this.command = command;
            this.bare = bare;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            String program = command.split(" ", 2)[0];
            String path = command.substring(program.length()).trim().replace("'", "");
            if (!List.of("git-upload-pack", "git-receive-pack").contains(program) || !Path.of(path).equals(bare)) {
                err.write(("unsupported: " + command + "\n").getBytes());
                err.flush();
                exit.onExit(1);
                return;
            }
            process = new ProcessBuilder(program, bare.toString()).start();
            Thread toProcess = pump(in, process.getOutputStream(), true);
            Thread fromProcess = pump(process.getInputStream(), out, false);
            Thread errors = pump(process.getErrorStream(), err, false);
            Thread waiter = new Thread(() -> {
                try {
                    int code = process.waitFor();
                    fromProcess.join();
                    errors.join();
                    toProcess.interrupt();
                    exit.onExit(code);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.setDaemon(true);
            waiter.start();
        }

        private static Thread pump(InputStream from, OutputStream to, boolean closeTarget) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = from.read(buf)) >= 0) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // the other side went away
                } finally {
                    if (closeTarget) {
                        try {
                            to.close();
                        } catch (IOException ignored) {
                            // closed already
                        }
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null) {
                process.destroy();
            }
        }
    }
}
