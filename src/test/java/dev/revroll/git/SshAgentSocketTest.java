package dev.revroll.git;

import org.eclipse.jgit.transport.sshd.agent.Connector;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Talks to a real ssh-agent process over its Unix socket. */
class SshAgentSocketTest {

    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;

    @TempDir
    Path tmp;

    @Test
    void jgitPicksItUpAsTheDefaultAgentConnector() {
        assertInstanceOf(SshAgentSocket.class, ConnectorFactory.getDefault());
    }

    @Test
    void listsTheKeysOfARealAgent() throws Exception {
        Path sock = tmp.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString()).redirectErrorStream(true).start();
        try {
            await("ssh-agent's socket " + sock).atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.exists(sock));
            Path key = tmp.resolve("id_ed25519");
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "revroll-test-key", "-f", key.toString());
            ProcessBuilder add = new ProcessBuilder("ssh-add", key.toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", sock.toString());
            Process p = add.start();
            p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());

            try (Connector c = new SshAgentSocket().create(sock.toString(), tmp.toFile())) {
                assertTrue(c.connect());
                byte[] reply = c.rpc(REQUEST_IDENTITIES);
                assertEquals(IDENTITIES_ANSWER, reply[0]);
                int count = ((reply[1] & 0xff) << 24) | ((reply[2] & 0xff) << 16) | ((reply[3] & 0xff) << 8) | (reply[4] & 0xff);
                assertEquals(1, count);
                assertTrue(new String(reply, StandardCharsets.ISO_8859_1).contains("revroll-test-key"));
            }
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        try (Connector none = new SshAgentSocket().create(tmp.resolve("absent.sock").toString(), tmp.toFile())) {
            assertFalse(none.connect());
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }
}
