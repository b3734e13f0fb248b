package dev.revroll.engine.journal;

import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.plan.DurationText;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The run document kept in the journal (one per run), written before and after every action by {@link RunJournal}.
 * States are enums that change only through the transition methods, each of which says from which states it may
 * come; a transition from anywhere else is a bug and throws. The document's JSON form ({@link ClusterRecords}) uses
 * the field names below; states are written by name.
 */
public final class RunRecord {

    public enum RunState {
        RUNNING, DONE, ROLLED_BACK, PAUSED, ROLLBACK_INCOMPLETE, FAILED;

        /** A run that cannot go on: resume refuses it. */
        public boolean finished() {
            return this == DONE || this == ROLLED_BACK;
        }
    }

    public enum StepState {
        PENDING, IN_PROGRESS, DONE, FAILED, ROLLING_BACK, ROLLED_BACK, UNDO_FAILED, PAUSED;

        /** Being undone, or its undo failed: only {@code revroll rollback} may take it on. */
        public boolean undoing() {
            return this == ROLLING_BACK || this == UNDO_FAILED;
        }
    }

    public enum ActionState { INTENT, DONE, FAILED, UNDO_INTENT, UNDONE, UNDO_FAILED }

    private String runId;
    private String planName;
    private String planHash;
    private String planPath;
    private String context;
    private String controlPlaneNamespace;
    private String fromRevision;
    /** The label value namespaces get (a revision or a tag). */
    private String toLabel;
    /** The revision {@link #toLabel} stands for (same as the label unless it is a tag). */
    private String toRevision;
    private RunState state = RunState.RUNNING;
    private String startedAt;
    private String updatedAt;
    private String finishedAt;
    private String message;
    /** Set when gate evaluations were omitted to keep the document within {@link JournalBudget}: what and why. */
    String compaction;
    private List<String> warnings = new ArrayList<>();
    private List<StepRecord> steps = new ArrayList<>();
    private List<String> skipped = new ArrayList<>();
    /** Set while the run is paused because a step did not fit in the maintenance window: where it stands. */
    private WindowHold windowHold;
    /** Steps by id, built on first use (a large run has thousands; the runner looks them up all the time). Not written. */
    private transient Map<String, StepRecord> byId;

    private RunRecord() {
    }

    /** A new run's record: who, what and where; its steps are added with {@link #addStep}. */
    public static RunRecord of(String runId, String planName, String planHash, String planPath, String context,
                               String controlPlaneNamespace, String fromRevision, String toLabel, String toRevision) {
        RunRecord r = new RunRecord();
        r.runId = runId;
        r.planName = planName;
        r.planHash = planHash;
        r.planPath = planPath;
        r.context = context;
        r.controlPlaneNamespace = controlPlaneNamespace;
        r.fromRevision = fromRevision;
        r.toLabel = toLabel;
        r.toRevision = toRevision;
        return r;
    }

    public String runId() {
        return runId;
    }

    public String planName() {
        return planName;
    }

    public String planHash() {
        return planHash;
    }

    public String planPath() {
        return planPath;
    }

    public String context() {
        return context;
    }

    public String controlPlaneNamespace() {
        return controlPlaneNamespace;
    }

    public String fromRevision() {
        return fromRevision;
    }

    public String toLabel() {
        return toLabel;
    }

    public String toRevision() {
        return toRevision;
    }

    public RunState state() {
        return state;
    }

    public String startedAt() {
        return startedAt;
    }

    public String updatedAt() {
        return updatedAt;
    }

    public String finishedAt() {
        return finishedAt;
    }

    public String message() {
        return message;
    }

