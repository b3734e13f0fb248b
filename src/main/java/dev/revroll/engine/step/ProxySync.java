package dev.revroll.engine.step;

import dev.revroll.engine.ProxySyncGate;
import dev.revroll.engine.RunEvent;
import dev.revroll.engine.StepFailure;
import dev.revroll.gates.GateEvaluation;
import dev.revroll.gates.GateOutcome;
import dev.revroll.plan.Plan;
import dev.revroll.ports.ClusterModel.PodState;

import dev.revroll.engine.WorkloadControl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/**
 * The proxy-sync gate (docs/proxy-sync.md): every pod of the step's workloads injected by the target revision and
 * SYNCED in that istiod, within {@code gates.proxySync.timeout}.
 */
public record ProxySync() implements Action {

    @Override
    public String id() {
        return "proxy-sync";
    }

    @Override
    public String does() {
        return "every injected pod on the target revision and SYNCED in its istiod";
    }

    @Override
    public void apply(StepScope step) {
        Plan.ProxySyncGateSpec spec = step.plan().spec().gates().proxySync();
        if (!spec.enabled()) {
            return;
        }
        String namespace = step.record().namespace();
        String revision = step.run().target().revision();
        Predicate<PodState> scope = step.inScope();
        ProxySyncGate gate = new ProxySyncGate(step.cluster());
        ProxySyncGate.Report report = step.poll("proxy-sync-" + namespace, spec.timeout(), () -> {
            ProxySyncGate.Report r = gate.check(step.run().controlPlaneNamespace(), namespace, revision, scope);
            if (!r.synced()) {
                step.emit(RunEvent.Type.WAITING, r.summary());
            }
            return r;
        }, ProxySyncGate.Report::synced);
        step.emit(RunEvent.Type.WAITING, "proxy-sync read " + gate.fetches() + " syncz answer(s), " + gate.bytesFetched() + " bytes",
                Map.of("synczFetches", gate.fetches(), "synczBytes", gate.bytesFetched()));
        String behind = leftBehind(step);
        step.evaluated(new GateEvaluation("proxy-sync", step.run().clock().instant(), "/debug/syncz of istiod " + revision,
                OptionalDouble.of(report.pods()), report.synced() ? GateOutcome.PASS : GateOutcome.FAIL, report.summary() + behind));
        GateOutcome outcome = report.synced() ? GateOutcome.PASS : GateOutcome.FAIL;
        String notSynced = "not SYNCED on " + revision + " within " + StepScope.human(spec.timeout()) + ": " + report.summary();
        step.verdict("proxy-sync", outcome, "proxy-sync: " + outcome + " — " + (report.synced() ? report.summary() : notSynced) + behind,
                OptionalDouble.empty(), Optional.empty());
        if (!report.synced()) {
            throw new StepFailure("proxy-sync gate: " + notSynced);
        }
    }

    /**
     * The pods of the step's {@code revroll.dev/skip} workloads: expected on their old revision, not a failure, and
     * named in the gate's result ("; left behind (revroll.dev/skip): Deployment/db 2 pod(s) on 1-27-0"), or "".
     */
    static String leftBehind(StepScope step) {
        List<String> keys = step.record().leftBehind();
        if (keys.isEmpty()) {
            return "";
        }
        List<PodState> pods = step.cluster().pods(step.record().namespace()).stream().filter(p -> !p.deleting()).toList();
        List<String> parts = new ArrayList<>();
        for (String key : keys) {
            Map<String, Integer> byRevision = new TreeMap<>();
            pods.stream().filter(p -> p.owner().filter(o -> o.key().equals(key)).isPresent())
                    .forEach(p -> byRevision.merge(ProxySyncGate.podRevision(p).orElse("no sidecar"), 1, Integer::sum));
            parts.add(key + (byRevision.isEmpty() ? " (no pods)" : " " + String.join(", ", byRevision.entrySet().stream()
                    .map(e -> e.getValue() + " pod(s) on " + e.getKey()).toList())));
        }
        return "; left behind (" + WorkloadControl.SKIP + "), not checked: " + String.join("; ", parts);
    }

    /** Preview checks nothing: no pod was restarted onto the target yet. */
    @Override
    public void preview(StepScope step) {
    }

    @Override
    public Undo undo() {
        return Undo.NOTHING;
    }
}
