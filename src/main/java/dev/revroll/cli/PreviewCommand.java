package dev.revroll.cli;

import dev.revroll.engine.BacktestRequest;
import dev.revroll.engine.Preview;
import dev.revroll.engine.RolloutEngine;
import dev.revroll.errors.UsageException;
import dev.revroll.plan.DurationText;
import dev.revroll.output.PreviewReport;
import dev.revroll.plan.Plan;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code revroll preview PLAN}: resolve the plan against the live cluster and show what a run would do; writes nothing. */
@Prototype
@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Show what 'run' would do against the live cluster (every write checked with server-side dry run); writes nothing. "
                + "Exits 3 when a run would be refused. With --backtest, also replays every metric gate over Prometheus history "
                + "(exits 7 when Prometheus cannot be queried).")
public class PreviewCommand extends RevrollCommand {

    public PreviewCommand() {
        super(ExitCode.DONE, ExitCode.INVALID, ExitCode.PREFLIGHT_REFUSED, ExitCode.UNAVAILABLE, ExitCode.INTERNAL_ERROR);
    }

    @Mixin
    PlanArgument plan;

    @Option(names = "--backtest", paramLabel = "LENGTH",
            description = "Also replay every metric gate over this much Prometheus history (e.g. 7d, 36h, 1d12h) for every namespace "
                    + "the plan would move: how often a step started then would have passed, failed, found no data (docs/backtest.md).")
    String backtest;

    @Option(names = "--at-window", description = "With --backtest: start simulated steps only where the plan's maintenance window lets a step start.")
    boolean atWindow;

    @Option(names = "--backtest-until", paramLabel = "TIME",
            description = "With --backtest: the history ends at this time (e.g. 2026-12-01T06:00:00Z) instead of now.")
    String until;

    @Option(names = "--report-html", paramLabel = "FILE",
            description = "With --backtest: also write the backtest as one self-contained HTML page, each gate's history drawn against its threshold.")
    java.nio.file.Path html;

    @Override
    CommandResult execute() {
        Optional<Backtesting> backtesting = backtesting(backtest, atWindow, until, Instant.now());
        if (html != null) {
            if (backtesting.isEmpty()) {
                throw new UsageException("preview's --report-html draws a backtest; it goes with --backtest LENGTH (e.g. --backtest 7d)");
            }
            java.nio.file.Path dir = html.toAbsolutePath().getParent();
            if (dir == null || !java.nio.file.Files.isDirectory(dir) || !java.nio.file.Files.isWritable(dir)) {
                throw new UsageException("--report-html " + html + ": " + dir + " is not a directory revroll can write to");
            }
        }
        CommandResult result = preview(spec, global, plan.load(), backtesting, Optional.ofNullable(html));
        return result;
    }

    static CommandResult preview(CommandSpec spec, GlobalOptions global, Plan plan) {
        return preview(spec, global, plan, Optional.empty(), Optional.empty());
    }

    /** What the backtest options ask for, checked before anything is read. */
    record Backtesting(Duration length, Instant until, boolean atWindow) {
    }

    static Optional<Backtesting> backtesting(String length, boolean atWindow, String until, Instant now) {
        if (length == null) {
            if (atWindow || until != null) {
                throw new UsageException((atWindow ? "--at-window" : "--backtest-until") + " only goes with --backtest LENGTH (e.g. --backtest 7d)");
            }
            return Optional.empty();
        }
        Duration d = backtestLength(length);
        Instant end = now;
        if (until != null) {
            try {
                end = java.time.OffsetDateTime.parse(until.strip()).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new UsageException("--backtest-until '" + until + "' is not a time; write one with an offset, e.g. 2026-12-01T06:00:00Z");
            }
            if (end.isAfter(now)) {
                throw new UsageException("--backtest-until " + until + " is in the future; history ends now at the latest");
            }
        }
        return Optional.of(new Backtesting(d, end, atWindow));
    }

    /** Most history a backtest replays (Prometheus seldom keeps more; a typo such as 700d is caught here). */
    static final Duration MAX_BACKTEST = Duration.ofDays(90);

    /** {@code 7d}, {@code 36h}, {@code 1d12h}, {@code 90m}: days, then what plan durations allow (ms, s, m, h). */
    static Duration backtestLength(String text) {
        String t = text.strip();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,4})d(.*)").matcher(t);
        Duration d;
        try {
            if (m.matches()) {
                d = Duration.ofDays(Long.parseLong(m.group(1))).plus(m.group(2).isEmpty() ? Duration.ZERO : DurationText.parse(m.group(2)));
            } else {
                d = DurationText.parse(t);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--backtest '" + text + "' is not a length of history; write days and/or " + DurationText.VALID
                    + ", e.g. 7d, 36h, 1d12h");
        }
        if (d.isZero() || d.isNegative()) {
            throw new UsageException("--backtest " + text + " is no history at all; give a length such as 7d");
        }
        if (d.compareTo(MAX_BACKTEST) > 0) {
            throw new UsageException("--backtest " + text + " is more than " + MAX_BACKTEST.toDays() + "d of history; give a shorter length");
        }
        return d;
    }

    static CommandResult preview(CommandSpec spec, GlobalOptions global, Plan plan, Optional<Backtesting> backtesting, Optional<java.nio.file.Path> html) {
        backtesting.ifPresent(b -> RolloutEngine.checkBacktest(plan, b.atWindow(), b.length()));
        try (EngineWiring wiring = new EngineWiring(global)) {
            RolloutEngine engine = wiring.engine(plan);
            Optional<BacktestRequest> request = backtesting.map(b -> new BacktestRequest(
                    wiring.history().orElseThrow(() -> new UsageException("--backtest needs spec.prometheus.url (the history is Prometheus')")),
                    b.length(), b.until(), b.atWindow()));
            Preview preview = engine.preview(plan, request);
            if (html.isPresent() && preview.backtest().isPresent()) {
                try {
                    dev.revroll.output.report.ReportFiles.writeAtomically(html.get(), dev.revroll.output.report.BacktestHtml.render(preview.backtest().get()));
                } catch (java.io.IOException e) {
                    spec.commandLine().getErr().println("revroll: the backtest's HTML report " + html.get() + " could not be written: " + e.getMessage());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            switch (global.output()) {
                case JSON -> PreviewReport.json(preview, out);
                case MARKDOWN -> PreviewReport.markdown(preview, out);
                case TEXT -> PreviewReport.text(preview, out);
            }
            return preview.survey().refusals().isEmpty() ? CommandResult.DONE : CommandResult.REFUSED;
        }
    }
}
