package dev.revroll.ports;

import java.util.List;
import java.util.Optional;

/**
 * Where run journals are kept: in the cluster (a ConfigMap per run, so anyone with access can see a run), or in
 * memory for tests. The engine owns the document format; the store keeps text. Writes are compare-and-swap on
 * {@code version} so a killed or concurrent writer never loses a record.
 */
public interface JournalStore {

    record Entry(String runId, String planName, String document, String version) {
    }

    /** Creates or replaces a run's document; {@code expectedVersion} empty creates. Returns the new version. */
    String write(String runId, String planName, String document, Optional<String> expectedVersion);

    Optional<Entry> read(String runId);

    /** All runs, newest first (optionally of one plan). */
    List<Entry> list(Optional<String> planName);
}