    public Optional<String> compaction() {
        return Optional.ofNullable(compaction);
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    public List<StepRecord> steps() {
        return List.copyOf(steps);
    }

    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    /** Why the run is paused at the maintenance window, when it is. */
    public Optional<WindowHold> windowHold() {
        return Optional.ofNullable(windowHold);
    }

    public Optional<StepRecord> step(String id) {
        if (byId == null || byId.size() != steps.size()) {
            Map<String, StepRecord> index = new HashMap<>();
            steps.forEach(s -> index.put(s.id, s));
            byId = index;
        }
        return Optional.ofNullable(byId.get(id));
    }

    public void addStep(StepRecord step) {
        steps.add(step);
    }

    public void addWarnings(List<String> w) {
        warnings.addAll(w);
    }

    public void addSkipped(List<String> s) {
        skipped.addAll(s);
    }

    void touched(String at) {
        updatedAt = at;
    }

    void started(String at) {
        startedAt = at;
    }

    // ---- transitions

    /** A run (new or resumed) goes. */
    public void running() {
        require("run", state, EnumSet.of(RunState.RUNNING, RunState.PAUSED, RunState.FAILED), RunState.RUNNING);
        state = RunState.RUNNING;
        message = null;
        windowHold = null;
    }

    /** Paused at the maintenance window: the step that could not start, and why. */
    public void pausedAtWindow(String why, WindowHold hold) {
        paused(why);
        windowHold = hold;
    }

    /** Paused: a window closed or a step failed under {@code onFailure: pause}; resume continues. */
    public void paused(String why) {
        require("run", state, EnumSet.of(RunState.RUNNING), RunState.PAUSED);
        state = RunState.PAUSED;
        message = why;
    }

    /** The run ended: every step done, rolled back, or a rollback a person must finish. */
    public void finished(RunState end, String at, String why) {
        Set<RunState> from = switch (end) {
            case DONE -> EnumSet.of(RunState.RUNNING);
            case ROLLED_BACK, ROLLBACK_INCOMPLETE -> EnumSet.allOf(RunState.class);
            default -> throw new IllegalArgumentException("a run does not finish " + end);
        };
        require("run", state, from, end);
        state = end;
        finishedAt = at;
        message = why;
    }

    static <S extends Enum<S>> void require(String what, S current, Set<S> allowed, S next) {
        if (current != null && !allowed.contains(current)) {
            throw new IllegalStateException(what + " cannot go from " + current + " to " + next + " (allowed from " + allowed + ")");
        }
    }

    /** One namespace step of the run. */
    public static final class StepRecord {
        private String id;
        private String wave;
        private int waveIndex;
        private String namespace;
        /** The revision the namespace's pods ran before the step (where an undo brings them back). */
        private String fromRevision;
        private StepState state = StepState.PENDING;
        /** The one {@code kubectl.kubernetes.io/restartedAt} value of this step (forward restart). */
        private String restartedAt;
        /** The value used when the step is undone (restart back onto the old revision). */
        private String rollbackRestartedAt;
        /** Injection labels before the step ({@code null} value: absent). */
        private Map<String, String> previousLabels;
        /** Workloads the step restarts ({@code Kind/name}). */
        private List<String> workloads = new ArrayList<>();
        /** Rolling-update values before revroll enforced make-before-break, per workload. */
        private Map<String, SavedStrategy> savedStrategies = new LinkedHashMap<>();
        private String gitCommit;
        private String gitRevert;
        private List<ActionRecord> actions = new ArrayList<>();
        List<GateRecord> gates = new ArrayList<>();
        /** Gate evaluations left out of {@link #gates} to keep the journal within its size limit, per gate and outcome. */
        List<OmittedEvaluations> omitted = new ArrayList<>();
        /** Each gate's verdict, once its run ended (journals from before verdicts were kept have none). */
        private List<GateVerdict> verdicts = new ArrayList<>();
        private String failure;
        private String breakGlass;
        private String startedAt;
        private String finishedAt;
        /** When the step's undo began ({@code null}: never, or a journal from before this was kept). */
        private String undoStartedAt;
        /** Replicas of the step's largest workload when the run was planned (what its estimate is made from). */
        private int replicas;
        /** Begun again after an interruption or a pause: its duration is no measurement. */
        private boolean resumed;
        /** When the maintenance window the step started in closes (none: no window, or it never closes). */
        private String windowClosesAt;
        /** How long past {@link #windowClosesAt} the step ended (its gates or its rollback were finished, never cut). */
        private Long windowOverrunSeconds;
        /** The non-zero {@code revroll.dev/order} of the step's workloads, fixed when the run was planned. */
        private Map<String, Integer> restartOrder = new LinkedHashMap<>();
        /** How many restart groups of the step have rolled out, forward and in its undo (where a resumed restart goes on). */
        private int groupsRolledOut;
        private int rollbackGroupsRolledOut;
        /** Workloads annotated {@code revroll.dev/skip}: never restarted, left on the revision they run. */
        private List<String> leftBehind = new ArrayList<>();
        /** What revroll cannot restart make-before-break in the namespace, each with what a person must do. */
        private List<Attention> attention = new ArrayList<>();

        private StepRecord() {
        }

        /** What revroll will not do itself, fixed when the run is planned: orders, workloads left behind, work for a person. */
        public StepRecord control(Map<String, Integer> orders, List<String> skipped, List<Attention> notMakeBeforeBreak) {
            restartOrder = new LinkedHashMap<>(orders);
            leftBehind = new ArrayList<>(skipped);
            attention = new ArrayList<>(notMakeBeforeBreak);
            return this;
        }

        public Map<String, Integer> restartOrder() {
            return restartOrder == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(restartOrder));
        }

        public List<String> leftBehind() {
            return leftBehind == null ? List.of() : List.copyOf(leftBehind);
        }

        public List<Attention> attention() {
            return attention == null ? List.of() : List.copyOf(attention);
        }

        /** Restart groups rolled out so far, forward ({@code back} false) or in the undo. */
        public int groupsRolledOut(boolean back) {
            return back ? rollbackGroupsRolledOut : groupsRolledOut;
        }

        /** The first {@code n} restart groups have rolled out (never goes back). */
        public void groupRolledOut(boolean back, int n) {
            if (back) {
                rollbackGroupsRolledOut = Math.max(rollbackGroupsRolledOut, n);
            } else {
                groupsRolledOut = Math.max(groupsRolledOut, n);
            }
        }

        public static StepRecord of(String id, String wave, int waveIndex, String namespace, String fromRevision, List<String> workloads) {
            StepRecord s = new StepRecord();
            s.id = id;
            s.wave = wave;
            s.waveIndex = waveIndex;
            s.namespace = namespace;
            s.fromRevision = fromRevision;
            s.workloads = new ArrayList<>(workloads);
            return s;
        }

        public static StepRecord of(String id, String wave, int waveIndex, String namespace, String fromRevision, List<String> workloads, int replicas) {
            StepRecord s = of(id, wave, waveIndex, namespace, fromRevision, workloads);
            s.replicas = replicas;
            return s;
        }

        public int replicas() {
            return replicas;
        }

        public boolean resumed() {
            return resumed;
        }

        public Optional<String> windowClosesAt() {
            return Optional.ofNullable(windowClosesAt);
        }

        public Optional<Long> windowOverrunSeconds() {
            return Optional.ofNullable(windowOverrunSeconds);
        }

        /** "overran the maintenance window by 12s" when the step ended after the window it started in had closed. */
        public Optional<String> windowOverrun() {
            return windowOverrunSeconds().map(StepRecord::overranBy);
        }

        /** "overran the maintenance window by 12s": the one wording of an overrun, for messages, events and reports. */
        public static String overranBy(long seconds) {
            return "overran the maintenance window by " + DurationText.format(Duration.ofSeconds(seconds));
        }

        /** The step starts in a window that closes then (empty: no window, or it does not close). */
        public void startsInWindow(Optional<String> closesAt) {
            windowClosesAt = closesAt.orElse(null);
            windowOverrunSeconds = null;
        }

        /** The step ended at {@code at}: past the close of the window it started in, by how much. */
        private void ended(String at) {
            if (windowClosesAt == null || at == null) {
                return;
            }
            try {
                long over = Duration.between(java.time.Instant.parse(windowClosesAt), java.time.Instant.parse(at)).toMillis();
                windowOverrunSeconds = over > 0 ? (over + 999) / 1000 : null;
            } catch (java.time.format.DateTimeParseException e) {
                windowOverrunSeconds = null;
            }
        }

        public String id() {
            return id;
        }

        public String wave() {
            return wave;
        }

        public int waveIndex() {
            return waveIndex;
        }

        public String namespace() {
            return namespace;
        }

        public Optional<String> fromRevision() {
            return Optional.ofNullable(fromRevision);
        }

        public StepState state() {
            return state;
        }

        public Optional<String> restartedAt() {
            return Optional.ofNullable(restartedAt);
        }

        public Optional<String> rollbackRestartedAt() {
            return Optional.ofNullable(rollbackRestartedAt);
        }

        /** The injection labels before the step, when known ({@code null} value: the label was absent). */
        // Accessors hand out copies: an action reads the record, then changes it through the journal while it goes
        // through what it read.

        public Optional<Map<String, String>> previousLabels() {
            return Optional.ofNullable(previousLabels).map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        }

        public List<String> workloads() {
            return List.copyOf(workloads);
        }

        public Map<String, SavedStrategy> savedStrategies() {
            return Collections.unmodifiableMap(new LinkedHashMap<>(savedStrategies));
        }

        public Optional<String> gitCommit() {
            return Optional.ofNullable(gitCommit);
        }

        public Optional<String> gitRevert() {
            return Optional.ofNullable(gitRevert);
        }

        public List<ActionRecord> actions() {
            return List.copyOf(actions);
        }

        public List<GateRecord> gates() {
            return List.copyOf(gates);
        }

        public List<OmittedEvaluations> omitted() {
            return List.copyOf(omitted);
        }

        public List<GateVerdict> verdicts() {
            return verdicts == null ? List.of() : List.copyOf(verdicts);
        }

        public Optional<String> failure() {
            return Optional.ofNullable(failure);
        }

        public Optional<String> breakGlass() {
            return Optional.ofNullable(breakGlass);
        }

        public Optional<String> startedAt() {
            return Optional.ofNullable(startedAt);
        }

        public Optional<String> finishedAt() {
            return Optional.ofNullable(finishedAt);
        }

        public Optional<String> undoStartedAt() {
            return Optional.ofNullable(undoStartedAt);
        }

        public Optional<ActionRecord> action(String name) {
            return actions.stream().filter(a -> a.name.equals(name)).findFirst();
        }

        /** True once any action of the step was started: the step has something to undo. */
        public boolean started() {
            return !actions.isEmpty();
        }

        // ---- what the step's actions record

        /** The step's intent, fixed once: labels before it, the workloads it restarts, the old revision, its restartedAt. */
        public void intent(Map<String, String> previous, List<String> restarts, String oldRevision, String now) {
            previousLabels = previous == null ? null : new LinkedHashMap<>(previous);
            workloads = new ArrayList<>(restarts);
            fromRevision = oldRevision;
            if (restartedAt == null) {
                restartedAt = now;
            }
        }

        /** The restartedAt of the undo's restart, fixed the first time the undo restarts anything. */
        public String rollbackRestart(String now) {
            if (rollbackRestartedAt == null) {
                rollbackRestartedAt = now;
            }
            return rollbackRestartedAt;
        }

        /** The rolling-update values of a workload before revroll changed them (the first ones seen are kept). */
        public void saveStrategy(String workload, SavedStrategy saved) {
            savedStrategies.putIfAbsent(workload, saved);
        }

        public void strategyRestored(String workload) {
            savedStrategies.remove(workload);
        }

        public void committed(String commit) {
            gitCommit = commit;
        }

        public void reverted(String revert) {
            gitRevert = revert;
        }

        public void markedBreakGlass(String mark) {
            breakGlass = mark;
        }

        public void addGate(GateRecord gate) {
            gates.add(gate);
        }

        /** A gate's verdict; a later verdict of the same gate (a resumed step ran it again) replaces the earlier one. */
        public void addVerdict(GateVerdict verdict) {
            if (verdicts == null) {
                verdicts = new ArrayList<>();
            }
            verdicts.removeIf(v -> v.gate().equals(verdict.gate()));
            verdicts.add(verdict);
        }

        // ---- transitions

        public void begin(String at) {
            if (state != StepState.PENDING) {
                resumed = true;
            }
            move(EnumSet.of(StepState.PENDING, StepState.IN_PROGRESS, StepState.FAILED, StepState.PAUSED), StepState.IN_PROGRESS);
            failure = null;
            if (startedAt == null) {
                startedAt = at;
            }
        }

        public void done(String at) {
            move(EnumSet.of(StepState.IN_PROGRESS), StepState.DONE);
            finishedAt = at;
            ended(at);
        }

        public void failed(String why) {
            move(EnumSet.of(StepState.IN_PROGRESS), StepState.FAILED);
            failure = why;
        }

        /** {@code onFailure: pause}: the failed step is left as it is. */
        public void paused() {
            move(EnumSet.of(StepState.FAILED, StepState.PAUSED), StepState.PAUSED);
        }

        public void rollingBack() {
            move(EnumSet.complementOf(EnumSet.of(StepState.PENDING, StepState.ROLLED_BACK)), StepState.ROLLING_BACK);
        }

        /** The step's undo begins now (the first time is kept: a rollback run again goes on with the same undo). */
        public void rollingBack(String at) {
            rollingBack();
            if (undoStartedAt == null) {
                undoStartedAt = at;
            }
        }

        public void rolledBack(String at) {
            move(EnumSet.of(StepState.ROLLING_BACK), StepState.ROLLED_BACK);
            finishedAt = at;
            ended(at);
        }

        public void undoFailed(String why) {
            move(EnumSet.of(StepState.ROLLING_BACK), StepState.UNDO_FAILED);
            failure = (failure == null ? "" : failure + "; ") + why;
        }

        /** The action's record, made on its first transition. */
        public ActionRecord actionRecord(String name) {
            return action(name).orElseGet(() -> {
                ActionRecord a = new ActionRecord();
                a.name = name;
                actions.add(a);
                return a;
            });
        }

        private void move(Set<StepState> from, StepState to) {
            require("step " + id, state, from, to);
            state = to;
        }
    }

