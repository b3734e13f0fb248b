package dev.revroll.git;

import org.eclipse.jgit.transport.sshd.agent.AbstractConnector;
import org.eclipse.jgit.transport.sshd.agent.Connector;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Lets JGit's Apache MINA sshd transport use the user's ssh-agent ({@code SSH_AUTH_SOCK}, or {@code IdentityAgent}
 * from {@code ~/.ssh/config}) over a Unix domain socket with Java's own socket channels, so no native library is
 * needed. Registered through {@code META-INF/services}; JGit picks it up as its default agent connector.
 */
public final class SshAgentSocket implements ConnectorFactory {

    public static final String AUTH_SOCK_ENV = "SSH_AUTH_SOCK";

    private static final ConnectorDescriptor DEFAULT = new ConnectorDescriptor() {
        @Override
        public String getIdentityAgent() {
            return AUTH_SOCK_ENV;
        }

        @Override
        public String getDisplayName() {
            return "ssh-agent (" + AUTH_SOCK_ENV + ")";
        }
    };

    @Override
    public Connector create(String identityAgent, File homeDir) {
        String socket = identityAgent == null || identityAgent.isBlank() || AUTH_SOCK_ENV.equals(identityAgent)
                ? System.getenv(AUTH_SOCK_ENV) : identityAgent;
        if (socket != null && socket.startsWith("~/") && homeDir != null) {
            socket = new File(homeDir, socket.substring(2)).getPath();
        }
        return new Client(socket == null || socket.isBlank() ? null : Path.of(socket));
    }

    @Override
    public boolean isSupported() {
        return !System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }

    @Override
    public String getName() {
        return "revroll-unix-socket";
    }

    @Override
    public Collection<ConnectorDescriptor> getSupportedConnectors() {
        return List.of(DEFAULT);
    }

    @Override
    public ConnectorDescriptor getDefaultConnector() {
        return DEFAULT;
    }

    /** One agent connection: request/reply messages framed by a 4-byte length. */
    static final class Client extends AbstractConnector {
        private final Path socket;
        private SocketChannel channel;

        Client(Path socket) {
            this.socket = socket;
        }

        @Override
        public synchronized boolean connect() throws IOException {
            if (socket == null || !Files.exists(socket)) {
                return false;
            }
            if (channel == null || !channel.isOpen()) {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
            }
            return true;
        }

        @Override
        public synchronized byte[] rpc(byte command, byte[] message) throws IOException {
            if (!connect()) {
                throw new IOException("no ssh-agent at " + socket);
            }
            prepareMessage(command, message);
            ByteBuffer out = ByteBuffer.wrap(message);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            byte[] lengthBytes = readFully(4);
            return readFully(toLength(command, lengthBytes));
        }

        private byte[] readFully(int n) throws IOException {
            ByteBuffer in = ByteBuffer.allocate(n);
            while (in.hasRemaining()) {
                if (channel.read(in) < 0) {
                    throw new IOException("the ssh-agent at " + socket + " closed the connection");
                }
            }
            return in.array();
        }

        @Override
        public synchronized void close() throws IOException {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }
}
