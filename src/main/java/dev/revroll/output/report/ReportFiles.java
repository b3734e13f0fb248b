package dev.revroll.output.report;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.errors.UsageException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes the reports a command was asked for ({@code --report-junit/-markdown/-json/-html FILE}), all from one
 * {@link ReportModel} of the run's record. Each file is written whole to a temporary file beside it and renamed over
 * the target, so a process killed at any point leaves the old file or the new one, never half a report. The Markdown
 * report is also appended to GitHub's step summary file ({@code $GITHUB_STEP_SUMMARY}) when that is set.
 */
public final class ReportFiles {

    /** The formats, each with its renderer. */
    public enum Format {
        JUNIT("--report-junit", JunitReport::render),
        MARKDOWN("--report-markdown", MarkdownReport::render),
        JSON("--report-json", JsonReport::render),
        HTML("--report-html", HtmlReport::render);

        private final String option;
        private final Function<ReportModel, String> renderer;

        Format(String option, Function<ReportModel, String> renderer) {
            this.option = option;
            this.renderer = renderer;
        }

        public String option() {
            return option;
        }

        public String render(ReportModel model) {
            return renderer.apply(model);
        }
    }

    private final Map<Format, Path> targets;
    private final Optional<Path> stepSummary;

    /** {@code stepSummary}: GitHub's step summary file, when the environment names one. */
    public ReportFiles(Map<Format, Path> targets, Optional<Path> stepSummary) {
        this.targets = new LinkedHashMap<>(targets);
        this.stepSummary = stepSummary;
    }

    public boolean any() {
        return !targets.isEmpty();
    }

    /**
     * Refuses, before anything is done, a report path that cannot be written: its directory missing, the path a
     * directory, or two formats sent to one file.
     */
    public void check() {
        List<String> problems = new ArrayList<>();
        Map<Path, Format> seen = new LinkedHashMap<>();
        targets.forEach((format, path) -> {
            Path abs = path.toAbsolutePath().normalize();
            Format other = seen.putIfAbsent(abs, format);
            if (other != null) {
                problems.add(format.option() + " " + path + ": the same file as " + other.option());
            } else if (Files.isDirectory(abs)) {
                problems.add(format.option() + " " + path + ": is a directory; give a file name");
            } else if (abs.getParent() != null && !Files.isDirectory(abs.getParent())) {
                problems.add(format.option() + " " + path + ": directory " + abs.getParent() + " does not exist; create it first");
            } else if (abs.getParent() != null && !Files.isWritable(abs.getParent())) {
                problems.add(format.option() + " " + path + ": directory " + abs.getParent() + " is not writable");
            }
        });
        if (!problems.isEmpty()) {
            throw new UsageException("cannot write the reports: " + String.join("; ", problems));
        }
    }

    /** Writes every report of {@code record}; returns the problems (a report that could not be written), if any. */
    public List<String> write(RunRecord record) {
        List<String> problems = new ArrayList<>();
        if (targets.isEmpty()) {
            return problems;
        }
        ReportModel model = ReportModel.of(record);
        targets.forEach((format, path) -> {
            try {
                String text = format.render(model);
                writeAtomically(path, text);
                if (format == Format.MARKDOWN && stepSummary.isPresent()) {
                    appendTo(stepSummary.get(), text);
                }
            } catch (IOException | RuntimeException e) {
                problems.add("cannot write " + format.option() + " " + path + ": " + e);
            }
        });
        return problems;
    }

    /** {@code text} into {@code target}: whole in a temporary file beside it, flushed to disk, then renamed over it. */
    public static void writeAtomically(Path target, String text) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(text));
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** GitHub's step summary is appended to, never overwritten (other steps of the job write there too). */
    private static void appendTo(Path summary, String text) throws IOException {
        Files.writeString(summary, text.endsWith("\n\n") ? text : text + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }
}