    /** One action of a step: its journal state. */
    public static final class ActionRecord {
        private String name;
        private ActionState state;
        private String at;
        private String detail;

        private ActionRecord() {
        }

        public String name() {
            return name;
        }

        public ActionState state() {
            return state;
        }

        public String at() {
            return at;
        }

        public Optional<String> detail() {
            return Optional.ofNullable(detail);
        }

        public boolean done() {
            return state == ActionState.DONE;
        }

        public boolean undone() {
            return state == ActionState.UNDONE;
        }

        public void intent(String now) {
            move(EnumSet.of(ActionState.INTENT, ActionState.FAILED), ActionState.INTENT, now, null);
        }

        public void completed(String now) {
            move(EnumSet.of(ActionState.INTENT), ActionState.DONE, now, null);
        }

        public void failed(String now, String why) {
            move(EnumSet.of(ActionState.INTENT), ActionState.FAILED, now, why);
        }

        public void undoIntent(String now) {
            move(EnumSet.of(ActionState.INTENT, ActionState.DONE, ActionState.FAILED, ActionState.UNDO_INTENT, ActionState.UNDO_FAILED),
                    ActionState.UNDO_INTENT, now, null);
        }

        public void undone(String now) {
            move(EnumSet.of(ActionState.UNDO_INTENT), ActionState.UNDONE, now, null);
        }

