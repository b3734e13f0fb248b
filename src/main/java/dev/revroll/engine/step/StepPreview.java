package dev.revroll.engine.step;

import dev.revroll.gates.GateEvaluation;

import java.util.ArrayList;
import java.util.List;

/** What preview saw of one step: every write with the API server's answer to its dry run, the Git diff, each gate now. */
public final class StepPreview {

    /** A write of an action and, when admission refused its dry run, why. */
    public record PlannedWrite(String action, Write write, String refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    private final List<PlannedWrite> writes = new ArrayList<>();
    private final List<GateEvaluation> gates = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private String gitDiff = "";

    void wrote(String action, Write write, String refusal) {
        writes.add(new PlannedWrite(action, write, refusal));
    }

    void gitDiff(String diff) {
        gitDiff = diff;
    }

    void gate(GateEvaluation evaluation) {
        gates.add(evaluation);
    }

    /** An action that could not be previewed (the namespace is gone, a read failed): said, and the preview goes on. */
    public void problem(String what) {
        problems.add(what);
    }

    public List<PlannedWrite> writes() {
        return List.copyOf(writes);
    }

    /** {@code what: why} for every write admission refused, then every action that could not be previewed. */
    public List<String> admissionErrors() {
        List<String> errors = new ArrayList<>();
        writes.stream().filter(PlannedWrite::refused).forEach(w -> errors.add(w.write().reason() + ": " + w.refusal()));
        errors.addAll(problems);
        return errors;
    }

    public List<GateEvaluation> gates() {
        return List.copyOf(gates);
    }

    public String gitDiff() {
        return gitDiff;
    }
}
