package dev.revroll.git;

import com.fasterxml.jackson.databind.JsonNode;
import dev.revroll.json.Json;
import dev.revroll.ports.GitOpsRepository;

import java.util.Optional;

/**
 * The namespace annotation {@code revroll.dev/break-glass} written by {@code revroll rollback --break-glass} when a
 * step was undone in the cluster without Git: {@code {"run":..,"step":..,"commit":"<step commit id>","at":..}}.
 * Until {@code revroll reconcile} writes the missing revert, Git says the namespace is on the new revision while
 * the cluster is back on the old one.
 */
public record BreakGlassMark(String run, String step, String commit, String at) {

    public static final String ANNOTATION = GitOpsRepository.BREAK_GLASS_ANNOTATION;

    /** Reads the annotation's JSON; a value that is not the agreed object is reported with the namespace's name. */
    public static BreakGlassMark parse(String namespace, String json) {
        try {
            JsonNode o = Json.tree(json);
            if (!o.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            String run = text(o, "run");
            String step = text(o, "step");
            String commit = text(o, "commit");
            if (run == null || step == null || commit == null) {
                throw new IllegalArgumentException("run, step and commit are required");
            }
            return new BreakGlassMark(run, step, commit, Optional.ofNullable(text(o, "at")).orElse(""));
        } catch (java.io.IOException | RuntimeException e) {
            throw new dev.revroll.errors.RecordException("namespace " + namespace + ": annotation " + ANNOTATION
                    + " is not {\"run\",\"step\",\"commit\",\"at\"} JSON (" + e.getMessage() + "): " + json);
        }
    }

    private static String text(JsonNode o, String key) {
        JsonNode e = o.get(key);
        return e == null || e.isNull() ? null : e.isValueNode() ? e.asText() : e.toString();
    }
}
