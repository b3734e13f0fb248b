package dev.revroll.engine;

import dev.revroll.engine.RolloutLayout.NamespaceTarget;
import dev.revroll.engine.RolloutLayout.Skip;
import dev.revroll.engine.RolloutLayout.WaveLayout;
import dev.revroll.plan.Plan;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves the plan's waves against the cluster: listed namespaces plus the selector's, minus {@code exclude}, minus
 * protected namespaces, minus namespaces on another revision than {@code revision.from}. Every skip has a reason.
 */
public final class StepPlanner {

    private final KubernetesGateway gateway;

    public StepPlanner(KubernetesGateway gateway) {
        this.gateway = gateway;
    }

    public RolloutLayout layout(Plan plan, RevisionTarget target, InjectionTable injection) {
        Plan.Spec spec = plan.spec();
        Set<String> seen = new java.util.HashSet<>();
        List<WaveLayout> waves = new ArrayList<>();
        int index = 0;
        for (Plan.Wave wave : spec.waves()) {
            Map<String, Optional<NamespaceState>> candidates = new LinkedHashMap<>();
            for (String name : wave.namespaces()) {
                candidates.put(name, gateway.namespace(name));
            }
            wave.selector().ifPresent(sel -> gateway.namespaces(sel).stream()
                    .sorted(java.util.Comparator.comparing(NamespaceState::name))
                    .forEach(ns -> candidates.putIfAbsent(ns.name(), Optional.of(ns))));
            List<NamespaceTarget> targets = new ArrayList<>();
            List<Skip> skipped = new ArrayList<>();
            for (Map.Entry<String, Optional<NamespaceState>> c : candidates.entrySet()) {
                String name = c.getKey();
                Optional<String> reason = skipReason(plan, target, injection, wave, name, c.getValue(), seen);
                if (reason.isPresent()) {
                    skipped.add(new Skip(name, wave.name(), reason.get()));
                    continue;
                }
                seen.add(name);
                NamespaceState ns = c.getValue().get();
                targets.add(new NamespaceTarget(wave.name(), index, ns, injection.revisionOf(ns.labels())));
            }
            waves.add(new WaveLayout(index, wave.name(), Math.max(1, wave.parallel()), targets, skipped));
            index++;
        }
        return new RolloutLayout(target, waves);
    }

    private static Optional<String> skipReason(Plan plan, RevisionTarget target, InjectionTable injection, Plan.Wave wave,
                                               String name, Optional<NamespaceState> state, Set<String> seen) {
        if (wave.exclude().contains(name)) {
            return Optional.of("excluded by the wave");
        }
        if (isProtected(name, plan)) {
            return Optional.of("protected namespace (system or control plane); never a target");
        }
        if (seen.contains(name)) {
            return Optional.of("already a step of an earlier wave");
        }
        if (state.isEmpty()) {
            return Optional.of("namespace does not exist");
        }
        Map<String, String> labels = state.get().labels();
        if (target.label().equals(labels.get(InjectionTable.REV_LABEL)) && !labels.containsKey(InjectionTable.INJECTION_LABEL)) {
            return Optional.of("already labelled istio.io/rev=" + target.label());
        }
        List<?> injectors = injection.injectorsFor(labels, Map.of());
        if (injectors.isEmpty()) {
            return Optional.of("not meshed: no injector matches its labels " + InjectionTable.injectionLabels(labels));
        }
        Optional<String> current = injection.revisionOf(labels);
        Optional<String> from = plan.spec().revision().from();
        if (from.isPresent() && current.filter(from.get()::equals).isEmpty()
                && !from.get().equals(labels.get(InjectionTable.REV_LABEL))) {
            return Optional.of("on " + current.map(r -> "revision " + r).orElse("no single revision")
                    + ", not on revision.from " + from.get());
        }
        return Optional.empty();
    }

    static boolean isProtected(String name, Plan plan) {
        return dev.revroll.plan.ProtectedNamespaces.isProtected(name, plan);
    }
}
