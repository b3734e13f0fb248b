package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.RunState;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.errors.LockedException;
import dev.revroll.errors.UsageException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code revroll run PLAN} does about earlier runs of the same plan (by name) that are not finished
 * (docs/maintenance-windows.md#the-next-start-continues-the-run): the same plan content (hash) continues the newest
 * of them, as {@code resume} would; a changed plan is refused, saying what changed and how to go on, until that run
 * is finished or rolled back. Pure: the runs, the plan's hash and the lock's holder decide.
 */
public final class OpenRuns {

    private OpenRuns() {
    }

    /** The waves and namespaces of the plan as it is now, and its target, for saying what changed. */
    public record Now(String file, String hash, Optional<Map<String, List<String>>> waves, Optional<String> toLabel) {
    }

    /**
     * The run to continue, if any. Throws {@link UsageException} (exit 2) for a changed plan or a run that is being
     * rolled back, and {@link LockedException} (exit 6) when that run's process holds the lock now.
     */
    public static Optional<RunRecord> toContinue(String planName, List<RunRecord> runsOfPlan, Now now, Optional<String> lockHolder) {
        List<RunRecord> open = runsOfPlan.stream().filter(r -> planName.equals(r.planName())).filter(r -> !r.state().finished()).toList();
        if (open.isEmpty()) {
            return Optional.empty();
        }
        for (RunRecord r : open) {
            if (r.planHash() == null || !r.planHash().equals(now.hash())) {
                throw new UsageException(changed(planName, r, now));
            }
        }
        RunRecord run = open.get(0);
        if (lockHolder.filter(run.runId()::equals).isPresent()) {
            throw new LockedException("run " + run.runId() + " of plan " + planName + " is going now (it holds the run lock); "
                    + "wait for it to end, or follow it with 'revroll status " + run.runId() + "'");
        }
        boolean undoing = run.steps().stream().anyMatch(s -> s.state().undoing());
        if (run.state() == RunState.ROLLBACK_INCOMPLETE || undoing) {
            throw new UsageException("run " + run.runId() + " of plan " + planName + " was being rolled back (" + run.state()
                    + "); finish that with 'revroll rollback " + run.runId() + "' before running the plan again");
        }
        return Optional.of(run);
    }

    /** The refusal of a changed plan: which run, what differs (hash, waves and namespaces, target), what to do. */
    static String changed(String planName, RunRecord run, Now now) {
        StringBuilder sb = new StringBuilder();
        sb.append("plan ").append(planName).append(" (").append(now.file()).append(") is not the plan its unfinished run ")
                .append(run.runId()).append(" was started with (that run is ").append(run.state()).append(")");
        sb.append("\n  plan content (sha256): was ").append(shortHash(run.planHash())).append(", is now ").append(shortHash(now.hash()));
        now.toLabel().filter(to -> !to.equals(run.toLabel())).ifPresent(to ->
                sb.append("\n  revision.to: was ").append(run.toLabel()).append(", is now ").append(to));
        List<String> waveChanges = now.waves().map(w -> waveChanges(run, w)).orElse(List.of());
        if (now.waves().isPresent() && waveChanges.isEmpty()) {
            sb.append("\n  waves and namespaces: the same; other fields changed (gates, timings, window, ...)");
        }
        waveChanges.forEach(c -> sb.append("\n  ").append(c));
        boolean started = run.steps().stream().anyMatch(StepRecord::started);
        sb.append("\nNothing was touched. Finish run ").append(run.runId()).append(" first, with the plan it started with: put that file back (")
                .append(run.planPath() == null ? "its sha256 above" : run.planPath() + ", sha256 " + shortHash(run.planHash()))
                .append(") and run 'revroll resume ").append(run.runId()).append("' (or 'revroll run' it again), or undo it with 'revroll rollback ")
                .append(run.runId()).append("'");
        if (!started) {
            sb.append(" (it started no step, so that touches nothing and takes any plan file: --plan ").append(now.file()).append(")");
        }
        sb.append("; then run the changed plan.");
        return sb.toString();
    }

    private static List<String> waveChanges(RunRecord run, Map<String, List<String>> nowWaves) {
        Map<String, Set<String>> before = new LinkedHashMap<>();
        for (StepRecord s : run.steps()) {
            before.computeIfAbsent(s.wave(), w -> new LinkedHashSet<>()).add(s.namespace());
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> w : nowWaves.entrySet()) {
            Set<String> was = before.get(w.getKey());
            if (was == null) {
                out.add("wave " + w.getKey() + " is new" + (w.getValue().isEmpty() ? "" : ": " + String.join(", ", w.getValue())));
                continue;
            }
            List<String> added = w.getValue().stream().filter(ns -> !was.contains(ns)).toList();
            List<String> removed = was.stream().filter(ns -> !w.getValue().contains(ns)).toList();
            if (!added.isEmpty() || !removed.isEmpty()) {
                out.add("wave " + w.getKey() + ":" + (added.isEmpty() ? "" : " namespaces added " + String.join(", ", added))
                        + (added.isEmpty() || removed.isEmpty() ? "" : ";") + (removed.isEmpty() ? "" : " namespaces removed " + String.join(", ", removed)));
            }
        }
        before.forEach((wave, namespaces) -> {
            if (!nowWaves.containsKey(wave)) {
                out.add("wave " + wave + " is gone (it had " + String.join(", ", namespaces) + ")");
            }
        });
        return out;
    }

    private static String shortHash(String hash) {
        return hash == null ? "unknown" : hash.length() > 12 ? hash.substring(0, 12) : hash;
    }
}