        public void undoFailed(String now, String why) {
            move(EnumSet.of(ActionState.UNDO_INTENT), ActionState.UNDO_FAILED, now, why);
        }

        private void move(Set<ActionState> from, ActionState to, String now, String why) {
            if (state == null && to != ActionState.INTENT) {
                throw new IllegalStateException("action " + name + " cannot go to " + to + " before its intent");
            }
            require("action " + name, state, from, to);
            state = to;
            at = now;
            detail = why;
        }
    }

    /**
     * Where a run stands when a step did not fit in the maintenance window: the step, its estimate (and how it was made),
     * what was left of the window, when it closes and when it opens next (ISO instants; null when unknown).
     */
    public record WindowHold(String step, String at, long estimateSeconds, String estimate, Long leftSeconds, String closesAt,
                             String nextOpening, String reason) {
    }

    /**
     * Something in a step's namespace revroll cannot restart make-before-break ({@code subject}: {@code Deployment/db},
     * {@code Pod/debug}), why, and what a person must do (docs/kubernetes-rollouts.md#what-revroll-cannot-restart-make-before-break).
     */
    public record Attention(String subject, String why, String todo) {
        @Override
        public String toString() {
            return subject + ": " + why + "; what a person must do: " + todo;
        }
    }

    /** A workload's rolling-update values before revroll enforced make-before-break. */
    public record SavedStrategy(String maxUnavailable, String maxSurge) {
    }

