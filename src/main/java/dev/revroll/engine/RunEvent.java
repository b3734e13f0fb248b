package dev.revroll.engine;

import java.time.Instant;
import java.util.Map;

/**
 * Something a person or a pipeline wants to see while a run goes: rendered live in a terminal, or as one JSON
 * object per line. {@code data} holds type-specific fields (gate value, query, next evaluation, ...).
 * {@code GATE_RESULT} is a gate's verdict for a step (after all its evaluations); {@code WARNING} is something that
 * went wrong without changing the run (a Kubernetes Event that could not be written).
 */
public record RunEvent(Type type, Instant at, String runId, String step, String action, String message, Map<String, Object> data) {

    public enum Type {
        RUN_STARTED, PREFLIGHT_WARNING, WAVE_STARTED, STEP_STARTED, ACTION_STARTED, ACTION_DONE, ACTION_SKIPPED,
        WAITING, GATE_EVALUATION, GATE_RESULT, STEP_DONE, STEP_FAILED, UNDO_STARTED, UNDO_DONE, STEP_ROLLED_BACK, UNDO_FAILED,
        PAUSED, WARNING, RUN_FINISHED
    }
}
