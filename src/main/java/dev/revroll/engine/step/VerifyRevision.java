package dev.revroll.engine.step;

import dev.revroll.engine.ProxySyncGate;
import dev.revroll.engine.StepFailure;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.ports.ClusterModel.PodState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** The end of an undo: every pod of the step's workloads back on the revision it ran before (its sidecar status says so). */
public record VerifyRevision() implements Action {

    @Override
    public String id() {
        return "verify-revision";
    }

    @Override
    public String does() {
        return "check every pod is back on the revision it ran before";
    }

    @Override
    public void apply(StepScope step) {
        StepRecord s = step.record();
        Predicate<PodState> inScope = step.inScope();
        Duration timeout = step.restartTimeout();
        List<String> wrong = step.poll("verify-" + s.namespace(), timeout, () -> podsOffOldRevision(step, s, inScope), List::isEmpty);
        if (!wrong.isEmpty()) {
            throw new StepFailure("pods of " + s.namespace() + " are not back on revision "
                    + s.fromRevision().orElse("(old)") + ": " + String.join("; ", wrong));
        }
    }

    private static List<String> podsOffOldRevision(StepScope step, StepRecord s, Predicate<PodState> inScope) {
        List<String> wrong = new ArrayList<>();
        String target = step.run().target().revision();
        for (PodState p : step.cluster().pods(s.namespace())) {
            if (p.deleting() || !inScope.test(p)) {
                continue;
            }
            Optional<String> rev = ProxySyncGate.podRevision(p);
            boolean ok = s.fromRevision().isPresent() ? rev.filter(s.fromRevision().get()::equals).isPresent()
                    : rev.filter(target::equals).isEmpty();
            if (!ok) {
                wrong.add(p.name() + " on " + rev.orElse("no sidecar"));
            }
        }
        return wrong;
    }

    @Override
    public void preview(StepScope step) {
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
