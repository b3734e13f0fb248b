package dev.revroll.engine;

import java.util.List;

/**
 * One namespace moved to the target: data only. The runner executes {@link #actions()} in order and, on failure,
 * the undos of the started ones newest first.
 */
public record NamespaceStep(String id, String wave, int waveIndex, String namespace, List<ActionKind> actions) {

    public static NamespaceStep of(String wave, int waveIndex, String namespace) {
        return new NamespaceStep(wave + "/" + namespace, wave, waveIndex, namespace, List.of(ActionKind.values()));
    }
}
