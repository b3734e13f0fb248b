package dev.revroll.e2e;

import dev.revroll.e2e.world.SandboxWorld;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.revroll.e2e.world.Await.await;

/** Runs the real CLI ({@code java -jar target/revroll.jar}) against the world, as a user or a pipeline would. */
final class RevrollProcess {

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private RevrollProcess() {
    }

    static Path jar(SandboxWorld world) {
        Path jar = world.checkout().resolve("target/revroll.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the jar first: mvn -B -q -DskipTests package");
        }
        return jar;
    }

    static ProcessBuilder builder(SandboxWorld world, Path logDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar(world).toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--kubeconfig", world.kubeconfig().toString(), "--context", world.context()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("REVROLL_POLL_INTERVAL", "300ms");
        pb.redirectOutput(logDir.resolve("out.txt").toFile());
        pb.redirectError(logDir.resolve("err.txt").toFile());
        return pb;
    }

    /** A CLI process still going: its JSON event lines are read from its stdout file as they come. */
    static final class Running {
        private final Process process;
        private final Path out;
        private final Path err;

        private Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /**
         * Waits for the line revroll prints on stderr when it reaches the failpoint it was started with
         * ({@code REVROLL_FAILPOINT}, docs/architecture.md#failpoints-a-test-hook): it then blocks there until killed.
         * Empty when the process ended first (its exit code in {@link #exitCode}), e.g. exit 6 for another run's lock.
         */
        Optional<String> awaitFailpoint(String where, Duration timeout) {
            String prefix = "revroll: failpoint " + where + " reached (pid " + process.pid() + ")";
            try {
                return await("revroll at failpoint " + where, timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                    Optional<String> found = Files.readAllLines(err).stream().filter(l -> l.startsWith(prefix)).findFirst();
                    return found.isPresent() || !process.isAlive() ? Optional.of(found) : Optional.<Optional<String>>empty();
                }, Optional::isPresent).orElseThrow();
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + "\n--- stdout\n" + printed() + "\n--- stderr\n" + read(err), e);
            }
        }

        /** The exit code of a process that has ended. */
        int exitCode() {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** What the process wrote to stderr so far. */
        String errors() {
            return read(err);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The first stdout line the test waits for (the process's JSON events); fails if the process ends first. */
        String awaitLine(String what, Duration timeout, Predicate<String> line) {
            try {
                return await(what, timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                    boolean ended = !process.isAlive();
                    Optional<String> found = Files.readAllLines(out).stream().filter(line).findFirst();
                    if (found.isEmpty() && ended) {
                        throw new AssertionError("revroll ended (exit " + process.exitValue() + ") before " + what + ":\n" + Files.readString(out));
                    }
                    return found;
                }, Optional::isPresent).orElseThrow();
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + "\n" + printed(), e);
            }
        }

        private String printed() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** SIGKILL, as a node or a CI runner dying would; returns what the process had printed. */
        String kill() {
            try {
                process.destroyForcibly().waitFor();
                String printed = Files.readString(out);
                System.err.println("[killed revroll, exit " + process.exitValue() + "] " + printed);
                return printed;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Waits for the process to end (killing it after {@code timeout}) and returns what it printed. */
        Result finish(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("revroll did not end within " + timeout + ":\n" + printed());
                }
                Result r = new Result(process.exitValue(), Files.readString(out), Files.readString(out.resolveSibling("err.txt")));
                System.err.println("[revroll] " + r);
                return r;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void destroyIfAlive() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    static Running start(SandboxWorld world, String... args) {
        return start(world, java.util.Map.of(), args);
    }

    /** The CLI started with these environment variables added, not waited for. */
    static Running start(SandboxWorld world, java.util.Map<String, String> env, String... args) {
        try {
            Path dir = Files.createTempDirectory("revroll-kill");
            ProcessBuilder pb = builder(world, dir, args);
            pb.environment().putAll(env);
            return new Running(pb.start(), dir.resolve("out.txt"), dir.resolve("err.txt"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Result run(SandboxWorld world, String... args) {
        return run(world, java.util.Map.of(), args);
    }

    /**
     * The CLI, run again while it answers exit 6 at once: on a shared world another test's run may hold the cluster's
     * run lock (Lease revroll-lock) for a minute or two. Any other end is returned.
     */
    static Result runWhenUnlocked(SandboxWorld world, String... args) {
        return await("revroll " + String.join(" ", args) + " past the run lock other tests hold", LOCK_PATIENCE)
                .pollInterval(Duration.ofSeconds(3)).until(() -> run(world, args), r -> r.exitCode() != 6);
    }

    /** {@link #start}, started again while the run ends at once with exit 6 (see {@link #runWhenUnlocked}); returns once the run holds the lock. */
    static Running startWhenUnlocked(SandboxWorld world, String... args) {
        return startWhenUnlocked(world, java.util.Map.of(), args);
    }

    /** {@link #startWhenUnlocked(SandboxWorld, String...)} with these environment variables added. */
    static Running startWhenUnlocked(SandboxWorld world, java.util.Map<String, String> env, String... args) {
        return await("revroll " + String.join(" ", args) + " past the run lock other tests hold", LOCK_PATIENCE)
                .pollInterval(Duration.ofSeconds(3)).until(() -> {
                    Running r = start(world, env, args);
                    r.awaitLine("the run to start or end", Duration.ofMinutes(2), l -> l.contains("\"type\":\"RUN_STARTED\"") || l.contains("\"exitCode\":6"));
                    if (Files.readString(r.out).contains("\"exitCode\":6")) {
                        r.finish(Duration.ofSeconds(30));
                        return null;
                    }
                    return r;
                }, java.util.Objects::nonNull);
    }

    static final Duration LOCK_PATIENCE = Duration.ofMinutes(6);

    /** The CLI with these environment variables added (as a CI job sets them). */
    static Result run(SandboxWorld world, java.util.Map<String, String> env, String... args) {
        try {
            ProcessBuilder pb = builder(world, Files.createTempDirectory("revroll-cli"), args);
            pb.environment().putAll(env);
            return finish(pb, args);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The CLI with another identity than the world's admin: exactly {@code args} (which name their own
     * {@code --kubeconfig}), with {@code env} added to the environment.
     */
    static Result runWith(SandboxWorld world, java.util.Map<String, String> env, List<String> args) {
        try {
            Path dir = Files.createTempDirectory("revroll-cli");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar(world).toString()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("REVROLL_POLL_INTERVAL", "300ms");
            pb.environment().remove("KUBECONFIG");
            pb.environment().putAll(env);
            pb.redirectOutput(dir.resolve("out.txt").toFile());
            pb.redirectError(dir.resolve("err.txt").toFile());
            return finish(pb, args.toArray(String[]::new));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CLI of this checkout's jar with no cluster at all (validate, manifests), with {@code env} added. */
    static Result local(java.util.Map<String, String> env, String... args) {
        Path jar = Path.of("target/revroll.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the jar first: mvn -B -q -DskipTests package");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return runProgram(cmd, env);
    }

    /** Another program that runs revroll (kubectl running the plugin): exactly {@code command}, {@code env} added. */
    static Result runProgram(List<String> command, java.util.Map<String, String> env) {
        try {
            Path dir = Files.createTempDirectory("revroll-cli");
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            pb.redirectOutput(dir.resolve("out.txt").toFile());
            pb.redirectError(dir.resolve("err.txt").toFile());
            return finish(pb, command.toArray(String[]::new));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Result finish(ProcessBuilder builder, String... args) {
        try {
            Path dir = builder.redirectOutput().file().toPath().getParent();
            Process p = builder.start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("revroll " + String.join(" ", args) + " did not finish in 15 minutes");
            }
            Result r = new Result(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
            System.err.println("[revroll " + String.join(" ", args) + "] " + r);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
