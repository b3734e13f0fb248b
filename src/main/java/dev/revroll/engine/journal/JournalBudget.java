package dev.revroll.engine.journal;

import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.gates.GateOutcome;
import dev.revroll.engine.journal.RunRecord.OmittedEvaluations;
import dev.revroll.engine.journal.RunRecord.StepRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

/**
 * How big a run document may grow. The cluster store keeps the document gzip-compressed in one ConfigMap, which holds
 * at most 1 MiB; the engine keeps the compressed document under {@link #LIMIT_BYTES} (900 KiB, leaving room for the
 * object's metadata). A document over the limit is shrunk deterministically, never failing the run for size, in stages
 * applied to every step until the document fits:
 * <ol>
 *     <li>per step and gate, the passing evaluations between the first and the last PASS are omitted;</li>
 *     <li>per step, gate and outcome, the evaluations between the first and the last of that outcome are omitted.</li>
 * </ol>
 * Every omission is counted in the step ({@link StepRecord#omitted()}: gate, outcome, how many, first and last instant)
 * and the run says why ({@link RunRecord#compaction()}). Steps, actions, failures and every FAIL, INCONCLUSIVE and NO_DATA
 * evaluation are kept by the first stage; the second only runs when the first was not enough.
 */
public final class JournalBudget {

    public static final int LIMIT_BYTES = 900 * 1024;
    public static final JournalBudget STANDARD = new JournalBudget(LIMIT_BYTES);

    /** gzip's header, trailer and stored-block overhead never exceed this for documents of a few MiB. */
    private static final int GZIP_OVERHEAD = 1024;

    private final int limitBytes;

    public JournalBudget(int limitBytes) {
        this.limitBytes = limitBytes;
    }

    public int limitBytes() {
        return limitBytes;
    }

    /**
     * The document to store for {@code record}: rendered as is when its compressed form fits the limit, otherwise after
     * shrinking {@code record} in place (the omissions are then part of the record, so later writes keep them).
     */
    public String fit(RunRecord record, Function<RunRecord, String> render) {
        String document = render.apply(record);
        if (fits(document)) {
            return document;
        }
        for (Stage stage : Stage.values()) {
            int omitted = 0;
            for (StepRecord step : record.steps()) {
                omitted += stage.shrink(step);
            }
            if (omitted > 0) {
                record.compaction = compactionNote(record);
                document = render.apply(record);
                if (fits(document)) {
                    return document;
                }
            }
        }
        return document;
    }

    public boolean fits(String document) {
        byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        return bytes.length + GZIP_OVERHEAD <= limitBytes || compressedSize(bytes) <= limitBytes;
    }

    /** The size of {@code bytes} gzip-compressed at the default level (how the cluster store keeps a document). */
    public static long compressedSize(byte[] bytes) {
        CountingSink sink = new CountingSink();
        try (GZIPOutputStream gzip = new GZIPOutputStream(sink, 64 * 1024)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sink.count;
    }

    private String compactionNote(RunRecord record) {
        Map<GateOutcome, Integer> byOutcome = new LinkedHashMap<>();
        for (StepRecord s : record.steps()) {
            for (OmittedEvaluations o : s.omitted) {
                byOutcome.merge(o.outcome, o.count, Integer::sum);
            }
        }
        List<String> parts = new ArrayList<>();
        Integer passing = byOutcome.remove(GateOutcome.PASS);
        if (passing != null) {
            parts.add(passing + " passing evaluation" + (passing == 1 ? "" : "s") + " omitted");
        }
        byOutcome.forEach((outcome, n) -> parts.add(n + " " + outcome + " evaluation" + (n == 1 ? "" : "s") + " omitted"));
        return "gate evaluations were shrunk to keep the journal under " + (limitBytes / 1024) + " KiB compressed (a ConfigMap holds 1 MiB): "
                + String.join(", ", parts) + "; each step counts its omissions, and keeps the first and last evaluation of each kind";
    }

    private enum Stage {
        /** Keep every non-passing evaluation and the first and last PASS of each gate. */
        PASSING {
            @Override
            boolean keepsAll(GateRecord g) {
                return g.outcome() != GateOutcome.PASS;
            }
        },
        /** Keep the first and last evaluation of each gate and outcome. */
        EVERY_OUTCOME {
            @Override
            boolean keepsAll(GateRecord g) {
                return false;
            }
        };

        abstract boolean keepsAll(GateRecord g);

        /** Shrinks one step's gate evaluations; returns how many were omitted. */
        int shrink(StepRecord step) {
            Map<String, Integer> last = new LinkedHashMap<>();
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (int i = 0; i < step.gates.size(); i++) {
                GateRecord g = step.gates.get(i);
                if (!keepsAll(g)) {
                    last.put(key(g), i);
                }
            }
            List<GateRecord> kept = new ArrayList<>();
            int omitted = 0;
            for (int i = 0; i < step.gates.size(); i++) {
                GateRecord g = step.gates.get(i);
                String key = key(g);
                boolean first = seen.merge(key, 1, Integer::sum) == 1;
                if (keepsAll(g) || first || last.get(key) == i) {
                    kept.add(g);
                } else {
                    omit(step, g);
                    omitted++;
                }
            }
            if (omitted > 0) {
                // a new list: a reader iterating the old one (outside the journal's lock) is not disturbed
                step.gates = kept;
            }
            return omitted;
        }

        private static String key(GateRecord g) {
            return g.gate() + "\u0000" + g.outcome();
        }

        private static void omit(StepRecord step, GateRecord g) {
            OmittedEvaluations o = step.omitted.stream()
                    .filter(x -> Objects.equals(x.gate, g.gate()) && x.outcome == g.outcome()).findFirst()
                    .orElseGet(() -> {
                        OmittedEvaluations n = new OmittedEvaluations();
                        n.gate = g.gate();
                        n.outcome = g.outcome();
                        step.omitted.add(n);
                        return n;
                    });
            o.count++;
            o.from = earliest(o.from, g.at());
            o.to = latest(o.to, g.at());
        }

        private static String earliest(String a, String b) {
            return a == null ? b : b == null ? a : INSTANTS.compare(a, b) <= 0 ? a : b;
        }

        private static String latest(String a, String b) {
            return a == null ? b : b == null ? a : INSTANTS.compare(a, b) >= 0 ? a : b;
        }
    }

    private static final Comparator<String> INSTANTS = Comparator.comparing(JournalBudget::instant).thenComparing(Comparator.naturalOrder());

    private static Instant instant(String at) {
        try {
            return Instant.parse(at);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
