package dev.revroll.engine.step;

import java.util.List;

/**
 * One thing a namespace step does (docs/architecture.md#adding-an-action). An action declares, as data, the writes it
 * will make now ({@link #writes}: object, merge patch, reason), applies them (and waits or checks where that is its
 * job), says how preview shows it, and says what its undo is. Every action reads the current state first and
 * declares no write for what already holds, so running it twice (resume) ends where running it once does.
 * {@code Rollout} runs actions; it journals before and after each, emits the events and handles a failure once.
 */
public interface Action {

    /** The name in the journal and in events: {@code relabel}, {@code wait-rollouts}, ... */
    String id();

    /** One line for events, preview and reports: what it does. */
    String does();

    /**
     * The writes the action makes now, computed from the cluster and the step's record; empty for an action that
     * only reads or waits, or when what it would write already holds. Preview sends exactly these as dry run.
     */
    default List<Write> writes(StepScope step) {
        return List.of();
    }

    /** Runs the action: by default sends {@link #writes}. An action that waits, checks or records overrides it. */
    default void apply(StepScope step) {
        step.send(writes(step));
    }

    /**
     * What preview does with it: by default the same as {@link #apply} in a preview scope, where writes are sent as
     * server-side dry run and the journal is in memory. Actions that wait override it (they evaluate once, or do nothing).
     */
    default void preview(StepScope step) {
        apply(step);
    }

    /** How the action is put back when its step is undone: {@link Undo#NOTHING}, or the actions that undo it. */
    Undo undo();
}
