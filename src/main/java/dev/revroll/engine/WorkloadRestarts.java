package dev.revroll.engine;

import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord.SavedStrategy;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.ClusterEvent;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Restarts a step's workloads as {@code kubectl rollout restart} does (one {@code restartedAt} value per run and
 * step, so a workload already carrying it is not restarted again), makes it make-before-break per
 * {@code restart.surge}, deletes {@code OnDelete} StatefulSet pods one at a time, and waits by kubectl's rule.
 */
final class WorkloadRestarts {

    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    static final String SAVED_ANNOTATION = "revroll.dev/saved-rolling-update";

    private final RunContext ctx;

    WorkloadRestarts(RunContext ctx) {
        this.ctx = ctx;
    }

    static WorkloadRef ref(String namespace, String key) {
        int slash = key.indexOf('/');
        return new WorkloadRef(WorkloadKind.valueOf(key.substring(0, slash)), namespace, key.substring(slash + 1));
    }

    private StepRecord step(String id) {
        return ctx.journal().read(r -> r.step(id).orElseThrow());
    }

    /** surge: enforce — maxUnavailable 0 / maxSurge 1 on RollingUpdate Deployments and DaemonSets; old values kept in the journal and an annotation. */
    void enforceSurge(String stepId) {
        if (ctx.plan().spec().restart().surge() != SurgePolicy.ENFORCE) {
            return;
        }
        StepRecord s = step(stepId);
        for (String key : List.copyOf(s.workloads)) {
            WorkloadRef ref = ref(s.namespace, key);
            Optional<Workload> w = ctx.gateway().workload(ref);
            if (w.isEmpty() || ref.kind() == WorkloadKind.StatefulSet || !"RollingUpdate".equals(w.get().strategyType())
                    || WorkloadPlan.makeBeforeBreak(w.get())) {
                continue;
            }
            SavedStrategy saved = new SavedStrategy(w.get().maxUnavailable().orElse(null), w.get().maxSurge().orElse(null));
            ctx.journal().update(r -> r.step(stepId).orElseThrow().savedStrategies.putIfAbsent(key, saved));
            Map<String, String> ann = new HashMap<>();
            ann.put(SAVED_ANNOTATION, json(saved));
            ctx.gateway().annotateWorkload(ref, ann, false);
            ctx.gateway().patchRollingUpdate(ref, "0", "1", false);
        }
    }

