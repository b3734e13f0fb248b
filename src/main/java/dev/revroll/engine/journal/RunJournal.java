package dev.revroll.engine.journal;

import dev.revroll.errors.UsageException;
import dev.revroll.ports.JournalStore;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One run's journal: the {@link RunRecord} in memory plus its stored version. Every change goes through
 * {@link #update}, which applies it and writes the whole document with compare-and-swap; calls are serialized so
 * parallel steps never lose each other's records. A document that would outgrow the store is shrunk first
 * ({@link JournalBudget}): a long run never fails for the size of its journal.
 */
public final class RunJournal {

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
        journal.update(r -> r.started(clock.instant().toString()));
        return journal;
    }

    /** A journal kept in memory only (no store, nothing rendered): what preview runs the steps' actions against. */
    public static RunJournal scratch(Clock clock, RunRecord record) {
        return new RunJournal(null, clock, record, Optional.empty());
    }

    /** Opens a stored run (resume, rollback, status). */
    public static RunJournal open(JournalStore store, Clock clock, String runId) {
        JournalStore.Entry entry = store.read(runId).orElseThrow(() -> new UsageException(
                "no run '" + runId + "' in the journal; 'revroll status' lists the runs"));
        return new RunJournal(store, clock, ClusterRecords.journal(entry.document()), Optional.of(entry.version()));
    }

    /** Applies {@code change} and writes the document (compare-and-swap on the stored version). */
    public synchronized void update(Consumer<RunRecord> change) {
        change.accept(record);
        if (store != null) {
            record.touched(clock.instant().toString());
            version = Optional.of(store.write(record.runId(), record.planName(), budget.fit(record, ClusterRecords::journal), version));
        }
    }

    /**
     * Applies {@code change} now and writes it with the next {@link #update} (one write instead of two). For what
     * needs no write of its own because another follows at once: an action's completion is written with the next
     * action's intent (or the step's end), so the intent is still journaled before its action runs, and a run killed
     * in between only re-checks the completed action on resume, as it would had it been killed during that action.
     */
    public synchronized void updateWithNext(Consumer<RunRecord> change) {
        change.accept(record);
    }

    /** Reads under the journal's lock (parallel steps). */
    public synchronized <T> T read(Function<RunRecord, T> view) {
        return view.apply(record);
    }

    public RunRecord record() {
        return record;
    }

    public String now() {
        return clock.instant().toString();
    }
}
