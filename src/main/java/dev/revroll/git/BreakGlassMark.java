package dev.revroll.git;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            String run = text(o, "run");
            String step = text(o, "step");
            String commit = text(o, "commit");
            if (run == null || step == null || commit == null) {
                throw new IllegalArgumentException("run, step and commit are required");
            }
            return new BreakGlassMark(run, step, commit, Optional.ofNullable(text(o, "at")).orElse(""));
        } catch (RuntimeException e) {
            throw new GitException(dev.revroll.errors.ExitCode.INVALID, "namespace " + namespace + ": annotation " + ANNOTATION
                    + " is not {\"run\",\"step\",\"commit\",\"at\"} JSON (" + e.getMessage() + "): " + json);
        }
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }
}
