package dev.revroll.e2e;

import dev.revroll.e2e.world.SandboxWorld;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.revroll.e2e.world.Await.await;

/** Runs the real CLI (the launcher {@code bin/revroll} on {@code target/revroll.jar}) against the world, as a user or a pipeline would. */
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

    /**
     * The command that starts revroll: the launcher a user runs ({@code bin/revroll}: a JDK 25+ with its AOT cache when
     * there is one, C1 only and the serial collector), on this checkout's jar. It starts in a third of the CPU time
     * of a plain {@code java -jar}, which counts when test classes start revroll at once on two cores.
     */
    static List<String> launcher(Path checkout, Path jar, ProcessBuilder pb) {
        pb.environment().put("REVROLL_JAR", jar.toString());
        return new ArrayList<>(List.of(checkout.resolve("bin/revroll").toString()));
    }

    static ProcessBuilder builder(SandboxWorld world, Path logDir, String... args) {
        ProcessBuilder pb = new ProcessBuilder();
        List<String> cmd = launcher(world.checkout(), jar(world), pb);
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--kubeconfig", world.kubeconfig().toString(), "--context", world.context()));
        pb.command(cmd);
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
            return awaitLine(what, timeout, line, false);
        }

        /** The first such stdout line; when the process ends first, empty if {@code endIsAnAnswer}, else a failure. */
        private String awaitLine(String what, Duration timeout, Predicate<String> line, boolean endIsAnAnswer) {
            try {
                return await(what, timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                    boolean ended = !process.isAlive();
                    Optional<String> found = Files.readAllLines(out).stream().filter(line).findFirst();
                    if (found.isEmpty() && ended && endIsAnAnswer) {
                        return Optional.of("");
                    }
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

    /**
     * The CLI started, not waited for; returned once it is past the cluster's run lock. The end-to-end classes run
     * concurrently on one world, so another test's run may hold the lock (Lease revroll-lock): while it does, this
     * waits, and a start refused with exit 6 is started again ({@link #LOCK_PATIENCE} in all). Returns as soon as the
     * process prints an event that comes after the lock, or ends for another reason. {@link #startOnce} for a test
     * of the refusal itself.
     */
    static Running start(SandboxWorld world, String... args) {
        return start(world, java.util.Map.of(), args);
    }

    /** {@link #start(SandboxWorld, String...)} with these environment variables added. */
    static Running start(SandboxWorld world, java.util.Map<String, String> env, String... args) {
        return pastTheLock(world, args, () -> {
            Running r = startOnce(world, env, args);
            r.awaitLine("revroll past the run lock or ended", Duration.ofMinutes(2), RevrollProcess::pastTheLock, true);
            return r;
        }, r -> (!r.process.isAlive() || r.printed().contains("\"kind\":\"locked\""))
                && refusedForTheLock(r.exitCode(), r.printed(), r.errors()));
    }

    /** The CLI started once with these environment variables added, not waited for (a refusal for the lock included). */
    static Running startOnce(SandboxWorld world, java.util.Map<String, String> env, String... args) {
        try {
            Path dir = Files.createTempDirectory("revroll-kill");
            ProcessBuilder pb = builder(world, dir, args);
            pb.environment().putAll(env);
            return new Running(pb.start(), dir.resolve("out.txt"), dir.resolve("err.txt"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CLI run to its end, started again while another test's run holds the lock (see {@link #start}). */
    static Result run(SandboxWorld world, String... args) {
        return run(world, java.util.Map.of(), args);
    }

    /** {@link #run(SandboxWorld, String...)} with these environment variables added (as a CI job sets them). */
    static Result run(SandboxWorld world, java.util.Map<String, String> env, String... args) {
        return pastTheLock(world, args, () -> runOnce(world, env, args), RevrollProcess::refusedForTheLock);
    }

    /**
     * The CLI run to its end where the moment it starts matters (a maintenance window set from now): each attempt
     * waits for the lock to be free, then {@code attempt} makes the arguments (waits for the clock, writes the plan),
     * then revroll runs; refused for the lock meanwhile, all of it is done again.
     */
    static Result runAtTheMoment(SandboxWorld world, java.util.function.Supplier<String[]> attempt) {
        return pastTheLock(world, new String[] {"run"}, () -> runOnce(world, java.util.Map.of(), attempt.get()), RevrollProcess::refusedForTheLock);
    }

    /**
     * {@code attempt} until it is not refused for the lock, or {@link #LOCK_PATIENCE} is over; before each, waits
     * while another run holds the lock.
     */
    private static <T> T pastTheLock(SandboxWorld world, String[] args, java.util.function.Supplier<T> attempt, Predicate<T> refused) {
        Instant giveUp = Instant.now().plus(LOCK_PATIENCE);
        while (true) {
            awaitLockFree(world, args, giveUp);
            T r = attempt.get();
            if (!refused.test(r) || !Instant.now().isBefore(giveUp)) {
                return r;
            }
            System.err.println("[revroll " + String.join(" ", args) + "] exit 6, another run holds the lock; again once it is free");
        }
    }

    /** The CLI run once to its end, whatever holds the lock: for the tests of the lock's refusal. */
    static Result runOnce(SandboxWorld world, java.util.Map<String, String> env, String... args) {
        try {
            ProcessBuilder pb = builder(world, Files.createTempDirectory("revroll-cli"), args);
            pb.environment().putAll(env);
            return finish(pb, args);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How long a test waits for other tests' runs to let go of the lock (each holds it a minute or two). */
    static final Duration LOCK_PATIENCE = Duration.ofMinutes(10);

    private static boolean refusedForTheLock(Result r) {
        return refusedForTheLock(r.exitCode(), r.out(), r.err());
    }

    private static boolean refusedForTheLock(int exitCode, String out, String err) {
        return exitCode == 6 && (out.contains("\"kind\":\"locked\"") || err.contains("another run holds the lock"));
    }

    /** An event revroll prints only once it holds the lock (or the refusal for it): anything but a preflight warning. */
    private static boolean pastTheLock(String line) {
        return line.startsWith("{\"type\":\"") && !line.startsWith("{\"type\":\"PREFLIGHT_WARNING\"");
    }

    /**
     * Waits while the Lease revroll-lock is held, unexpired, by a run these arguments do not name (a resume or rollback
     * of a killed run takes its own lease over at once). Asking kubectl is much cheaper than starting revroll to be refused.
     */
    private static void awaitLockFree(SandboxWorld world, String[] args, Instant giveUp) {
        if (java.util.Arrays.stream(args).noneMatch(LOCKING::contains)) {
            return;
        }
        Duration left = Duration.between(Instant.now(), giveUp);
        if (left.isNegative() || left.isZero()) {
            return;
        }
        await("the run lock (Lease revroll-lock) free for revroll " + String.join(" ", args), left)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    String[] lease = world.kubectl("get", "lease", "revroll-lock", "-n", world.controlPlaneNamespace(), "--ignore-not-found",
                            "-o", "jsonpath={.spec.holderIdentity}|{.spec.renewTime}|{.spec.leaseDurationSeconds}").trim().split("\\|", -1);
                    if (lease.length < 3 || lease[0].isBlank() || List.of(args).contains(lease[0])) {
                        return true;
                    }
                    try {
                        return Instant.parse(lease[1]).plusSeconds(Long.parseLong(lease[2])).isBefore(Instant.now());
                    } catch (RuntimeException e) {
                        return true; // not a lease revroll wrote: let revroll itself say what it makes of it
                    }
                });
    }

    /** The commands that take the run lock. */
    private static final java.util.Set<String> LOCKING = java.util.Set.of("run", "resume", "rollback", "reconcile");

    /**
     * The CLI with another identity than the world's admin: exactly {@code args} (which name their own
     * {@code --kubeconfig}), with {@code env} added to the environment.
     */
    static Result runWith(SandboxWorld world, java.util.Map<String, String> env, List<String> args) {
        return pastTheLock(world, args.toArray(String[]::new), () -> runWithOnce(world, env, args), RevrollProcess::refusedForTheLock);
    }

    private static Result runWithOnce(SandboxWorld world, java.util.Map<String, String> env, List<String> args) {
        try {
            Path dir = Files.createTempDirectory("revroll-cli");
            ProcessBuilder pb = new ProcessBuilder();
            List<String> cmd = launcher(world.checkout(), jar(world), pb);
            cmd.addAll(args);
            pb.command(cmd);
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
        List<String> cmd = new ArrayList<>(List.of(Path.of("bin/revroll").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        java.util.Map<String, String> withJar = new java.util.HashMap<>(env);
        withJar.put("REVROLL_JAR", jar.toString());
        return runProgram(cmd, withJar);
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
