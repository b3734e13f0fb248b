package dev.revroll.engine;

import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.ClusterRecords.BreakGlassMark;
import dev.revroll.engine.step.Patches;
import dev.revroll.errors.GitRecordException;
import dev.revroll.plan.Plan;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.GitOpsRepository.StepChange;
import dev.revroll.ports.InjectionLabels;
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Drift between the Git record and the cluster, for every namespace a plan touches (its wave members, resolved by
 * {@link WaveMembership} as a run resolves them): {@link #check} compares the injection labels
 * ({@code istio.io/rev}, {@code istio-injection}) in Git at the remote's head with the namespace in the cluster, and
 * counts a break-glass mark as drift; {@link #reconcile} brings Git back in line after a break-glass rollback, writing
 * the revert the rollback could not make and then removing the mark. Both are safe to run again.
 */
public final class GitDrift {

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

    /** What reconcile did for one namespace: the revert id ("" when the commit never reached the remote). */
    public record Reconciled(String namespace, BreakGlassMark mark, String revertCommit, String note) {
    }

    private final Plan plan;
    private final KubernetesGateway kube;
    private final GitOpsRepository git;

    public GitDrift(Plan plan, KubernetesGateway kube, GitOpsRepository git) {
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

    /**
     * For every namespace with a {@code revroll.dev/break-glass} mark: the revert of the step's commit pushed (one
     * already on the remote is found by its trailer), then the mark removed. The first failure stops; the marks not
     * yet handled stay for the next run.
     */
    public List<Reconciled> reconcile() {
        List<Reconciled> done = new ArrayList<>();
        for (String ns : WaveMembership.namespaces(plan, kube)) {
            Optional<NamespaceState> state = kube.namespace(ns);
            Optional<String> json = state.map(NamespaceState::annotations).map(a -> a.get(ClusterRecords.BREAK_GLASS));
            if (json.isEmpty()) {
                continue;
            }
            BreakGlassMark mark = ClusterRecords.breakGlass(ns, json.get());
            StepChange change = new StepChange(plan.name(), mark.run(), mark.step(), ns, plan.spec().revision().to(), Map.of());
            String revert;
            String note;
            try {
                revert = git.revert(change, mark.commit());
                note = "reverted " + mark.commit() + " with " + revert;
            } catch (GitRecordException e) {
                if (e.reason() != GitRecordException.Reason.NOT_ON_REMOTE) {
                    throw e;
                }
                revert = "";
                note = "commit " + mark.commit() + " never reached the remote; Git already matches the cluster";
            }
            kube.patch(new NamespaceRef(ns), Patches.annotation(ClusterRecords.BREAK_GLASS, null), false);
            done.add(new Reconciled(ns, mark, revert, note));
        }
        return done;
    }

    private static String shown(String value) {
        return value == null ? "(absent)" : value;
    }

    private static String abbreviate(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
