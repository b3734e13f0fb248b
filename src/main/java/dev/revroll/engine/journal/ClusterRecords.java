package dev.revroll.engine.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.revroll.engine.journal.RunRecord.SavedStrategy;
import dev.revroll.errors.RecordException;
import dev.revroll.json.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one codec for everything revroll writes into the cluster: the run journal (a ConfigMap per run) and the
 * {@code revroll.dev/*} annotations that let an undo be exact even without the journal
 * (docs/istio-injection.md#what-revroll-records-on-objects). Each is written and read here, and nowhere else; a
 * record that does not read back is a {@link RecordException} naming the object.
 */
public final class ClusterRecords {

    /** Namespace: the injection labels before revroll relabelled it, {@code {"istio.io/rev":"1-27-0","istio-injection":null}}. */
    public static final String PREVIOUS_LABELS = "revroll.dev/previous-labels";
    /** Workload: its rolling-update values before revroll enforced make-before-break. */
    public static final String SAVED_ROLLING_UPDATE = "revroll.dev/saved-rolling-update";
    /** Namespace: a step undone in the cluster without Git ({@code rollback --break-glass}); {@code reconcile} clears it. */
    public static final String BREAK_GLASS = "revroll.dev/break-glass";

    /** {@code rollback --break-glass} left Git behind: the run, the step and the step's commit Git still holds. */
    public record BreakGlassMark(String run, String step, String commit, String at) {
    }

    private ClusterRecords() {
    }

    // ---- the journal

    public static String journal(RunRecord record) {
        return Json.pretty(record);
    }

    public static RunRecord journal(String document) {
        try {
            return Json.read(document, RunRecord.class);
        } catch (JsonProcessingException e) {
            throw new RecordException("the run journal cannot be read: " + e.getOriginalMessage());
        }
    }

    // ---- annotations

    public static String labels(Map<String, String> labels) {
        return Json.compact(labels);
    }

    /** The {@value #PREVIOUS_LABELS} annotation of namespace {@code namespace}. */
    public static Map<String, String> labels(String namespace, String json) {
        try {
            Map<String, String> labels = Json.read(json, new TypeReference<LinkedHashMap<String, String>>() { });
            if (labels == null) {
                throw new IllegalArgumentException("null");
            }
            return labels;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new RecordException("namespace " + namespace + ": annotation " + PREVIOUS_LABELS + " is not a JSON object: " + json);
        }
    }

    public static String savedStrategy(SavedStrategy saved) {
        return Json.compact(saved);
    }

    public static String breakGlass(BreakGlassMark mark) {
        return Json.compact(mark);
    }

    /** Reads the {@value #BREAK_GLASS} annotation; a value that is not the agreed object is reported with the namespace's name. */
    public static BreakGlassMark breakGlass(String namespace, String json) {
        try {
            Map<String, Object> o = Json.read(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (o == null) {
                throw new IllegalArgumentException("not a JSON object");
            }
            String run = text(o, "run");
            String step = text(o, "step");
            String commit = text(o, "commit");
            if (run == null || step == null || commit == null) {
                throw new IllegalArgumentException("run, step and commit are required");
            }
            String at = text(o, "at");
            return new BreakGlassMark(run, step, commit, at == null ? "" : at);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new RecordException("namespace " + namespace + ": annotation " + BREAK_GLASS
                    + " is not {\"run\",\"step\",\"commit\",\"at\"} JSON (" + why + "): " + json);
        }
    }

    private static String text(Map<String, Object> o, String key) {
        Object v = o.get(key);
        return v == null ? null : v instanceof String s ? s : Json.compact(v);
    }
}
