package dev.revroll.engine;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.InjectionLabels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the step will do with one workload: restart it onto the target (it {@code moves}) or leave it, and why.
 * Decided by evaluating the injectors on the namespace's would-be labels and the pod template's labels.
 */
public record WorkloadPlan(Workload workload, boolean moves, String reason, List<String> notes, List<String> injectors) {

    /** Why a workload annotated {@code revroll.dev/skip} stays (docs/kubernetes-rollouts.md#per-workload-control). */
    public static final String SKIPPED = WorkloadControl.SKIP + "=true: never restarted; left behind on the revision it runs";

    /** Annotated {@code revroll.dev/skip}: left behind on purpose, and reported as such. */
    public boolean skipped() {
        return !moves && SKIPPED.equals(reason);
    }

    /** Its {@code revroll.dev/order} (0 when absent). */
    public int order() {
        return WorkloadControl.order(workload);
    }

    public String key() {
        return key(workload);
    }

    public static String key(Workload w) {
        return w.ref().kind() + "/" + w.ref().name();
    }

    public static List<WorkloadPlan> classify(List<Workload> workloads, Map<String, String> namespaceLabelsAfter,
                                              InjectionTable injection, RevisionTarget target) {
        List<WorkloadPlan> plans = new ArrayList<>();
        for (Workload w : workloads) {
            plans.add(classify(w, namespaceLabelsAfter, injection, target));
        }
        return plans;
    }

    public static WorkloadPlan classify(Workload w, Map<String, String> namespaceLabelsAfter, InjectionTable injection,
                                        RevisionTarget target) {
        List<String> notes = new ArrayList<>();
        String podRev = w.podTemplateLabels().get(InjectionLabels.REVISION);
        if (podRev != null) {
            notes.add("pod template label istio.io/rev=" + podRev + " is ignored once the namespace carries istio.io/rev");
        }
        if (WorkloadControl.skipped(w)) {
            return new WorkloadPlan(w, false, SKIPPED, notes, List.of());
        }
        if (InjectionTable.optedOut(w.podTemplateLabels(), w.podTemplateAnnotations())) {
            return new WorkloadPlan(w, false, "sidecar.istio.io/inject=false: never injected, not restarted", notes, List.of());
        }
        List<InjectorWebhook> matching = injection.injectorsFor(namespaceLabelsAfter, w.podTemplateLabels());
        List<String> names = matching.stream().map(InjectorWebhook::name).toList();
        if (matching.isEmpty()) {
            return new WorkloadPlan(w, false, "no injector matches its pods after the relabel", notes, names);
        }
        if (matching.size() > 1) {
            return new WorkloadPlan(w, false, "ambiguous injection (IST0139): " + String.join(", ", names), notes, names);
        }
        if (!target.isInjectedBy(matching.get(0))) {
            return new WorkloadPlan(w, false, "its pods would be injected by " + names.get(0) + ", not by " + target.webhook(), notes, names);
        }
        return new WorkloadPlan(w, true, "moves to " + target.describe(), notes, names);
    }

    /** {@code surge: require}: make-before-break already in place (Deployments, DaemonSets; StatefulSets go one pod at a time). */
    public static boolean makeBeforeBreak(Workload w) {
        if (w.ref().kind() == WorkloadKind.StatefulSet) {
            return true;
        }
        if (!"RollingUpdate".equals(w.strategyType())) {
            return false;
        }
        return w.maxUnavailable().filter(v -> v.equals("0") || v.equals("0%")).isPresent()
                && w.maxSurge().filter(v -> !v.equals("0") && !v.equals("0%")).isPresent();
    }

    public String surgeDescription() {
        Workload w = workload;
        if ("OnDelete".equals(w.strategyType()) || "Recreate".equals(w.strategyType())) {
            return w.strategyType();
        }
        return w.strategyType() + " maxUnavailable=" + w.maxUnavailable().orElse("default") + " maxSurge=" + w.maxSurge().orElse("default");
    }
}
