package dev.revroll.engine;

/** An action of a step did not reach its goal (a rollout stalled, a gate failed, ...). Triggers {@code onFailure}. */
public class StepFailure extends RuntimeException {
    public StepFailure(String message) {
        super(message);
    }
}
