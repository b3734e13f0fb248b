package dev.revroll.engine.step;

import dev.revroll.engine.Failpoints;
import dev.revroll.engine.ProxySyncGate;
import dev.revroll.engine.RunEvent;
import dev.revroll.engine.StepFailure;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.engine.step.StepScope.Toward;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.Workload;

import java.time.Duration;
import java.time.Instant;
import dev.revroll.engine.WorkloadControl;
import dev.revroll.engine.WorkloadControl.Group;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Restarts the step's workloads as {@code kubectl rollout restart} does, with one {@code restartedAt} per run and step
 * (a workload already carrying it is not restarted again: docs/kubernetes-rollouts.md#restarting-like-kubectl-rollout-restart).
 * {@code OnDelete} workloads get their old pods deleted one at a time, each replacement waited for. Toward the
 * previous revision (an undo) it restarts, with the step's rollback value, what the forward restart restarted or what
 * runs on the target revision. With {@code revroll.dev/order} groups or {@code restart.maxConcurrentRestarts} it
 * restarts group after group and waits for each group's rollouts itself, never more than the cap mid-rollout at once
 * (docs/kubernetes-rollouts.md#restart-order-and-the-cap).
 */
public record Restart() implements Action {

    @Override
    public String id() {
        return "restart";
    }

    @Override
    public String does() {
        return "restart the selected workloads (make-before-break per restart.surge)";
    }

    @Override
    public List<Write> writes(StepScope step) {
        String restartedAt = restartedAt(step);
        List<Workload> workloads = inGroupOrder(step.workloadsNow(), groups(step));
        List<Write> writes = new ArrayList<>();
        for (Workload w : toRestart(step, workloads, restartedAt)) {
            writes.add(new Write.Patch(w.ref(), Patches.restart(restartedAt), "restart " + w.ref().key()));
        }
        List<Workload> onDelete = onDelete(workloads);
        Instant since = onDelete.isEmpty() ? null : Instant.parse(restartedAt);
        for (Workload w : onDelete) {
            for (PodState p : oldPods(step, w, since)) {
                writes.add(new Write.Delete(new PodRef(p.namespace(), p.name()), "replace pod " + p.name() + " of " + w.ref().key() + " (OnDelete)"));
            }
        }
        return writes;
    }

    @Override
    public void apply(StepScope step) {
        String restartedAt = step.toward() == Toward.TARGET ? restartedAt(step) : recordRollbackRestart(step);
        List<Group> groups = groups(step);
        OptionalInt cap = step.plan().spec().restart().maxConcurrentRestarts();
        if (groups.size() > 1 || cap.isPresent()) {
            inGroups(step, groups, cap, restartedAt);
            return;
        }
        List<Workload> workloads = step.workloadsNow();
        List<String> restarted = new ArrayList<>();
        for (Workload w : toRestart(step, workloads, restartedAt)) {
            step.send(new Write.Patch(w.ref(), Patches.restart(restartedAt), "restart " + w.ref().key()));
            restarted.add(w.ref().key());
            // a test hook (docs/architecture.md#failpoints-a-test-hook): killed between two workloads' restarts
            Failpoints.reach(step.toward() == Toward.TARGET ? "in:restart" : "undo-in:restart");
        }
        for (Workload w : onDelete(workloads)) {
            replaceOldPods(step, w, Instant.parse(restartedAt));
        }
        step.emit(RunEvent.Type.WAITING, restarted.isEmpty()
                ? "no workload needed a restart (already restarted with " + restartedAt + ")"
                : "restarted " + String.join(", ", restarted), Map.of("restarted", restarted, "restartedAt", restartedAt));
    }

    /** Preview sends what {@link #writes} declares (OnDelete deletions included) as dry run, and waits for nothing. */
    @Override
    public void preview(StepScope step) {
        step.send(writes(step));
    }

    @Override
    public Undo undo() {
        // the pods go back with the namespace's labels: see Relabel's undo
        return Undo.NOTHING;
    }

    /**
     * The step's restart groups as they run: by {@code revroll.dev/order}, lowest first; back (an undo), highest first,
     * so that the last to move is the first to go back (docs/kubernetes-rollouts.md#restart-order-and-the-cap).
     */
    static List<Group> groups(StepScope step) {
        StepRecord s = step.record();
        List<Group> groups = new ArrayList<>(WorkloadControl.groups(s.workloads(), s.restartOrder()));
        if (step.toward() == Toward.PREVIOUS) {
            Collections.reverse(groups);
        }
        return groups;
    }

    private static List<Workload> inGroupOrder(List<Workload> workloads, List<Group> groups) {
        List<Workload> out = new ArrayList<>();
        for (Group g : groups) {
            workloads.stream().filter(w -> g.workloads().contains(w.ref().key())).forEach(out::add);
        }
        return out;
    }

    /**
     * Group after group, each rolled out before the next is restarted, with at most {@code cap} workloads of the
     * namespace mid-rollout at once (the next one restarted as soon as one is done). How many groups have rolled out is
     * journaled after each, so a resumed restart goes on at the group it was in; inside that group what already carries
     * {@code restartedAt} is counted as mid-rollout until it is done, so the cap holds across a kill too.
     */
    private static void inGroups(StepScope step, List<Group> groups, OptionalInt cap, String restartedAt) {
        boolean back = step.toward() == Toward.PREVIOUS;
        List<String> restarted = new ArrayList<>();
        String capText = cap.isPresent() ? ", at most " + cap.getAsInt() + " at once" : "";
        for (int i = step.record().groupsRolledOut(back); i < groups.size(); i++) {
            Group g = groups.get(i);
            String which = "restart group " + (i + 1) + " of " + groups.size() + " (order " + g.order() + ")";
            step.emit(RunEvent.Type.WAITING, which + ": " + String.join(", ", g.workloads()) + capText,
                    Map.of("group", i + 1, "groups", groups.size(), "order", g.order(), "workloads", g.workloads()));
            restarted.addAll(rollOut(step, g, cap.orElse(Integer.MAX_VALUE), restartedAt));
            int n = i + 1;
            step.update(r -> r.groupRolledOut(back, n));
            // a test hook (docs/architecture.md#failpoints-a-test-hook): killed with a group journaled as rolled out
            Failpoints.reach(back ? "undo-in:restart-group" : "in:restart-group");
            step.emit(RunEvent.Type.WAITING, which + " rolled out", Map.of("group", n, "groups", groups.size(), "order", g.order()));
        }
        step.emit(RunEvent.Type.WAITING, restarted.isEmpty()
                ? "no workload needed a restart (already restarted with " + restartedAt + ")"
                : "restarted " + String.join(", ", restarted), Map.of("restarted", restarted, "restartedAt", restartedAt));
    }

    /** One group: a sliding window of at most {@code cap} rollouts, then its OnDelete workloads pod by pod. */
    private static List<String> rollOut(StepScope step, Group group, int cap, String restartedAt) {
        List<Workload> members = step.workloadsNow().stream().filter(w -> group.workloads().contains(w.ref().key())).toList();
        List<Workload> rolling = members.stream().filter(w -> !"OnDelete".equals(w.strategyType())).toList();
        List<Workload> toRestart = toRestart(step, rolling, restartedAt);
        Deque<Workload> pending = new ArrayDeque<>(toRestart);
        // restarted before an interruption: mid-rollout until done
        List<WorkloadRef> inFlight = new ArrayList<>(rolling.stream().filter(w -> !toRestart.contains(w))
                .filter(w -> restartedAt.equals(w.podTemplateAnnotations().get(Patches.RESTARTED_AT))).map(Workload::ref).toList());
        List<String> restarted = new ArrayList<>();
        String namespace = step.record().namespace();
        Duration timeout = step.restartTimeout();
        if (!pending.isEmpty() || !inFlight.isEmpty()) {
            Set<WorkloadKind> kinds = EnumSet.noneOf(WorkloadKind.class);
            rolling.forEach(w -> kinds.add(w.ref().kind()));
            try (KubernetesGateway.WorkloadView view = step.cluster().watchWorkloads(namespace, kinds)) {
                while (!pending.isEmpty() || !inFlight.isEmpty()) {
                    while (inFlight.size() < cap && !pending.isEmpty()) {
                        Workload w = pending.poll();
                        step.send(new Write.Patch(w.ref(), Patches.restart(restartedAt), "restart " + w.ref().key()));
                        inFlight.add(w.ref());
                        restarted.add(w.ref().key());
                        // a test hook (docs/architecture.md#failpoints-a-test-hook): killed between two workloads' restarts
                        Failpoints.reach(step.toward() == Toward.TARGET ? "in:restart" : "undo-in:restart");
                    }
                    boolean last = pending.isEmpty();
                    Map<WorkloadRef, RolloutState> states = step.pollOnChange("rollouts-" + namespace, timeout, view,
                            () -> states(view, inFlight, restartedAt),
                            m -> m.values().stream().anyMatch(RolloutState::failed)
                                    || (last ? m.values().stream().allMatch(RolloutState::done) : m.values().stream().anyMatch(RolloutState::done)));
                    List<String> failed = states.entrySet().stream().filter(e -> e.getValue().failed())
                            .map(e -> e.getKey().key() + ": " + e.getValue().message()).toList();
                    boolean progressed = last ? states.values().stream().allMatch(RolloutState::done) : states.values().stream().anyMatch(RolloutState::done);
                    if (!failed.isEmpty() || !progressed) {
                        List<String> stuck = failed.isEmpty() ? states.entrySet().stream().filter(e -> !e.getValue().done())
                                .map(e -> e.getKey().key() + ": " + e.getValue().message()).toList() : failed;
                        throw new StepFailure("rollout not complete within " + StepScope.human(timeout) + " in " + namespace
                                + " (restart order " + group.order() + "): " + String.join("; ", stuck) + step.eventsHint());
                    }
                    inFlight.removeIf(ref -> states.get(ref).done());
                }
            }
        }
        for (Workload w : members) {
            if ("OnDelete".equals(w.strategyType())) {
                replaceOldPods(step, w, Instant.parse(restartedAt));
            }
        }
        return restarted;
    }

    /**
     * Each workload's rollout by kubectl's rule, as the watch last saw it; one whose restart the watch has not seen yet
     * is still mid-rollout (a stale "done" must never free a place under the cap).
     */
    private static Map<WorkloadRef, RolloutState> states(KubernetesGateway.WorkloadView view, List<WorkloadRef> refs, String restartedAt) {
        Map<WorkloadRef, RolloutState> m = new LinkedHashMap<>();
        for (WorkloadRef ref : refs) {
            Optional<Workload> w = view.workload(ref);
            if (w.isPresent() && !restartedAt.equals(w.get().podTemplateAnnotations().get(Patches.RESTARTED_AT))) {
                m.put(ref, new RolloutState(false, false, "waiting for the restart of " + ref.key() + " to be observed"));
                continue;
            }
            m.put(ref, view.rolloutState(ref));
        }
        return m;
    }

    /** Forward: the step's restartedAt. Back: its rollback value (not yet recorded: now). */
    private static String restartedAt(StepScope step) {
        StepRecord s = step.record();
        return step.toward() == Toward.TARGET ? s.restartedAt().orElseThrow()
                : s.rollbackRestartedAt().orElseGet(step::now);
    }

    private static String recordRollbackRestart(StepScope step) {
        String now = step.now();
        step.update(r -> r.rollbackRestart(now));
        return step.record().rollbackRestartedAt().orElseThrow();
    }


    /** The workloads that do not carry {@code restartedAt} yet (back: only those the forward step moved). */
    private static List<Workload> toRestart(StepScope step, List<Workload> workloads, String restartedAt) {
        StepRecord s = step.record();
        String target = step.run().target().revision();
        List<Workload> out = new ArrayList<>();
        for (Workload w : workloads) {
            String current = w.podTemplateAnnotations().get(Patches.RESTARTED_AT);
            if (restartedAt.equals(current)) {
                continue;
            }
            if (step.toward() == Toward.PREVIOUS) {
                boolean forwardRestarted = s.restartedAt().filter(at -> at.equals(current)).isPresent();
                boolean onTarget = step.podsOf(w.ref()).stream().anyMatch(p -> ProxySyncGate.podRevision(p).filter(target::equals).isPresent());
                if (!forwardRestarted && !onTarget) {
                    continue;
                }
            }
            out.add(w);
        }
        return out;
    }

    private static List<Workload> onDelete(List<Workload> workloads) {
        return workloads.stream().filter(w -> "OnDelete".equals(w.strategyType())).toList();
    }

    private static List<PodState> oldPods(StepScope step, Workload w, Instant restartedAt) {
        return step.podsOf(w.ref()).stream().filter(p -> !p.deleting() && p.created().isBefore(restartedAt))
                .sorted(Comparator.comparing(PodState::name).reversed()).toList();
    }

    /** OnDelete: delete the pods older than the restart one at a time, each replacement waited for. */
    private static void replaceOldPods(StepScope step, Workload w, Instant restartedAt) {
        Duration timeout = step.restartTimeout();
        while (true) {
            List<PodState> old = oldPods(step, w, restartedAt);
            if (old.isEmpty()) {
                return;
            }
            PodState victim = old.get(0);
            step.send(new Write.Delete(new PodRef(victim.namespace(), victim.name()), "replace pod " + victim.name() + " of " + w.ref().key() + " (OnDelete)"));
            List<PodState> after = step.poll("replace-" + victim.name(), timeout, () -> step.podsOf(w.ref()),
                    pods -> pods.stream().anyMatch(p -> replaced(p, victim, restartedAt)));
            if (after.stream().noneMatch(p -> replaced(p, victim, restartedAt))) {
                throw new StepFailure("pod " + victim.namespace() + "/" + victim.name() + " of " + w.ref()
                        + " (OnDelete) was deleted but its replacement is not Ready within " + StepScope.human(timeout) + step.eventsHint());
            }
        }
    }

    private static boolean replaced(PodState p, PodState victim, Instant restartedAt) {
        return p.name().equals(victim.name()) && !p.deleting() && !p.created().isBefore(restartedAt) && p.ready();
    }
}
