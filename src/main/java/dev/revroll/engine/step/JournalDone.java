package dev.revroll.engine.step;

/** The step's last action: once it is journaled done, the step is done (a resumed run skips it). */
public record JournalDone() implements Action {

    @Override
    public String id() {
        return "journal-done";
    }

    @Override
    public String does() {
        return "record the step done";
    }

    @Override
    public void apply(StepScope step) {
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
