package dev.revroll.cli;

import dev.revroll.errors.UsageException;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code preview --backtest}'s options: what is accepted, and every bad input refused with its code before anything is read. */
@MicronautTest(application = Revroll.class, environments = Environment.CLI, startApplication = false)
class PreviewBacktestOptionsTest {

    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @Inject
    ApplicationContext context;

    record Result(int exitCode, String out, String err) {
    }

    private Result revroll(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Revroll.commandLine(context);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void lengthsOfHistory() {
        assertEquals(Duration.ofDays(7), PreviewCommand.backtestLength("7d"));
        assertEquals(Duration.ofHours(36), PreviewCommand.backtestLength("1d12h"));
        assertEquals(Duration.ofHours(36), PreviewCommand.backtestLength("36h"));
        assertEquals(Duration.ofMinutes(90), PreviewCommand.backtestLength("1h30m"));
        assertEquals("--backtest '7x' is not a length of history; write days and/or numbers with units ms, s, m, h, such as 500ms, 30s, 2m, 1h30m, e.g. 7d, 36h, 1d12h",
                assertThrows(UsageException.class, () -> PreviewCommand.backtestLength("7x")).getMessage());
        assertEquals("--backtest 0d is no history at all; give a length such as 7d",
                assertThrows(UsageException.class, () -> PreviewCommand.backtestLength("0d")).getMessage());
        assertEquals("--backtest 91d is more than 90d of history; give a shorter length",
                assertThrows(UsageException.class, () -> PreviewCommand.backtestLength("91d")).getMessage());
    }

    @Test
    void untilAndAtWindowGoWithBacktest() {
        PreviewCommand.Backtesting b = PreviewCommand.backtesting("7d", true, "2026-12-01T06:00:00+01:00", NOW).orElseThrow();
        assertEquals(Instant.parse("2026-12-01T05:00:00Z"), b.until());
        assertEquals(NOW, PreviewCommand.backtesting("7d", false, null, NOW).orElseThrow().until());
        assertTrue(PreviewCommand.backtesting(null, false, null, NOW).isEmpty());
        assertEquals("--at-window only goes with --backtest LENGTH (e.g. --backtest 7d)",
                assertThrows(UsageException.class, () -> PreviewCommand.backtesting(null, true, null, NOW)).getMessage());
        assertEquals("--backtest-until 2026-12-03T00:00:00Z is in the future; history ends now at the latest",
                assertThrows(UsageException.class, () -> PreviewCommand.backtesting("1d", false, "2026-12-03T00:00:00Z", NOW)).getMessage());
        assertEquals("--backtest-until 'yesterday' is not a time; write one with an offset, e.g. 2026-12-01T06:00:00Z",
                assertThrows(UsageException.class, () -> PreviewCommand.backtesting("1d", false, "yesterday", NOW)).getMessage());
    }

    @Test
    void badInputExitsWithItsCodeAndAClearMessage(@TempDir Path dir) throws IOException {
        Result bad = revroll("preview", "--backtest", "7x", "plans/mesh-1-24.yaml");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--backtest '7x' is not a length of history"), bad.err());
        assertTrue(!bad.err().contains("Exception") && !bad.err().contains("\tat "), bad.err());

        Result htmlAlone = revroll("preview", "--report-html", dir.resolve("b.html").toString(), "plans/mesh-1-24.yaml");
        assertEquals(2, htmlAlone.exitCode());
        assertTrue(htmlAlone.err().contains("preview's --report-html draws a backtest; it goes with --backtest LENGTH"), htmlAlone.err());
        Result htmlNowhere = revroll("preview", "--backtest", "1d", "--report-html", "/nonexistent/dir/b.html", "plans/mesh-1-24.yaml");
        assertEquals(2, htmlNowhere.exitCode());
        assertTrue(htmlNowhere.err().contains("--report-html /nonexistent/dir/b.html: /nonexistent/dir is not a directory revroll can write to"), htmlNowhere.err());

        Result noGates = revroll("preview", "--backtest", "7d", "plans/no-gates.yaml");
        assertEquals(2, noGates.exitCode());
        assertTrue(noGates.err().contains("--backtest replays the plan's metric gates, and plans/no-gates.yaml has none (spec.gates.metrics); nothing was read or written"),
                noGates.err());

        // Prometheus that does not answer: exit 7, before the cluster (an API server that is not there either) is read
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """);
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: offline
                spec:
                  revision:
                    to: 1-28-0
                  waves:
                    - name: all
                      namespaces: [demo]
                  gates:
                    metrics:
                      - name: error-rate
                        query: errors{ns="{{namespace}}"}
                        failWhen: "> 0.01"
                  prometheus:
                    url: http://127.0.0.1:9
                    timeout: 200ms
                """);
        Result down = revroll("preview", "--kubeconfig", kubeconfig.toString(), "--backtest", "1d", plan.toString());
        assertEquals(7, down.exitCode(), down.err());
        assertTrue(down.err().contains("--backtest needs the history in Prometheus at http://127.0.0.1:9, which cannot be queried: "), down.err());
        assertTrue(down.err().contains("nothing was read from the cluster or written"), down.err());
    }
}
