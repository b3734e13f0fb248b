package dev.revroll.engine.step;

import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.ClusterRecords.BreakGlassMark;
import dev.revroll.engine.journal.RunRecord.StepRecord;

import java.util.List;

/**
 * Undo of {@link GitCommit}: the step's commit reverted and pushed. Break-glass ({@code rollback --break-glass}, Git
 * out of reach): the namespace is marked {@code revroll.dev/break-glass} instead, so preflight and drift say Git is
 * behind until {@code revroll reconcile} writes the revert.
 */
public record RevertCommit() implements Action {

    @Override
    public String id() {
        return "revert-commit";
    }

    @Override
    public String does() {
        return "revert the step's commit and push (break-glass: mark the namespace for reconcile)";
    }

    @Override
    public List<Write> writes(StepScope step) {
        return writes(step, step.withGit() ? null : mark(step));
    }

    @Override
    public void apply(StepScope step) {
        String mark = step.withGit() ? null : mark(step);
        for (Write w : writes(step, mark)) {
            String id = step.send(w).orElse(null);
            step.update(r -> {
                if (w instanceof Write.Revert) {
                    r.reverted(id);
                } else {
                    r.markedBreakGlass(mark);
                }
            });
        }
    }

    /** The revert, or with {@code mark} (break-glass) the namespace annotation; nothing once done or without a commit. */
    private static List<Write> writes(StepScope step, String mark) {
        StepRecord s = step.record();
        if (s.gitCommit().isEmpty() || s.gitRevert().isPresent() || (mark != null && s.breakGlass().isPresent())) {
            return List.of();
        }
        if (mark == null) {
            return List.of(new Write.Revert(GitCommit.change(step), s.gitCommit().get(), "revert " + s.gitCommit().get()));
        }
        return List.of(new Write.Patch(step.namespaceRef(), Patches.annotation(ClusterRecords.BREAK_GLASS, mark),
                "mark namespace " + s.namespace() + " break-glass"));
    }

    private static String mark(StepScope step) {
        StepRecord s = step.record();
        return ClusterRecords.breakGlass(new BreakGlassMark(step.run().runId(), s.id(), s.gitCommit().orElse(""), step.now()));
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
