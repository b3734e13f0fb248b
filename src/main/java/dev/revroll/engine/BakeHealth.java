package dev.revroll.engine;

import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The step's pods through the bake (docs/gates.md#the-bake-health-watch): the pods that were moved stay Ready and do
 * not restart, no pod that appears runs another revision than the target, and (when the proxy-sync gate is on) their
 * proxies stay SYNCED by {@link ProxySyncGate}'s rule. A problem counts only when two looks in a row see one, so a
 * push still in flight (STALE for a moment) or a single slow answer does not fail the step.
 */
public final class BakeHealth {

    public record Report(boolean healthy, List<String> problems, int pods) {
        public String summary() {
            return healthy ? pods + " pod(s) stayed healthy through the bake" : String.join("; ", problems);
        }
    }

    private final KubernetesGateway gateway;
    private final Optional<ProxySyncGate> proxies;
    private final String controlPlaneNamespace;
    private final String namespace;
    private final String revision;
    private final Predicate<PodState> inScope;
    /** The moved pods at the start of the bake: name → restart count. */
    private final Map<String, Integer> moved;
    private List<String> previous = List.of();

    private BakeHealth(KubernetesGateway gateway, boolean checkProxies, String controlPlaneNamespace, String namespace, String revision,
                       Predicate<PodState> inScope) {
        this.gateway = gateway;
        this.proxies = checkProxies ? Optional.of(new ProxySyncGate(gateway)) : Optional.empty();
        this.controlPlaneNamespace = controlPlaneNamespace;
        this.namespace = namespace;
        this.revision = revision;
        this.inScope = inScope;
        this.moved = live().stream().collect(Collectors.toMap(PodState::name, PodState::restarts, (a, b) -> a));
    }

    /** Takes the moved pods as they are now (the bake starts). */
    public static BakeHealth start(KubernetesGateway gateway, boolean checkProxies, String controlPlaneNamespace, String namespace,
                                   String revision, Predicate<PodState> inScope) {
        return new BakeHealth(gateway, checkProxies, controlPlaneNamespace, namespace, revision, inScope);
    }

    /** Whether the proxies are looked at too (the proxy-sync gate is on). */
    public boolean proxies() {
        return proxies.isPresent();
    }

    /** How many pods the watch started with. */
    public int pods() {
        return moved.size();
    }

    /** One look; unhealthy only when the previous look saw a problem too (this look's problems are the reason). */
    public Report check() {
        List<String> problems = new ArrayList<>();
        List<PodState> pods = live();
        for (PodState p : pods) {
            Integer before = moved.get(p.name());
            Optional<String> rev = ProxySyncGate.podRevision(p);
            if (before == null && rev.isPresent() && !rev.get().equals(revision)) {
                problems.add(p.name() + ": replaced by a pod on revision " + rev.get() + ", not " + revision);
            } else if (before != null && !p.ready()) {
                problems.add(p.name() + ": not Ready");
            } else if (before != null && p.restarts() > before) {
                problems.add(p.name() + ": restarted (restart count " + before + " → " + p.restarts() + ")");
            }
        }
        if (problems.isEmpty() && proxies.isPresent()) {
            ProxySyncGate.Report sync = proxies.get().check(controlPlaneNamespace, namespace, revision, inScope.and(PodState::ready));
            problems.addAll(sync.problems());
        }
        boolean confirmed = !problems.isEmpty() && !previous.isEmpty();
        previous = problems;
        return new Report(!confirmed, problems, pods.size());
    }

    private List<PodState> live() {
        return gateway.pods(namespace).stream().filter(ProxySyncGate::live).filter(inScope).toList();
    }
}
