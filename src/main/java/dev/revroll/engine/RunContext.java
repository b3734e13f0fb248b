package dev.revroll.engine;

import dev.revroll.engine.journal.RunJournal;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.RunLock;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/** What every action of a run works with: the ports, the plan, the target, the journal and the event sink. */
public record RunContext(
        Plan plan,
        RevisionTarget target,
        InjectionTable injection,
        KubernetesGateway gateway,
        GitOpsRepository git,
        MetricGates gates,
        RunJournal journal,
        RunLock.Handle lock,
        RunListener listener,
        Polling polling,
        Clock clock,
        RunWindow window) {

    public String runId() {
        return journal.record().runId();
    }

    public String controlPlaneNamespace() {
        return plan.spec().controlPlane().namespace();
    }

    public void emit(RunEvent.Type type, String step, String action, String message, Map<String, Object> data) {
        listener.on(new RunEvent(type, Instant.now(clock), runId(), step, action, message, data));
    }

    public void emit(RunEvent.Type type, String step, String action, String message) {
        emit(type, step, action, message, Map.of());
    }
}
