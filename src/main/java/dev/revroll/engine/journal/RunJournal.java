package dev.revroll.engine.journal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.revroll.errors.RecordException;
import dev.revroll.errors.UsageException;
import dev.revroll.ports.JournalStore;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One run's journal: the {@link RunRecord} in memory plus its stored version. Every change goes through
 * {@link #update}, which applies it and writes the whole document with compare-and-swap; calls are serialized so
 * parallel steps never lose each other's records. A document that would outgrow the store is shrunk first
 * ({@link JournalBudget}): a long run never fails for the size of its journal.
 */
public final class RunJournal {

    public static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.INDENT_OUTPUT, true);

    private final JournalStore store;
    private final JournalBudget budget = JournalBudget.STANDARD;
    private final Clock clock;
    private final RunRecord record;
    private Optional<String> version;

    private RunJournal(JournalStore store, Clock clock, RunRecord record, Optional<String> version) {
        this.store = store;
        this.clock = clock;
        this.record = record;
        this.version = version;
    }

    /** Creates a new run document in the store. */
    public static RunJournal create(JournalStore store, Clock clock, RunRecord record) {
        RunJournal journal = new RunJournal(store, clock, record, Optional.empty());
        journal.update(r -> r.startedAt = clock.instant().toString());
        return journal;
    }

    /** Opens a stored run (resume, rollback, status). */
    public static RunJournal open(JournalStore store, Clock clock, String runId) {
        JournalStore.Entry entry = store.read(runId).orElseThrow(() -> new UsageException(
                "no run '" + runId + "' in the journal; 'revroll status' lists the runs"));
        return new RunJournal(store, clock, parse(entry.document()), Optional.of(entry.version()));
    }

    public static RunRecord parse(String document) {
        try {
            return JSON.readValue(document, RunRecord.class);
        } catch (JsonProcessingException e) {
            throw new RecordException("the run journal cannot be read: " + e.getOriginalMessage());
        }
    }

    public static String render(RunRecord record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Applies {@code change} and writes the document (compare-and-swap on the stored version). */
    public synchronized void update(Consumer<RunRecord> change) {
        change.accept(record);
        record.updatedAt = clock.instant().toString();
        version = Optional.of(store.write(record.runId, record.planName, budget.fit(record, RunJournal::render), version));
    }

    /** Reads under the journal's lock (parallel steps). */
    public synchronized <T> T read(java.util.function.Function<RunRecord, T> view) {
        return view.apply(record);
    }

    public RunRecord record() {
        return record;
    }

    public String now() {
        return clock.instant().toString();
    }
}
