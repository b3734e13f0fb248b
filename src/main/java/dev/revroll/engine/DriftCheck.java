package dev.revroll.engine;

import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.ClusterRecords.BreakGlassMark;
import dev.revroll.plan.Plan;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.InjectionLabels;
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Compares, for every namespace a plan touches, the injection labels ({@code istio.io/rev}, {@code istio-injection})
 * in Git at the remote's head with the namespace in the cluster. A namespace carrying a break-glass mark is drift
 * too: Git must be brought back in line with {@code revroll reconcile}. The namespaces are the plan's wave members
 * ({@link WaveMembership}), resolved as a run resolves them.
 */
public final class DriftCheck {

    /** One namespace compared. {@code git}/{@code cluster} empty when the manifest / namespace is missing. */
    public record NamespaceDrift(String namespace, Optional<Map<String, String>> git, Optional<Map<String, String>> cluster,
                                 Optional<BreakGlassMark> breakGlass, List<String> differences) {
        public boolean drifted() {
            return !differences.isEmpty();
        }
    }

    public record Report(String planName, String gitRemote, String kubeContext, List<NamespaceDrift> namespaces) {
        public boolean drifted() {
            return namespaces.stream().anyMatch(NamespaceDrift::drifted);
        }

        public List<NamespaceDrift> drifts() {
            return namespaces.stream().filter(NamespaceDrift::drifted).toList();
        }
    }

    private final Plan plan;
    private final KubernetesGateway kube;
    private final GitOpsRepository git;

    public DriftCheck(Plan plan, KubernetesGateway kube, GitOpsRepository git) {
        this.plan = plan;
        this.kube = kube;
        this.git = git;
    }

    public Report check() {
        List<NamespaceDrift> result = new ArrayList<>();
        for (String ns : WaveMembership.namespaces(plan, kube)) {
            result.add(compare(ns));
        }
        return new Report(plan.name(), git.describe(), kube.contextName(), result);
    }

    private NamespaceDrift compare(String ns) {
        Optional<Map<String, String>> inGit = git.labelsAtRemote(ns);
        Optional<NamespaceState> state = kube.namespace(ns);
        Optional<Map<String, String>> inCluster = state.map(s -> InjectionLabels.of(s.labels() == null ? Map.of() : s.labels()));
        Optional<BreakGlassMark> mark = state
                .map(s -> s.annotations() == null ? null : s.annotations().get(ClusterRecords.BREAK_GLASS))
                .map(json -> ClusterRecords.breakGlass(ns, json));
        List<String> differences = new ArrayList<>();
        if (inGit.isEmpty()) {
            differences.add("no Namespace manifest in Git");
        }
        if (inCluster.isEmpty()) {
            differences.add("namespace does not exist in the cluster");
        }
        if (inGit.isPresent() && inCluster.isPresent()) {
            for (String label : InjectionLabels.ALL) {
                String g = inGit.get().get(label);
                String c = inCluster.get().get(label);
                if (!Objects.equals(g, c)) {
                    differences.add(label + ": Git " + shown(g) + ", cluster " + shown(c));
                }
            }
        }
        mark.ifPresent(m -> differences.add("break-glass rollback of step " + m.step() + " (run " + m.run() + ", commit "
                + abbreviate(m.commit()) + (m.at().isEmpty() ? "" : ", at " + m.at())
                + "): Git must be brought back in line: run `revroll reconcile " + plan.source() + "`"));
        return new NamespaceDrift(ns, inGit, inCluster, mark, differences);
    }

    private static String shown(String value) {
        return value == null ? "(absent)" : value;
    }

    private static String abbreviate(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
