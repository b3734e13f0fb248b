package dev.revroll.engine.step;

import java.util.List;

/** What undoing an action takes: nothing, or actions run in order (in the undo scope: pods go back to their old revision). */
public sealed interface Undo {

    /** The action changes nothing that has to be put back (it waits, checks, or only records). */
    Undo NOTHING = new Nothing();

    static Undo by(String does, Action... actions) {
        return new By(does, List.of(actions));
    }

    record Nothing() implements Undo {
    }

    /** {@code does}: one line for events ("undo: ..."); {@code actions}: run in this order. */
    record By(String does, List<Action> actions) implements Undo {
    }
}