    /**
     * One gate evaluation as the journal keeps it. {@code comparison} and {@code threshold} are the gate's
     * {@code failWhen} at the time ({@code ">"}, {@code 0.05}), {@code sample} which evaluation of the gate's run it was
     * (from 1). Journals written before these were kept read them as {@code null}: unknown.
     */
    public record GateRecord(String gate, String at, String query, Double value, GateOutcome outcome, String detail,
                             String comparison, Double threshold, Integer sample) {

        /** An evaluation with nothing known about its threshold. */
        public GateRecord(String gate, String at, String query, Double value, GateOutcome outcome, String detail) {
            this(gate, at, query, value, outcome, detail, null, null, null);
        }

        public static GateRecord of(GateEvaluation e) {
            return new GateRecord(e.gate(), e.at().toString(), e.query(), e.value().isPresent() ? e.value().getAsDouble() : null,
                    e.outcome(), e.detail(), e.comparison(), e.threshold(), e.sample() > 0 ? e.sample() : null);
        }
    }

    /** A gate's verdict for a step (from all its evaluations): the outcome and the summary a person reads. */
    public record GateVerdict(String gate, GateOutcome outcome, String summary, String at) {
    }

    /** Evaluations of one gate with one outcome omitted from a step's journal: how many, first and last instant. */
    public static final class OmittedEvaluations {
        String gate;
        GateOutcome outcome;
        int count;
        String from;
        String to;

        OmittedEvaluations() {
        }

        public String gate() {
            return gate;
        }

        public GateOutcome outcome() {
            return outcome;
        }

        public int count() {
            return count;
        }

        public String from() {
            return from;
        }

        public String to() {
            return to;
        }

        public String summary() {
            return count + " " + (outcome == GateOutcome.PASS ? "passing" : outcome.name()) + " evaluation" + (count == 1 ? "" : "s")
                    + " omitted (" + from + " to " + to + ") to keep the journal within its size limit";
        }
    }
}
