package dev.revroll.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code revroll completion bash|zsh}: the script printed by the real main class (in a JVM of its own, which must not
 * start Micronaut), loaded into a real bash and a real zsh, offers subcommands, options, option values and files.
 */
class CompletionTest {

    @TempDir
    static Path dir;

    static String script;
    static List<String> loadedClasses;

    @BeforeAll
    static void printScriptFromMain() throws IOException, InterruptedException {
        Path classLog = dir.resolve("classes.log");
        ProcessResult r = run(dir, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + classLog, "-cp", System.getProperty("java.class.path"),
                Revroll.class.getName(), "completion", "bash"));
        assertEquals(0, r.code(), r.err());
        script = r.out();
        loadedClasses = Files.readAllLines(classLog);
        Files.writeString(dir.resolve("revroll-completion"), script);
        Files.createDirectories(dir.resolve("work"));
        Files.writeString(dir.resolve("work/plan.yaml"), "");
        Files.writeString(dir.resolve("work/plain.txt"), "");
    }

    @Test
    void completionRunsWithoutMicronaut() {
        assertTrue(script.contains("complete -F _complete_revroll -o default revroll"), script);
        assertFalse(loadedClasses.stream().anyMatch(l -> l.contains("io.micronaut.context.DefaultApplicationContext ")),
                "no application context was started");
        assertTrue(loadedClasses.stream().anyMatch(l -> l.contains("picocli.AutoComplete ")), "the class log is the run's");
    }

    @Test
    void bashCompletesSubcommandsOptionsValuesAndPlanFiles() throws IOException, InterruptedException {
        assertEquals(List.of("preview"), bash("revroll", "pre"));
        assertEquals(List.of("reconcile", "resume", "rollback", "run"), sorted(bash("revroll", "r")));
        assertEquals(List.of("--kubeconfig"), bash("revroll", "preview", "--kube"));
        assertEquals(List.of("--report-html", "--report-json", "--report-junit", "--report-markdown"), sorted(bash("revroll", "run", "--report-")));
        assertEquals(List.of("json", "markdown", "text"), sorted(bash("revroll", "status", "-o", "")));
        assertEquals(List.of("plain.txt", "plan.yaml"), sorted(bash("revroll", "preview", "pla")), "PLAN completes as a file");
        assertEquals(List.of("plan.yaml"), bash("revroll", "validate", "--verbose", "plan."));
        assertEquals(List.of("bash", "zsh"), sorted(bash("revroll", "completion", "")));
    }

    /**
     * zsh runs the same script through its bashcompinit. zsh's {@code compadd} exists only inside a completion widget
     * (a key press), so a function stands in for it and prints what zsh was given to offer; zsh itself then narrows
     * that to the typed prefix, so the check is that the candidates are there.
     */
    @Test
    void zshCompletesThroughBashcompinit() throws IOException, InterruptedException {
        assumeTrue(onPath("zsh"), "zsh is not installed (k3s-tests/prereqs.sh installs it)");
        assertEquals(script, revroll("completion", "zsh").out());
        assertTrue(zsh("revroll", "pre").contains("preview"));
        assertTrue(zsh("revroll", "preview", "--kube").contains("--kubeconfig"));
        assertTrue(zsh("revroll", "status", "-o", "").containsAll(List.of("text", "json", "markdown")));
        assertTrue(zsh("revroll", "preview", "pla").containsAll(List.of("plan.yaml", "plain.txt")));
    }

    @Test
    void anUnknownShellIsAUsageError() {
        ProcessResult r = revroll("completion", "fish");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected one of [bash, zsh]"), r.err());
        assertEquals("", r.out());
    }

    private static List<String> bash(String... words) throws IOException, InterruptedException {
        String cmd = "source " + dir.resolve("revroll-completion") + "\n"
                + "COMP_WORDS=(" + quoted(words) + "); COMP_CWORD=" + (words.length - 1) + "\n"
                + "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_revroll; printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        return lines(run(dir.resolve("work"), List.of("bash", "--norc", "--noprofile", "-c", cmd)));
    }

    private static List<String> zsh(String... words) throws IOException, InterruptedException {
        String cmd = "source " + dir.resolve("revroll-completion") + "\n"
                + "compadd() { while (( $# )); do case $1 in -a) shift; print -l -- \"${(@P)1}\";; -) shift; print -l -- \"$@\"; return 0;; esac; shift; done }\n"
                + "compset() { return 1 }\n"
                + "words=(" + quoted(words) + "); CURRENT=" + words.length + "\n"
                + "[[ $_comps[revroll] == '_bash_complete -F _complete_revroll -o default' ]] || { print -u2 \"not registered: $_comps[revroll]\"; exit 1 }\n"
                + "_bash_complete -F _complete_revroll -o default\n";
        return lines(run(dir.resolve("work"), List.of("zsh", "-f", "-c", cmd)));
    }

    private static String quoted(String... words) {
        return String.join(" ", java.util.Arrays.stream(words).map(w -> "'" + w + "'").toList());
    }

    private static List<String> lines(ProcessResult r) {
        assertEquals(0, r.code(), r.err());
        return r.out().lines().filter(l -> !l.isEmpty()).toList();
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    private static boolean onPath(String program) {
        return java.util.Arrays.stream(System.getenv("PATH").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    record ProcessResult(int code, String out, String err) {
    }

    private static ProcessResult revroll(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Revroll.commandLine(CommandLine.defaultFactory());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return new ProcessResult(cmd.execute(args), out.toString(), err.toString());
    }

    private static ProcessResult run(Path cwd, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(cwd.toFile());
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + command);
        return new ProcessResult(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
