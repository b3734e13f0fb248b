package dev.revroll.engine;

import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.errors.ClusterException;
import dev.revroll.errors.Secrets;
import dev.revroll.gates.Numbers;
import dev.revroll.ports.ClusterModel.EventType;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.ReportedEvent;
import dev.revroll.ports.KubernetesGateway;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The run's events as Kubernetes Events (events.k8s.io/v1) on each step's namespace, so {@code kubectl events -n NS}
 * and audit tools show what revroll did there (docs/kubernetes-events.md). A listener on the run's events: it passes
 * every event on to {@code next} unchanged, and for a step's start, each gate's result, the step's result and its
 * rollback writes one Event through {@link KubernetesGateway#createEvent}.
 *
 * <p>Best effort: an Event that cannot be written never fails or stops the run; it is a {@code WARNING} event (once
 * per kind of failure, so a missing permission does not flood the output). Preview never has this listener. Notes pass
 * through {@link Secrets#redact}: an Event never carries a secret.
 */
public final class KubernetesEvents implements RunListener {

    /** The reasons revroll's Events carry: stable names a person filters on ({@code --field-selector reason=...}). */
    public enum Reason {
        RevrollStepStarted(EventType.Normal, "MoveRevision"),
        RevrollGatePassed(EventType.Normal, "EvaluateGate"),
        RevrollGateFailed(EventType.Warning, "EvaluateGate"),
        RevrollStepSucceeded(EventType.Normal, "MoveRevision"),
        RevrollStepFailed(EventType.Warning, "MoveRevision"),
        RevrollRollbackStarted(EventType.Normal, "RollBack"),
        RevrollRolledBack(EventType.Normal, "RollBack"),
        RevrollRollbackIncomplete(EventType.Warning, "RollBack");

        private final EventType type;
        private final String action;

        Reason(EventType type, String action) {
            this.type = type;
            this.action = action;
        }

        public EventType type() {
            return type;
        }

        /** The Event's {@code action}: what revroll was doing to the namespace. */
        public String action() {
            return action;
        }
    }

    private final RunListener next;
    private final KubernetesGateway gateway;
    private final RunJournal journal;
    private final RevisionTarget target;
    private final Set<String> warned = new HashSet<>();

    public KubernetesEvents(RunListener next, KubernetesGateway gateway, RunJournal journal, RevisionTarget target) {
        this.next = next;
        this.gateway = gateway;
        this.journal = journal;
        this.target = target;
    }

    @Override
    public void on(RunEvent event) {
        next.on(event);
        if (event.step() == null) {
            return;
        }
        Optional<StepRecord> step = journal.read(r -> r.step(event.step()));
        if (step.isEmpty()) {
            return;
        }
        reasonOf(event).ifPresent(reason -> write(event, step.get(), reason));
    }

    static Optional<Reason> reasonOf(RunEvent e) {
        return Optional.ofNullable(switch (e.type()) {
            case STEP_STARTED -> Reason.RevrollStepStarted;
            case GATE_RESULT -> "PASS".equals(e.data().get("outcome")) ? Reason.RevrollGatePassed : Reason.RevrollGateFailed;
            case STEP_DONE -> Reason.RevrollStepSucceeded;
            case STEP_FAILED -> Reason.RevrollStepFailed;
            case UNDO_STARTED -> Reason.RevrollRollbackStarted;
            case STEP_ROLLED_BACK -> Reason.RevrollRolledBack;
            case UNDO_FAILED -> Reason.RevrollRollbackIncomplete;
            default -> null;
        });
    }

    /** The sentence a person reads in {@code kubectl events}: what happened, on which revisions, with the gate's numbers. */
    String note(RunEvent e, StepRecord s, Reason reason) {
        String ns = s.namespace();
        String from = s.fromRevision().map(r -> "revision " + r).orElse("its previous revision");
        String to = target.describe();
        String run = " (run " + e.runId() + ", step " + s.id() + ")";
        return switch (reason) {
            case RevrollStepStarted -> "revroll is moving namespace " + ns + " from " + from + " to " + to + run;
            case RevrollGatePassed, RevrollGateFailed -> gateNote(e, reason) + run;
            case RevrollStepSucceeded -> "namespace " + ns + " moved to " + to + "; every gate passed" + run;
            case RevrollStepFailed -> "moving namespace " + ns + " to " + to + " failed in " + e.action() + ": "
                    + afterFailed(e.message(), e.action()) + run;
            case RevrollRollbackStarted -> "revroll is rolling namespace " + ns + " back to " + from + run;
            case RevrollRolledBack -> "namespace " + ns + " rolled back to " + from + run;
            case RevrollRollbackIncomplete -> "rolling namespace " + ns + " back did not complete: "
                    + afterFailed(e.message(), "undo of " + e.action()) + "; a person must look: revroll status " + e.runId() + run;
        };
    }

    /** "gate error-rate FAIL on revision 1-28-0: last value 0.5, fails when > 0.05; 2 of 2 samples > 0.05 (...)". */
    private String gateNote(RunEvent e, Reason reason) {
        Map<String, Object> d = e.data();
        StringBuilder sb = new StringBuilder("gate ").append(d.getOrDefault("gate", e.action())).append(' ')
                .append(reason == Reason.RevrollGatePassed ? "passed" : "failed (" + d.getOrDefault("outcome", "FAIL") + ")")
                .append(" on ").append(target.describe());
        boolean numbers = false;
        if (d.get("value") instanceof Number v) {
            sb.append(": last value ").append(Numbers.show(v.doubleValue()));
            numbers = true;
        }
        if (d.get("failWhen") != null) {
            sb.append(numbers ? ", " : ": ").append("fails when ").append(d.get("failWhen"));
            numbers = true;
        }
        String summary = String.valueOf(d.getOrDefault("summary", e.message()));
        String gate = String.valueOf(d.getOrDefault("gate", ""));
        // the runner's summary starts "<gate>: <OUTCOME> — "; the note already says both
        int dash = summary.indexOf(" — ");
        if (summary.startsWith(gate + ": ") && dash > 0) {
            summary = summary.substring(dash + 3);
        }
        return sb.append(numbers ? "; " : ": ").append(summary).toString();
    }

    /** "metric-gates failed: X" → "X". */
    private static String afterFailed(String message, String prefix) {
        String p = prefix + " failed: ";
        return message != null && message.startsWith(p) ? message.substring(p.length()) : String.valueOf(message);
    }

    private void write(RunEvent e, StepRecord s, Reason reason) {
        ReportedEvent event = new ReportedEvent(s.namespace(), new NamespaceRef(s.namespace()), reason.type(), reason.name(),
                reason.action(), Secrets.redact(note(e, s, reason)), e.runId(), e.at());
        try {
            gateway.createEvent(event);
        } catch (RuntimeException failure) {
            warn(e, s, reason, failure);
        }
    }

    private void warn(RunEvent e, StepRecord s, Reason reason, RuntimeException failure) {
        String kind = failure instanceof ClusterException c ? "HTTP " + c.httpCode() + c.reason().map(r -> " " + r).orElse("")
                : failure.getClass().getName();
        synchronized (warned) {
            if (!warned.add(kind)) {
                return;
            }
        }
        String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        next.on(new RunEvent(RunEvent.Type.WARNING, e.at(), e.runId(), e.step(), e.action(),
                "could not write the Kubernetes Event " + reason.name() + " in namespace " + s.namespace() + ": " + Secrets.redact(why)
                        + " (the run goes on; revroll needs 'create' on events.events.k8s.io; further Event writes failing the same way are not reported)",
                Map.of("reason", reason.name(), "namespace", s.namespace())));
    }
}
