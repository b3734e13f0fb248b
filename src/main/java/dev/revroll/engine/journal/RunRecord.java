package dev.revroll.engine.journal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run document kept in the journal (one per run). Mutable on purpose: the runner updates it and writes it
 * (compare-and-swap) before and after every action. Serialized as JSON by {@link RunJournal}.
 */
public class RunRecord {

    public String runId;
    public String planName;
    public String planHash;
    public String planPath;
    public String context;
    public String controlPlaneNamespace;
    public String fromRevision;
    /** The label value namespaces get (a revision or a tag). */
    public String toLabel;
    /** The revision {@link #toLabel} stands for (same as the label unless it is a tag). */
    public String toRevision;
    public String state = RunState.RUNNING.name();
    public String startedAt;
    public String updatedAt;
    public String finishedAt;
    public String message;
    /** Set when gate evaluations were omitted to keep the document within {@link JournalBudget}: what and why. */
    public String compaction;
    public List<String> warnings = new ArrayList<>();
    public List<StepRecord> steps = new ArrayList<>();
    public List<String> skipped = new ArrayList<>();

    public Optional<StepRecord> step(String id) {
        return steps.stream().filter(s -> s.id.equals(id)).findFirst();
    }

    public enum RunState { RUNNING, DONE, ROLLED_BACK, PAUSED, ROLLBACK_INCOMPLETE, FAILED }

    public enum StepState { PENDING, IN_PROGRESS, DONE, FAILED, ROLLING_BACK, ROLLED_BACK, UNDO_FAILED, PAUSED }

    public enum ActionState { INTENT, DONE, FAILED, UNDO_INTENT, UNDONE, UNDO_FAILED }

    public static class StepRecord {
        public String id;
        public String wave;
        public int waveIndex;
        public String namespace;
        /** The revision the namespace's pods ran before the step (where an undo brings them back). */
        public String fromRevision;
        public String state = StepState.PENDING.name();
        /** The one {@code kubectl.kubernetes.io/restartedAt} value of this step (forward restart). */
        public String restartedAt;
        /** The value used when the step is undone (restart back onto the old revision). */
        public String rollbackRestartedAt;
        /** Injection labels before the step ({@code null} value: absent). */
        public Map<String, String> previousLabels;
        /** Workloads the step restarts ({@code Kind/name}). */
        public List<String> workloads = new ArrayList<>();
        /** Rolling-update values before revroll enforced make-before-break, per workload. */
        public Map<String, SavedStrategy> savedStrategies = new LinkedHashMap<>();
        public String gitCommit;
        public String gitRevert;
        public List<ActionRecord> actions = new ArrayList<>();
        public List<GateRecord> gates = new ArrayList<>();
        /** Gate evaluations left out of {@link #gates} to keep the journal within its size limit, per gate and outcome. */
        public List<OmittedEvaluations> omitted = new ArrayList<>();
        public String failure;
        public String breakGlass;
        public String startedAt;
        public String finishedAt;

        public Optional<ActionRecord> action(String name) {
            return actions.stream().filter(a -> a.name.equals(name)).findFirst();
        }

        public ActionRecord actionOrNew(String name) {
            return action(name).orElseGet(() -> {
                ActionRecord a = new ActionRecord();
                a.name = name;
                actions.add(a);
                return a;
            });
        }
    }

    public static class ActionRecord {
        public String name;
        public String state;
        public String at;
        public String detail;
    }

    public static class SavedStrategy {
        public String maxUnavailable;
        public String maxSurge;

        public SavedStrategy() {
        }

        public SavedStrategy(String maxUnavailable, String maxSurge) {
            this.maxUnavailable = maxUnavailable;
            this.maxSurge = maxSurge;
        }
    }

    public static class GateRecord {
        public String gate;
        public String at;
        public String query;
        public Double value;
        public String outcome;
        public String detail;
    }

    /** Evaluations of one gate with one outcome omitted from a step's journal: how many, first and last instant. */
    public static class OmittedEvaluations {
        public String gate;
        public String outcome;
        public int count;
        public String from;
        public String to;

        public String summary() {
            return count + " " + ("PASS".equals(outcome) ? "passing" : outcome) + " evaluation" + (count == 1 ? "" : "s")
                    + " omitted (" + from + " to " + to + ") to keep the journal within its size limit";
        }
    }
}