    private static String json(SavedStrategy saved) {
        try {
            return RunJournal.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(saved);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts back the rolling-update values revroll changed (idempotent). */
    void restoreSurge(String stepId) {
        StepRecord s = step(stepId);
        Map<String, SavedStrategy> saved = ctx.journal().read(r -> new LinkedHashMap<>(r.step(stepId).orElseThrow().savedStrategies));
        for (Map.Entry<String, SavedStrategy> e : saved.entrySet()) {
            WorkloadRef ref = ref(s.namespace, e.getKey());
            if (ctx.gateway().workload(ref).isPresent()) {
                ctx.gateway().patchRollingUpdate(ref, e.getValue().maxUnavailable, e.getValue().maxSurge, false);
                Map<String, String> ann = new HashMap<>();
                ann.put(SAVED_ANNOTATION, null);
                ctx.gateway().annotateWorkload(ref, ann, false);
            }
            ctx.journal().update(r -> r.step(stepId).orElseThrow().savedStrategies.remove(e.getKey()));
        }
    }

    /** Restarts every workload of the step with {@code restartedAt}, skipping those whose template already carries it. */
    List<String> restart(String stepId, String restartedAt, Function<Workload, Boolean> needsRestart) {
        StepRecord s = step(stepId);
        List<String> restarted = new ArrayList<>();
        for (String key : s.workloads) {
            WorkloadRef ref = ref(s.namespace, key);
            Optional<Workload> w = ctx.gateway().workload(ref);
            if (w.isEmpty()) {
                continue;
            }
            if (restartedAt.equals(w.get().podTemplateAnnotations().get(RESTARTED_AT)) || !needsRestart.apply(w.get())) {
                continue;
            }
            ctx.gateway().restart(ref, restartedAt, false);
            restarted.add(key);
        }
        for (String key : s.workloads) {
            WorkloadRef ref = ref(s.namespace, key);
            ctx.gateway().workload(ref).filter(w -> "OnDelete".equals(w.strategyType()))
                    .ifPresent(w -> replaceOnDeletePods(w, Instant.parse(restartedAt)));
        }
        return restarted;
    }

    /** OnDelete StatefulSets: delete the pods older than the restart one at a time, each replacement waited for. */
    private void replaceOnDeletePods(Workload w, Instant restartedAt) {
        Duration timeout = ctx.plan().spec().restart().timeout();
        while (true) {
            List<PodState> old = podsOf(w.ref()).stream().filter(p -> !p.deleting() && p.created().isBefore(restartedAt))
                    .sorted(java.util.Comparator.comparing(PodState::name).reversed()).toList();
            if (old.isEmpty()) {
                return;
            }
            PodState victim = old.get(0);
            ctx.gateway().deletePod(victim.namespace(), victim.name());
            List<PodState> after = ctx.polling().until("replace-" + victim.name(), timeout, () -> podsOf(w.ref()),
                    pods -> pods.stream().anyMatch(p -> p.name().equals(victim.name()) && !p.deleting()
                            && !p.created().isBefore(restartedAt) && p.ready()));
            if (after.stream().noneMatch(p -> p.name().equals(victim.name()) && p.ready() && !p.created().isBefore(restartedAt))) {
                throw new StepFailure("pod " + victim.namespace() + "/" + victim.name() + " of " + w.ref()
                        + " (OnDelete) was deleted but its replacement is not Ready within " + Polling.human(timeout) + eventsHint(w.ref().namespace()));
            }
        }
    }

    List<PodState> podsOf(WorkloadRef ref) {
        return ctx.gateway().pods(ref.namespace()).stream().filter(p -> p.owner().filter(ref::equals).isPresent()).toList();
    }

    /** Waits for every rollout of the step by kubectl's rule within restart.timeout; a stall names FailedCreate events. */
    void waitRollouts(String stepId) {
        StepRecord s = step(stepId);
        Duration timeout = ctx.plan().spec().restart().timeout();
        List<WorkloadRef> refs = s.workloads.stream().map(k -> ref(s.namespace, k)).toList();
        Map<WorkloadRef, RolloutState> states = ctx.polling().until("rollouts-" + s.namespace, timeout, () -> {
            Map<WorkloadRef, RolloutState> m = new LinkedHashMap<>();
            for (WorkloadRef ref : refs) {
                Optional<Workload> w = ctx.gateway().workload(ref);
                if (w.isEmpty() || "OnDelete".equals(w.get().strategyType())) {
                    continue;
                }
                m.put(ref, ctx.gateway().rolloutState(ref));
            }
            return m;
        }, m -> m.values().stream().allMatch(RolloutState::done) || m.values().stream().anyMatch(RolloutState::failed));
        List<String> stuck = states.entrySet().stream().filter(e -> !e.getValue().done())
                .map(e -> e.getKey().kind() + "/" + e.getKey().name() + ": " + e.getValue().message()).toList();
        if (!stuck.isEmpty()) {
            throw new StepFailure("rollout not complete within " + Polling.human(timeout) + " in " + s.namespace + ": "
                    + String.join("; ", stuck) + eventsHint(s.namespace));
        }
    }

    private String eventsHint(String namespace) {
        try {
            List<ClusterEvent> events = ctx.gateway().warningEvents(namespace, Duration.ofMinutes(30)).stream()
                    .filter(e -> e.reason().equals("FailedCreate")).toList();
            if (events.isEmpty()) {
                return "";
            }
            ClusterEvent last = events.get(events.size() - 1);
            return "; FailedCreate on " + last.involvedKind() + "/" + last.involvedName() + ": " + last.message()
                    + " (is the injector webhook answering?)";
        } catch (RuntimeException e) {
            return "";
        }
    }
}
