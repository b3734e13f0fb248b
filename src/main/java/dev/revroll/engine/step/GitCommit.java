package dev.revroll.engine.step;

import dev.revroll.engine.NoGitRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.ports.GitOpsRepository.StepChange;
import dev.revroll.ports.InjectionLabels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Records the step in Git before the cluster is touched: the namespace's manifest gets the new labels, committed and pushed. */
public record GitCommit() implements Action {

    @Override
    public String id() {
        return "git-commit";
    }

    @Override
    public String does() {
        return "commit and push the namespace's new labels";
    }

    @Override
    public List<Write> writes(StepScope step) {
        StepRecord s = step.record();
        if (s.gitCommit().isPresent() || step.run().git() instanceof NoGitRecord) {
            return List.of();
        }
        return List.of(new Write.Commit(change(step), "commit the move of " + s.namespace() + " to " + step.run().target().label()));
    }

    @Override
    public void apply(StepScope step) {
        for (Write w : writes(step)) {
            String id = step.send(w).orElse(null);
            step.update(r -> r.committed(id));
        }
    }

    @Override
    public Undo undo() {
        return Undo.by("revert the step's commit and push", new RevertCommit());
    }

    /** What the step changes in the namespace's manifest: {@code istio.io/rev} set, {@code istio-injection} removed. */
    static StepChange change(StepScope step) {
        StepRecord s = step.record();
        String label = step.run().target().label();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(InjectionLabels.REVISION, label);
        labels.put(InjectionLabels.INJECTION, null);
        return new StepChange(step.plan().name(), step.run().runId(), s.id(), s.namespace(), label, labels);
    }
}
