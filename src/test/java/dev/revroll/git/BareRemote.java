package dev.revroll.git;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Git remote for unit tests: a bare repository on disk served by a local {@code git daemon} (JGit's own file://
 * transport runs no hooks), so its hooks run as on a server: a {@code post-receive} hook counts the pushes it
 * accepted, and {@link #preReceiveHook} can refuse them. {@link #down()} stops the daemon (nothing listens any more).
 */
final class BareRemote implements AutoCloseable {

    private final Path dir;
    private final Path bare;
    private final Path pushLog;
    private final int port;
    private Process daemon;

    private BareRemote(Path dir, int port) {
        this.dir = dir;
        this.bare = dir.resolve("gitops.git");
        this.pushLog = dir.resolve("pushes.log");
        this.port = port;
    }

    /** A bare repository seeded with {@code files} (path → content) on branch main. */
    static BareRemote create(Path dir, Map<String, String> files) throws IOException, InterruptedException {
        BareRemote remote = new BareRemote(Files.createDirectories(dir), freePort());
        git(dir, "init", "-q", "--bare", "-b", "main", remote.bare.toString());
        Path seed = dir.resolve("seed");
        git(dir, "init", "-q", "-b", "main", seed.toString());
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = seed.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        git(seed, "add", "-A");
        git(seed, "commit", "-q", "-m", "seed the GitOps repository");
        git(seed, "push", "-q", remote.bare.toString(), "main:main");
        remote.hook("post-receive", "cat >> '" + remote.pushLog + "'");
        remote.up();
        return remote;
    }

    /** Serves the bare repository (pushes enabled) and waits until the daemon listens. */
    void up() throws IOException, InterruptedException {
        daemon = new ProcessBuilder("git", "daemon", "--export-all", "--enable=receive-pack", "--informative-errors",
                "--base-path=" + dir, "--listen=127.0.0.1", "--port=" + port, "--reuseaddr", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("git-daemon.log").toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!listens()) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("git daemon did not listen on 127.0.0.1:" + port + "; see " + dir.resolve("git-daemon.log"));
            }
            Thread.sleep(50);
        }
    }

    /** Stops the daemon: nothing listens on its port until {@link #up()}. */
    void down() throws InterruptedException {
        daemon.destroy();
        if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            down();
        }
    }

    private boolean listens() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    String url() {
        return "git://127.0.0.1:" + port + "/gitops.git";
    }

    Path bare() {
        return bare;
    }

    /** A clone whose branch main tracks origin/main. */
    Path cloneTo(Path clone) throws IOException, InterruptedException {
        git(dir, "clone", "-q", url(), clone.toString());
        return clone;
    }

    /** How many pushes the remote accepted (one line per updated ref, from its post-receive hook). */
    int acceptedPushes() throws IOException {
        return Files.exists(pushLog) ? (int) Files.readAllLines(pushLog).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    void preReceiveHook(String script) throws IOException {
        hook("pre-receive", script);
    }

    /** {@code git log} of main in the bare repository, one entry per line, newest first. */
    List<String> log(String format) throws IOException, InterruptedException {
        return Arrays.stream(git(bare, "log", "--format=" + format, "main").split("\n")).filter(s -> !s.isBlank()).toList();
    }

    String inRemote(String... args) throws IOException, InterruptedException {
        return git(bare, args);
    }

    private void hook(String name, String script) throws IOException {
        script(bare.resolve("hooks").resolve(name), script);
    }

    private static void script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs the git CLI in dir as "Other Writer"; fails with its output when it exits non-zero. */
    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=Other Writer", "-c", "user.email=other@example.com"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("git " + String.join(" ", args) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }
}
