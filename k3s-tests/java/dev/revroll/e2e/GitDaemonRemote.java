package dev.revroll.e2e;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.world.Await.await;

/**
 * A real Git remote for tests: a bare repository served by a {@code git daemon} process on 127.0.0.1 (pushes
 * enabled), and the {@code git} CLI to look at it from the outside. Served, its hooks run as on a server (JGit's own
 * file:// transport runs none): a {@code post-receive} hook counts the pushes it accepted ({@link #acceptedPushes}),
 * and {@link #preReceiveHook} can refuse them. The unit tests of the Git record use it too.
 */
public final class GitDaemonRemote implements AutoCloseable {

    private final Path baseDir;
    private final Path bare;
    private final Path pushLog;
    private final int port;
    private volatile Process daemon;

    private GitDaemonRemote(Path baseDir, Path bare, int port, Process daemon) {
        this.baseDir = baseDir;
        this.bare = bare;
        this.pushLog = baseDir.resolve("pushes.log");
        this.port = port;
        this.daemon = daemon;
    }

    /** Creates {@code <dir>/remotes/gitops.git} seeded with {@code files} (path → content) on branch main, and serves it. */
    public static GitDaemonRemote start(Path dir, Map<String, String> files) throws IOException, InterruptedException {
        Path base = Files.createDirectories(dir.resolve("remotes"));
        Path bare = base.resolve("gitops.git");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        Path seed = dir.resolve("seed");
        git(dir, "init", "-q", "-b", "main", seed.toString());
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = seed.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        git(seed, "add", "-A");
        git(seed, "commit", "-q", "-m", "seed the GitOps repository");
        git(seed, "push", "-q", bare.toString(), "main:main");
        int port = freePort();
        hook(bare, "post-receive", "cat >> '" + base.resolve("pushes.log") + "'");
        GitDaemonRemote remote = new GitDaemonRemote(base, bare, port, serve(base, port));
        remote.awaitListening();
        return remote;
    }

    private static Process serve(Path base, int port) throws IOException {
        return new ProcessBuilder("git", "daemon", "--export-all", "--enable=receive-pack", "--informative-errors",
                "--base-path=" + base, "--listen=127.0.0.1", "--port=" + port, "--reuseaddr", base.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.getParent().resolve("git-daemon.log").toFile()))
                .start();
    }

    /** The remote goes down: its daemon is stopped, and nothing listens on its port until {@link #up()}. */
    public void down() throws InterruptedException {
        close();
    }

    /** The remote comes back on the same port. */
    public void up() throws IOException {
        daemon = serve(baseDir, port);
        awaitListening();
    }

    public String url() {
        return "git://127.0.0.1:" + port + "/gitops.git";
    }

    public Path bare() {
        return bare;
    }

    /** A fresh clone of the remote (its branch main tracks origin/main). */
    public Path cloneTo(Path dir) throws IOException, InterruptedException {
        git(dir.getParent(), "clone", "-q", url(), dir.toString());
        return dir;
    }

    /** Installs a pre-receive hook (a shell script body) on the bare repository. */
    public void preReceiveHook(String script) throws IOException {
        hook(bare, "pre-receive", script);
    }

    private static void hook(Path bare, String name, String script) throws IOException {
        Path hook = Files.createDirectories(bare.resolve("hooks")).resolve(name);
        Files.writeString(hook, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** How many pushes the remote accepted (one line per updated ref, from its post-receive hook). */
    public int acceptedPushes() throws IOException {
        return Files.exists(pushLog) ? (int) Files.readAllLines(pushLog).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    /** {@code git} in the bare repository (log, show, rev-parse ...); returns stdout. */
    public String inRemote(String... args) throws IOException, InterruptedException {
        return git(bare, args);
    }

    /** {@code git log} of main in the bare repository, one entry per line, newest first. */
    public List<String> log(String format) throws IOException, InterruptedException {
        return java.util.Arrays.stream(git(bare, "log", "--format=" + format, "main").split("\n")).filter(l -> !l.isBlank()).toList();
    }

    /** Another writer's commit in its clone {@code other}: appends {@code append} to {@code file}, commits and pushes. */
    public static void otherWriterPushes(Path other, String file, String append) {
        try {
            git(other, "pull", "-q", "--ff-only");
            Files.writeString(other.resolve(file), append, java.nio.file.StandardOpenOption.APPEND);
            git(other, "commit", "-q", "-am", "another writer edits " + Path.of(file).getFileName());
            git(other, "push", "-q", "origin", "main");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitListening() throws IOException {
        try {
            await("git daemon listening on 127.0.0.1:" + port, Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!daemon.isAlive()) {
                    throw new IOException("git daemon exited with " + daemon.exitValue() + "; see " + baseDir.getParent().resolve("git-daemon.log"));
                }
                return listens(port);
            });
        } catch (ConditionTimeoutException e) {
            throw new IOException("git daemon did not listen on 127.0.0.1:" + port, e);
        }
    }

    /** Whether something accepts connections on 127.0.0.1:port. */
    static boolean listens(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        daemon.destroy();
        if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Runs the git CLI in dir; fails with its output when it exits non-zero. */
    public static String git(Path dir, String... args) throws IOException, InterruptedException {
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
