package dev.revroll.engine;

import dev.revroll.plan.Plan;
import dev.revroll.plan.ProtectedNamespaces;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which namespaces each wave of a plan names, resolved against the cluster once, for every use case: the wave's
 * listed namespaces, then those its selector matches now (by name), minus the wave's {@code exclude} and protected
 * namespaces, each left out with its reason. A run's layout ({@link StepPlanner}) adds its own skips on top (a
 * namespace already moved, not meshed, in an earlier wave's step); drift and reconcile compare and repair every
 * member.
 */
public final class WaveMembership {

    /**
     * A namespace the wave names, with the state the cluster gave (empty: no such namespace) and, when the wave leaves
     * it out, why.
     */
    public record Candidate(String name, Optional<NamespaceState> state, Optional<String> leftOut) {
        public boolean member() {
            return leftOut.isEmpty();
        }
    }

    /** One wave's candidates, in order: listed ones first, then the selector's by name. */
    public record Members(int index, Plan.Wave wave, List<Candidate> candidates) {
        public List<String> members() {
            return candidates.stream().filter(Candidate::member).map(Candidate::name).toList();
        }
    }

    private WaveMembership() {
    }

    /** From this many listed namespaces on, they are read with one list of all namespaces instead of one read each. */
    static final int LIST_ALL_FROM = 20;

    public static List<Members> resolve(Plan plan, KubernetesGateway gateway) {
        List<Members> waves = new ArrayList<>();
        int index = 0;
        boolean listAll = plan.spec().waves().stream().mapToInt(w -> w.namespaces().size()).sum() >= LIST_ALL_FROM;
        Map<String, NamespaceState> all = new java.util.HashMap<>();
        if (listAll) {
            gateway.namespaces(null).forEach(ns -> all.put(ns.name(), ns));
        }
        for (Plan.Wave wave : plan.spec().waves()) {
            Map<String, Optional<NamespaceState>> candidates = new LinkedHashMap<>();
            for (String name : wave.namespaces()) {
                candidates.put(name, listAll ? Optional.ofNullable(all.get(name)) : gateway.namespace(name));
            }
            wave.selector().ifPresent(sel -> gateway.namespaces(sel).stream()
                    .sorted(Comparator.comparing(NamespaceState::name))
                    .forEach(ns -> candidates.putIfAbsent(ns.name(), Optional.of(ns))));
            List<Candidate> named = new ArrayList<>();
            candidates.forEach((name, state) -> named.add(new Candidate(name, state, leftOut(plan, wave, name))));
            waves.add(new Members(index++, wave, named));
        }
        return waves;
    }

    private static Optional<String> leftOut(Plan plan, Plan.Wave wave, String name) {
        if (wave.exclude().contains(name)) {
            return Optional.of("excluded by the wave");
        }
        if (ProtectedNamespaces.isProtected(name, plan)) {
            return Optional.of("protected namespace (system or control plane); never a target");
        }
        return Optional.empty();
    }

    /** Every namespace the plan touches, once, in wave order (drift and reconcile). */
    public static List<String> namespaces(Plan plan, KubernetesGateway gateway) {
        Set<String> names = new LinkedHashSet<>();
        resolve(plan, gateway).forEach(w -> names.addAll(w.members()));
        return List.copyOf(names);
    }
}
