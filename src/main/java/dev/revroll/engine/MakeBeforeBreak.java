package dev.revroll.engine;

import dev.revroll.engine.journal.RunRecord.Attention;
import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What revroll cannot restart make-before-break in a namespace, with what a person must do
 * (docs/kubernetes-rollouts.md#what-revroll-cannot-restart-make-before-break): workloads it restarts whose strategy
 * replaces pods before their replacements run (a {@code Recreate} Deployment, an {@code OnDelete} StatefulSet or
 * DaemonSet), and pods with a sidecar it cannot restart at all (a bare pod, a running Job's pod). Workloads annotated
 * {@code revroll.dev/skip} are not restarted, so they are not listed here.
 */
public final class MakeBeforeBreak {

    private MakeBeforeBreak() {
    }

    /** The namespace's list: its moving workloads' strategies, then its pods that no restart of revroll reaches. */
    public static List<Attention> of(String namespace, List<WorkloadPlan> plans, List<PodState> pods, String fromRevision, String target) {
        List<Attention> out = new ArrayList<>();
        for (WorkloadPlan p : plans) {
            if (p.moves()) {
                workload(namespace, p.workload()).ifPresent(out::add);
            }
        }
        for (PodState pod : pods) {
            pod(pod, fromRevision, target).ifPresent(out::add);
        }
        return out;
    }

    /** A workload revroll restarts that its strategy makes break-before-make. */
    static Optional<Attention> workload(String namespace, Workload w) {
        String key = WorkloadPlan.key(w);
        String skip = " or annotate it " + WorkloadControl.SKIP + "=true and restart it yourself when a gap is acceptable";
        if (w.ref().kind() == WorkloadKind.Deployment && "Recreate".equals(w.strategyType())) {
            return Optional.of(new Attention(key, "strategy Recreate: all " + w.replicas() + " pod(s) are stopped before the new ones start",
                    "accept the gap, or set its strategy to RollingUpdate with maxUnavailable 0 and maxSurge 1 before the run"
                            + " (kubectl -n " + namespace + " patch deployment " + w.ref().name()
                            + " -p '{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":0,\"maxSurge\":1}}}}'),"
                            + skip));
        }
        if ("OnDelete".equals(w.strategyType())) {
            String fix = w.ref().kind() == WorkloadKind.DaemonSet
                    ? "set its updateStrategy to RollingUpdate with maxSurge 1 and maxUnavailable 0 before the run,"
                    : "accept one pod down at a time (a StatefulSet never runs two pods of one ordinal),";
            return Optional.of(new Attention(key, "updateStrategy OnDelete: revroll deletes its old pods one at a time, each gone until"
                    + " its replacement is Ready", fix + skip));
        }
        return Optional.empty();
    }

    /** A live pod with a sidecar that no restart of revroll replaces: a bare pod, or a running Job's pod. */
    static Optional<Attention> pod(PodState p, String fromRevision, String target) {
        if (!ProxySyncGate.live(p) || !(p.hasIstioProxy() || ProxySyncGate.podRevision(p).isPresent()) || p.owner().isPresent()) {
            return Optional.empty();
        }
        String rev = ProxySyncGate.podRevision(p).or(() -> Optional.ofNullable(fromRevision)).orElse("its current revision");
        String delete = "kubectl -n " + p.namespace() + " delete pod " + p.name();
        if (p.controller().isEmpty()) {
            return Optional.of(new Attention("Pod/" + p.name(), "a bare pod (no controller): revroll cannot restart it; it stays on "
                    + rev, "after the step, delete it and create it again from its manifest (" + delete
                    + ", then apply it): the new pod is injected by " + target));
        }
        if (p.controllerKind().filter("Job"::equals).isPresent()) {
            return Optional.of(new Attention("Pod/" + p.name(), "a pod of " + p.controller().get()
                    + ": a Job's pod runs to its end and is never restarted; it stays on " + rev,
                    "let it finish: the Job's (or its CronJob's) next pods are injected by " + target
                            + "; if it must move now, delete it (" + delete + ") and the Job starts a new one, which counts as a failed attempt"));
        }
        return Optional.empty();
    }
}
