package dev.revroll.engine;

import dev.revroll.engine.RolloutLayout.NamespaceTarget;
import dev.revroll.engine.RolloutLayout.Skip;
import dev.revroll.engine.RolloutLayout.WaveLayout;
import dev.revroll.plan.Plan;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.InjectionLabels;
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A run's layout: the plan's waves as {@link WaveMembership} resolves them, minus namespaces that are already a step
 * of an earlier wave, do not exist, already carry the target label, are not meshed, or are on another revision than
 * {@code revision.from}. Every skip has a reason.
 */
public final class StepPlanner {

    private final KubernetesGateway gateway;

    public StepPlanner(KubernetesGateway gateway) {
        this.gateway = gateway;
    }

    public RolloutLayout layout(Plan plan, RevisionTarget target, InjectionTable injection) {
        Set<String> seen = new HashSet<>();
        List<WaveLayout> waves = new ArrayList<>();
        for (WaveMembership.Members wave : WaveMembership.resolve(plan, gateway)) {
            List<NamespaceTarget> targets = new ArrayList<>();
            List<Skip> skipped = new ArrayList<>();
            for (WaveMembership.Candidate c : wave.candidates()) {
                String name = c.name();
                Optional<String> reason = c.leftOut().or(() -> skipReason(plan, target, injection, c.state(), seen.contains(name)));
                if (reason.isPresent()) {
                    skipped.add(new Skip(name, wave.wave().name(), reason.get()));
                    continue;
                }
                seen.add(name);
                NamespaceState ns = c.state().get();
                targets.add(new NamespaceTarget(wave.wave().name(), wave.index(), ns, injection.revisionOf(ns.labels())));
            }
            waves.add(new WaveLayout(wave.index(), wave.wave().name(), Math.max(1, wave.wave().parallel()), targets, skipped));
        }
        return new RolloutLayout(target, waves);
    }

    private static Optional<String> skipReason(Plan plan, RevisionTarget target, InjectionTable injection,
                                               Optional<NamespaceState> state, boolean earlierStep) {
        if (earlierStep) {
            return Optional.of("already a step of an earlier wave");
        }
        if (state.isEmpty()) {
            return Optional.of("namespace does not exist");
        }
        Map<String, String> labels = state.get().labels();
        if (target.label().equals(labels.get(InjectionLabels.REVISION)) && !labels.containsKey(InjectionLabels.INJECTION)) {
            return Optional.of("already labelled istio.io/rev=" + target.label());
        }
        List<?> injectors = injection.injectorsFor(labels, Map.of());
        if (injectors.isEmpty()) {
            return Optional.of("not meshed: no injector matches its labels " + InjectionLabels.recorded(labels));
        }
        Optional<String> current = injection.revisionOf(labels);
        Optional<String> from = plan.spec().revision().from();
        if (from.isPresent() && current.filter(from.get()::equals).isEmpty()
                && !from.get().equals(labels.get(InjectionLabels.REVISION))) {
            return Optional.of("on " + current.map(r -> "revision " + r).orElse("no single revision")
                    + ", not on revision.from " + from.get());
        }
        return Optional.empty();
    }
}
