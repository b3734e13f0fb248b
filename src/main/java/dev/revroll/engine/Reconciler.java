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
import dev.revroll.ports.KubernetesGateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brings Git back in line after a break-glass rollback: for every namespace of the plan that carries a
 * {@code revroll.dev/break-glass} mark, writes and pushes the revert of the step's commit that the rollback could not
 * make, then removes the mark. Idempotent: a revert already on the remote is found by its trailer, and a namespace
 * without the mark is left alone.
 */
public final class Reconciler {

    /** What was done for one namespace: the revert id ("" when the commit never reached the remote). */
    public record Reconciled(String namespace, BreakGlassMark mark, String revertCommit, String note) {
    }

    private final Plan plan;
    private final KubernetesGateway kube;
    private final GitOpsRepository git;

    public Reconciler(Plan plan, KubernetesGateway kube, GitOpsRepository git) {
        this.plan = plan;
        this.kube = kube;
        this.git = git;
    }

    /** Reconciles every marked namespace; the first failure stops (the marks not yet handled stay for the next run). */
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
}
