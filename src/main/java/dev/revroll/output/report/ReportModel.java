package dev.revroll.output.report;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.ActionRecord;
import dev.revroll.engine.journal.RunRecord.ActionState;
import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.engine.journal.RunRecord.GateVerdict;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.journal.RunRecord.StepState;
import dev.revroll.gates.GateOutcome;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What every report of a run says (docs/reports.md), built once from the run's journal record: the run, its waves
 * and steps with their actions and gates (every evaluation kept in the journal, and how many the journal's size
 * budget omitted), the Git commits and reverts, and what a person must do when the run did not end clean. The
 * renderers (JSON, JUnit XML, Markdown, HTML) only lay this out; the JSON report is this model as it is, so its
 * field names are the ones below.
 */
public record ReportModel(int reportVersion, Run run, Counts counts, List<Wave> waves, List<Step> steps, List<GitChange> git,
                          List<String> whatToDo) {

    /** The version of the report's shape; it changes only when a field changes meaning or goes away. */
    public static final int VERSION = 1;

    /** The run: who, what, where, how it ended. {@code clean}: nothing is left for a person to do. */
    public record Run(String id, String state, boolean clean, String summary, String planName, String planHash, String planPath,
                      String context, String controlPlaneNamespace, String fromRevision, String toLabel, String toRevision,
                      String startedAt, String finishedAt, String message, String journalCompaction, List<String> warnings,
                      List<String> skipped) {
    }

    public record Counts(int steps, int moved, int failed, int rolledBack, int notStarted, int unfinished) {
    }

    public record Wave(String name, int index, List<String> steps) {
    }

    /** How a step ended, in a person's words. */
    public enum Outcome {
        MOVED, FAILED_ROLLED_BACK, ROLLED_BACK, FAILED, FAILED_PAUSED, ROLLBACK_INCOMPLETE, ROLLING_BACK, IN_PROGRESS, NOT_STARTED;

        /** The step itself failed (a gate or an action). */
        public boolean failed() {
            return this == FAILED_ROLLED_BACK || this == FAILED || this == FAILED_PAUSED;
        }

        public boolean rolledBack() {
            return this == FAILED_ROLLED_BACK || this == ROLLED_BACK;
        }

        public String words() {
            return switch (this) {
                case MOVED -> "moved";
                case FAILED_ROLLED_BACK -> "failed, rolled back";
                case ROLLED_BACK -> "rolled back";
                case FAILED -> "failed";
                case FAILED_PAUSED -> "failed, left as it is (paused)";
                case ROLLBACK_INCOMPLETE -> "rollback incomplete";
                case ROLLING_BACK -> "rollback interrupted";
                case IN_PROGRESS -> "interrupted";
                case NOT_STARTED -> "not started";
            };
        }
    }

    /**
     * One namespace step. {@code forwardEndedAt}: when its last forward action ended (the failure, or done);
     * {@code undoStartedAt}/{@code finishedAt}: its rollback, when it had one.
     */
    public record Step(String id, String wave, int waveIndex, String namespace, String state, Outcome outcome, String fromRevision,
                       String startedAt, String forwardEndedAt, String undoStartedAt, String finishedAt, String failure,
                       List<String> workloads, String gitCommit, String gitRevert, String breakGlass, List<Action> actions,
                       List<Gate> gates, String windowClosesAt, Long windowOverrunSeconds) {

        /** How it ended in a person's words, with how far it ran past the maintenance window it started in, if it did. */
        public String outcomeWords() {
            return outcome.words() + overrun().map(o -> " (" + o + ")").orElse("");
        }

        /** "overran the maintenance window by 12s" when the step ended after the window it started in had closed. */
        public Optional<String> overrun() {
            return Optional.ofNullable(windowOverrunSeconds).map(StepRecord::overranBy);
        }

        /** The gates that did not pass (their verdict is not PASS). */
        public List<Gate> failedGates() {
            return gates.stream().filter(Gate::failed).toList();
        }

        /** Seconds from start to the end (rollback included), when both are known. */
        public Optional<Duration> duration() {
            Instant s = instant(startedAt);
            Instant e = instant(finishedAt != null ? finishedAt : forwardEndedAt);
            return s == null || e == null ? Optional.empty() : Optional.of(Duration.between(s, e));
        }
    }

    public record Action(String name, String state, String at, String detail) {
    }

    /**
     * One gate of a step: its verdict ({@code null} when the journal does not say), the threshold its samples were
     * compared with ({@code null}: unknown, or a gate without one), every evaluation the journal kept, and what its size
     * budget omitted.
     */
    public record Gate(String name, String verdict, String summary, String comparison, Double threshold, List<Evaluation> evaluations,
                       List<Omitted> omitted, int omittedCount) {

        public boolean failed() {
            return verdict != null && !verdict.equals(GateOutcome.PASS.name());
        }
    }

    public record Evaluation(String at, Integer sample, String query, Double value, String comparison, Double threshold,
                             String outcome, String detail) {

        public boolean failing() {
            return GateOutcome.FAIL.name().equals(outcome);
        }

        public boolean passing() {
            return GateOutcome.PASS.name().equals(outcome);
        }

        /** "value 0.5 (fails when > 0.05)", "no value", with the threshold when known. */
        public String valueText() {
            String v = value == null ? "no value" : "value " + Markup.number(value);
            return threshold == null ? v : v + " (fails when " + comparison + " " + Markup.number(threshold) + ")";
        }

        /** One line for plain-text reports: time, sample, value against threshold, outcome, detail, query. */
        public String line() {
            return at + (sample == null ? "" : " #" + sample) + " " + outcome + ": " + valueText()
                    + (detail == null || detail.isEmpty() ? "" : " — " + detail) + "\n    query: " + query;
        }
    }

    public record Omitted(String outcome, int count, String from, String to) {
    }

    /** A commit of a step, or the revert of one. */
    public record GitChange(String step, String namespace, String kind, String commit, String revertOf) {
    }

    // ------------------------------------------------------------------------------------------------ building

    public static ReportModel of(RunRecord r) {
        List<Step> steps = r.steps().stream().map(ReportModel::step).toList();
        Map<Integer, Wave> waves = new LinkedHashMap<>();
        for (Step s : steps) {
            Wave w = waves.computeIfAbsent(s.waveIndex(), i -> new Wave(s.wave(), i, new ArrayList<>()));
            w.steps().add(s.id());
        }
        List<Wave> waveList = waves.values().stream().sorted((a, b) -> Integer.compare(a.index(), b.index()))
                .map(w -> new Wave(w.name(), w.index(), List.copyOf(w.steps()))).toList();
        List<GitChange> git = new ArrayList<>();
        for (Step s : steps) {
            if (s.gitCommit() != null) {
                git.add(new GitChange(s.id(), s.namespace(), "commit", s.gitCommit(), null));
            }
            if (s.gitRevert() != null) {
                git.add(new GitChange(s.id(), s.namespace(), "revert", s.gitRevert(), s.gitCommit()));
            }
        }
        Counts counts = new Counts(steps.size(),
                count(steps, o -> o == Outcome.MOVED),
                count(steps, Outcome::failed),
                count(steps, Outcome::rolledBack),
                count(steps, o -> o == Outcome.NOT_STARTED),
                count(steps, o -> o == Outcome.IN_PROGRESS || o == Outcome.ROLLING_BACK || o == Outcome.ROLLBACK_INCOMPLETE));
        List<String> todo = new ArrayList<>(whatToDo(r, steps));
        boolean clean = todo.isEmpty();
        // what revroll leaves to a person on purpose does not make a run unclean, but it is work all the same
        todo.addAll(workloadsForAPerson(r));
        Run run = new Run(r.runId(), r.state().name(), clean, summary(r, steps, counts), r.planName(), r.planHash(), r.planPath(),
                r.context(), r.controlPlaneNamespace(), r.fromRevision(), r.toLabel(), r.toRevision(), r.startedAt(), r.finishedAt(),
                r.message(), r.compaction().orElse(null), r.warnings(), r.skipped());
        return new ReportModel(VERSION, run, counts, waveList, steps, List.copyOf(git), List.copyOf(todo));
    }

    private interface OutcomeTest {
        boolean test(Outcome o);
    }

    private static int count(List<Step> steps, OutcomeTest t) {
        return (int) steps.stream().filter(s -> t.test(s.outcome())).count();
    }

    private static Step step(StepRecord s) {
        Outcome outcome = outcome(s);
        List<Action> actions = s.actions().stream()
                .map(a -> new Action(a.name(), a.state() == null ? null : a.state().name(), a.at(), a.detail().orElse(null))).toList();
        String forwardEnd = s.actions().stream()
                .filter(a -> a.state() == ActionState.DONE || a.state() == ActionState.FAILED || a.state() == ActionState.INTENT)
                .map(ActionRecord::at).filter(Objects::nonNull).max(ReportModel::compareTimes).orElse(null);
        if (outcome == Outcome.MOVED && s.finishedAt().isPresent()) {
            forwardEnd = s.finishedAt().get();
        }
        boolean undone = s.undoStartedAt().isPresent() || s.state() == StepState.ROLLED_BACK || s.state().undoing();
        return new Step(s.id(), s.wave(), s.waveIndex(), s.namespace(), s.state().name(), outcome, s.fromRevision().orElse(null),
                s.startedAt().orElse(null), forwardEnd, s.undoStartedAt().orElse(undone ? forwardEnd : null),
                undone || outcome == Outcome.MOVED ? s.finishedAt().orElse(null) : null,
                s.failure().orElse(null), s.workloads(), s.gitCommit().orElse(null), s.gitRevert().orElse(null),
                s.breakGlass().orElse(null), actions, gates(s), s.windowClosesAt().orElse(null), s.windowOverrunSeconds().orElse(null));
    }

    private static Outcome outcome(StepRecord s) {
        boolean failed = s.failure().isPresent();
        return switch (s.state()) {
            case DONE -> Outcome.MOVED;
            case ROLLED_BACK -> failed ? Outcome.FAILED_ROLLED_BACK : Outcome.ROLLED_BACK;
            case FAILED -> Outcome.FAILED;
            case PAUSED -> Outcome.FAILED_PAUSED;
            case UNDO_FAILED -> Outcome.ROLLBACK_INCOMPLETE;
            case ROLLING_BACK -> Outcome.ROLLING_BACK;
            case IN_PROGRESS -> Outcome.IN_PROGRESS;
            case PENDING -> Outcome.NOT_STARTED;
        };
    }

    /** The step's gates in the order they were first evaluated (a gate known only by its omissions comes last). */
    private static List<Gate> gates(StepRecord s) {
        Map<String, List<GateRecord>> byGate = new LinkedHashMap<>();
        s.gates().forEach(g -> byGate.computeIfAbsent(g.gate(), k -> new ArrayList<>()).add(g));
        s.omitted().forEach(o -> byGate.computeIfAbsent(o.gate(), k -> new ArrayList<>()));
        s.verdicts().forEach(v -> byGate.computeIfAbsent(v.gate(), k -> new ArrayList<>()));
        List<Gate> gates = new ArrayList<>();
        byGate.forEach((name, records) -> {
            List<Evaluation> evaluations = records.stream().map(g -> new Evaluation(g.at(), g.sample(), g.query(), g.value(), g.comparison(),
                    g.threshold(), g.outcome() == null ? null : g.outcome().name(), g.detail())).toList();
            List<Omitted> omitted = s.omitted().stream().filter(o -> o.gate().equals(name))
                    .map(o -> new Omitted(o.outcome().name(), o.count(), o.from(), o.to())).toList();
            Optional<GateVerdict> verdict = s.verdicts().stream().filter(v -> v.gate().equals(name)).findFirst();
            GateRecord last = records.isEmpty() ? null : records.get(records.size() - 1);
            String comparison = records.stream().map(GateRecord::comparison).filter(Objects::nonNull).reduce((a, b) -> b).orElse(null);
            Double threshold = records.stream().map(GateRecord::threshold).filter(Objects::nonNull).reduce((a, b) -> b).orElse(null);
            String outcome = verdict.map(v -> v.outcome().name()).orElseGet(() -> derivedVerdict(s, name, last));
            gates.add(new Gate(name, outcome, verdict.map(GateVerdict::summary).orElse(null), comparison, threshold, evaluations, omitted,
                    omitted.stream().mapToInt(Omitted::count).sum()));
        });
        return gates;
    }

    /**
     * A journal from before verdicts were kept: the gate passed when its action is done; it failed as its last
     * evaluation did when the step's failure names it; otherwise the journal does not say ({@code null}).
     */
    private static String derivedVerdict(StepRecord s, String gate, GateRecord last) {
        String action = gate.equals("proxy-sync") ? "proxy-sync" : "metric-gates";
        Optional<ActionRecord> a = s.action(action);
        if (a.isPresent() && (a.get().state() == ActionState.DONE)) {
            return GateOutcome.PASS.name();
        }
        if (last != null && s.failure().filter(f -> f.contains(gate + ": ")).isPresent()) {
            return last.outcome().name();
        }
        return null;
    }

    /** The one line that says how the run ended: first in the Markdown comment, the HTML page's heading. */
    private static String summary(RunRecord r, List<Step> steps, Counts c) {
        List<String> parts = new ArrayList<>();
        for (Step s : steps) {
            if (s.outcome().failed() || s.outcome() == Outcome.ROLLBACK_INCOMPLETE) {
                List<Gate> failed = s.failedGates();
                String why = failed.isEmpty() ? firstAction(s.failure())
                        : String.join(", ", failed.stream().map(g -> g.name() + " " + g.verdict()).toList());
                parts.add("step " + s.id() + " " + s.outcome().words() + (why == null ? "" : " (" + why + ")"));
            }
        }
        List<String> rolledBack = steps.stream().filter(s -> s.outcome() == Outcome.ROLLED_BACK).map(Step::id).toList();
        if (!rolledBack.isEmpty()) {
            parts.add("rolled back with it: " + String.join(", ", rolledBack));
        }
        parts.add(c.moved() + " of " + c.steps() + " step" + (c.steps() == 1 ? "" : "s") + " moved to " + r.toLabel());
        if (c.notStarted() > 0 && c.notStarted() < c.steps()) {
            parts.add(c.notStarted() + " not started");
        }
        steps.stream().filter(s -> s.overrun().isPresent()).forEach(s -> parts.add("step " + s.id() + " " + s.overrun().get()));
        if (r.state() == RunState.PAUSED) {
            parts.add("paused");
        } else if (r.state() == RunState.RUNNING) {
            parts.add("still running, or its process was stopped");
        }
        return r.state() + ": " + String.join("; ", parts);
    }

    private static String firstAction(String failure) {
        if (failure == null) {
            return null;
        }
        int colon = failure.indexOf(':');
        return colon > 0 ? failure.substring(0, colon) + " failed" : failure;
    }

    /**
     * The workloads a step left behind ({@code revroll.dev/skip}) and what it could not restart make-before-break, each
     * with what a person must do (docs/kubernetes-rollouts.md#per-workload-control).
     */
    private static List<String> workloadsForAPerson(RunRecord r) {
        List<String> todo = new ArrayList<>();
        for (RunRecord.StepRecord s : r.steps()) {
            for (String w : s.leftBehind()) {
                todo.add("Step " + s.id() + " left " + w + " (revroll.dev/skip) on revision " + s.fromRevision().orElse("(the old one)")
                        + ": restart it when it may move (kubectl -n " + s.namespace() + " rollout restart "
                        + w.toLowerCase(java.util.Locale.ROOT) + ")");
            }
            for (RunRecord.Attention a : s.attention()) {
                todo.add("Step " + s.id() + ": " + a.subject() + " cannot be restarted make-before-break (" + a.why() + "): " + a.todo());
            }
        }
        return todo;
    }

    /** What a person must do; empty when the run ended clean. */
    private static List<String> whatToDo(RunRecord r, List<Step> steps) {
        List<String> todo = new ArrayList<>();
        String plan = r.planPath() == null ? "PLAN" : r.planPath();
        switch (r.state()) {
            case DONE -> {
            }
            case ROLLED_BACK -> {
                for (Step s : steps.stream().filter(s -> s.outcome() == Outcome.FAILED_ROLLED_BACK).toList()) {
                    todo.add("Step " + s.id() + " failed and was rolled back: namespace " + s.namespace() + " is back on revision "
                            + Optional.ofNullable(s.fromRevision()).orElse("(the old one)")
                            + (s.gitRevert() != null ? " and its Git commit " + s.gitCommit() + " is reverted by " + s.gitRevert() : "")
                            + ". Find out why (" + s.failure() + "), fix it, then start a new run: revroll run " + plan);
                }
            }
            case PAUSED -> {
                for (Step s : steps.stream().filter(s -> s.outcome() == Outcome.FAILED_PAUSED).toList()) {
                    todo.add("Step " + s.id() + " failed and was left as it is (onFailure: pause): look at namespace " + s.namespace()
                            + " (" + s.failure() + "), then continue with 'revroll resume " + r.runId() + "' or undo with 'revroll rollback "
                            + r.runId() + "'");
                }
                todo.add("The run is paused" + (r.message() == null ? "" : ": " + r.message()) + ". Continue it with 'revroll resume "
                        + r.runId() + "'");
            }
            case ROLLBACK_INCOMPLETE -> {
                String msg = r.message() == null ? "" : r.message();
                int at = msg.indexOf("What a person must do:");
                if (at >= 0) {
                    msg.substring(at + "What a person must do:".length()).lines().map(String::strip).filter(l -> !l.isEmpty())
                            .map(l -> l.replaceFirst("^\\d+\\.\\s*", "")).forEach(todo::add);
                } else {
                    todo.add("The rollback did not complete" + (msg.isEmpty() ? "" : ": " + msg) + ". Put the namespaces back by hand, then run 'revroll rollback "
                            + r.runId() + "' to re-check");
                }
            }
            case RUNNING, FAILED -> todo.add("The run did not finish (its process may have been stopped). When no revroll process holds the lock"
                    + " (Lease revroll-lock in " + r.controlPlaneNamespace() + "), continue it with 'revroll resume " + r.runId()
                    + "' or undo it with 'revroll rollback " + r.runId() + "'");
        }
        steps.stream().filter(s -> s.breakGlass() != null).findFirst().ifPresent(s -> todo.add(
                "Namespaces were rolled back without Git (break-glass); Git still says the new revision. Run 'revroll reconcile " + plan
                        + "' when the remote answers, and keep the GitOps sync of those namespaces suspended until then"));
        return List.copyOf(todo);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Every gate of every step with its step, in step order: what the renderers go through for gate sections. */
    public Stream<StepGate> stepGates() {
        return steps.stream().flatMap(s -> s.gates().stream().map(g -> new StepGate(s, g)));
    }

    public record StepGate(Step step, Gate gate) {
    }

    /** The step with this id. */
    public Optional<Step> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** An ISO-8601 instant, or {@code null} when absent or not one. */
    public static Instant instant(String at) {
        if (at == null) {
            return null;
        }
        try {
            return Instant.parse(at);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int compareTimes(String a, String b) {
        Instant ia = instant(a);
        Instant ib = instant(b);
        if (ia != null && ib != null) {
            return ia.compareTo(ib);
        }
        return a.compareTo(b);
    }

    /** The omitted evaluations as a person reads them: "12 passing evaluations omitted (from … to …)". */
    public static String omittedText(Omitted o) {
        return o.count() + " " + (o.outcome().equals(GateOutcome.PASS.name()) ? "passing" : o.outcome()) + " evaluation"
                + (o.count() == 1 ? "" : "s") + " omitted (" + o.from() + " to " + o.to() + ") to keep the journal within its size limit";
    }

    /** Seconds with up to one decimal: "12.5s". */
    public static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
