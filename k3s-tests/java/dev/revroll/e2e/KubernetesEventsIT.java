package dev.revroll.e2e;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldException;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * revroll's Kubernetes Events (events.k8s.io/v1) on the real API server, read back as a person would: with
 * {@code kubectl events -n NS} and {@code kubectl get events.events.k8s.io -n NS -o json} (docs/kubernetes-events.md).
 */
@ExtendWith(WorldNamespaces.class)
class KubernetesEventsIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    /** revroll's Events in a namespace, oldest first. */
    List<JsonObject> revrollEvents(String ns) {
        JsonObject list = JsonParser.parseString(mesh.world.kubectl("get", "events.events.k8s.io", "-n", ns, "-o", "json")).getAsJsonObject();
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : list.getAsJsonArray("items")) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("reportingController") && o.get("reportingController").getAsString().equals("revroll.dev/revroll")) {
                out.add(o);
            }
        }
        out.sort(Comparator.comparing(o -> o.get("eventTime").getAsString()));
        return out;
    }

    static List<String> reasons(List<JsonObject> events) {
        return events.stream().map(o -> o.get("reason").getAsString()).toList();
    }

    static JsonObject byReason(List<JsonObject> events, String reason) {
        return events.stream().filter(o -> o.get("reason").getAsString().equals(reason)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + reason + " in " + events));
    }

    static String note(List<JsonObject> events, String reason) {
        return byReason(events, reason).get("note").getAsString();
    }

    /** A line of {@code kubectl events -n NS}: TYPE, REASON, OBJECT, MESSAGE start. */
    static void assertShown(String kubectlEvents, String type, String reason, String ns, String messageStart) {
        Pattern line = Pattern.compile("(?m)^\\S+\\s+" + type + "\\s+" + reason + "\\s+Namespace/" + Pattern.quote(ns) + "\\s+"
                + Pattern.quote(messageStart));
        assertTrue(line.matcher(kubectlEvents).find(), type + " " + reason + " '" + messageStart + "' not in:\n" + kubectlEvents);
    }

    @Test
    void aPassingStepAndARolledBackStepLeaveTheirEventsOnEachNamespace() {
        String good = mesh.meshedNamespace("ev-ok", Map.of(), "web");
        String failing = mesh.meshedNamespace("ev-bad", Map.of(), "pay");
        mesh.world.setFault(Fault.errors(failing, Optional.of(mesh.world.newRevision()), 0.5, 503, "-"));
        Path plan = mesh.plan("e2e-events", """
                - name: first
                  namespaces: [%s]
                - name: second
                  namespaces: [%s]
                """.formatted(good, failing), RunIT.gates());

        RevrollProcess.Result preview = RevrollProcess.run(mesh.world, "preview", plan.toString());
        assertEquals(0, preview.exitCode(), preview.toString());
        assertEquals(List.of(), revrollEvents(good), "preview writes no Event");
        assertEquals(List.of(), revrollEvents(failing), "preview writes no Event");

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(1, run.exitCode(), run.toString());
        String runId = MeshFixture.runId(run.out());
        String oldRev = mesh.world.oldRevision();
        String newRev = mesh.world.newRevision();

        List<JsonObject> ok = revrollEvents(good);
        // proxy-sync, bake-health, error-rate
        assertEquals(List.of("RevrollStepStarted", "RevrollGatePassed", "RevrollGatePassed", "RevrollGatePassed", "RevrollStepSucceeded"), reasons(ok), ok.toString());
        List<JsonObject> bad = revrollEvents(failing);
        // proxy-sync and bake-health (the pods stayed healthy until the error-rate gate failed) passed
        assertEquals(List.of("RevrollStepStarted", "RevrollGatePassed", "RevrollGatePassed", "RevrollGateFailed", "RevrollStepFailed",
                "RevrollRollbackStarted", "RevrollRolledBack"), reasons(bad), bad.toString());
        for (String ns : List.of(good, failing)) {
            for (JsonObject e : revrollEvents(ns)) {
                JsonObject regarding = e.getAsJsonObject("regarding");
                assertEquals("Namespace", regarding.get("kind").getAsString(), e.toString());
                assertEquals(ns, regarding.get("name").getAsString(), e.toString());
                assertEquals(runId, e.get("reportingInstance").getAsString(), e.toString());
                assertTrue(e.get("note").getAsString().contains("run " + runId), e.toString());
            }
        }
        assertTrue(note(ok, "RevrollStepStarted").startsWith("revroll is moving namespace " + good + " from revision " + oldRev
                + " to revision " + newRev), note(ok, "RevrollStepStarted"));
        assertTrue(note(ok, "RevrollStepSucceeded").startsWith("namespace " + good + " moved to revision " + newRev + "; every gate passed"),
                note(ok, "RevrollStepSucceeded"));
        JsonObject gateFailed = byReason(bad, "RevrollGateFailed");
        assertEquals("Warning", gateFailed.get("type").getAsString());
        assertEquals("EvaluateGate", gateFailed.get("action").getAsString());
        String failedNote = gateFailed.get("note").getAsString();
        assertTrue(failedNote.startsWith("gate error-rate failed (FAIL) on revision " + newRev + ": last value "), failedNote);
        assertTrue(failedNote.contains(", fails when > 0.05; "), "the gate's value against its threshold: " + failedNote);
        assertEquals("Warning", byReason(bad, "RevrollStepFailed").get("type").getAsString());
        assertTrue(note(bad, "RevrollStepFailed").startsWith("moving namespace " + failing + " to revision " + newRev
                + " failed in metric-gates: error-rate: FAIL"), note(bad, "RevrollStepFailed"));
        assertTrue(note(bad, "RevrollRolledBack").startsWith("namespace " + failing + " rolled back to revision " + oldRev),
                note(bad, "RevrollRolledBack"));

        String shownOk = mesh.world.kubectl("events", "-n", good);
        assertShown(shownOk, "Normal", "RevrollStepStarted", good, "revroll is moving namespace " + good);
        assertShown(shownOk, "Normal", "RevrollGatePassed", good, "gate ");
        assertShown(shownOk, "Normal", "RevrollStepSucceeded", good, "namespace " + good + " moved to revision " + newRev);
        String shownBad = mesh.world.kubectl("events", "-n", failing, "--for", "namespace/" + failing);
        assertShown(shownBad, "Warning", "RevrollGateFailed", failing, "gate error-rate failed (FAIL)");
        assertShown(shownBad, "Warning", "RevrollStepFailed", failing, "moving namespace " + failing);
        assertShown(shownBad, "Normal", "RevrollRollbackStarted", failing, "revroll is rolling namespace " + failing + " back");
        assertShown(shownBad, "Normal", "RevrollRolledBack", failing, "namespace " + failing + " rolled back");
        String warnings = mesh.world.kubectl("events", "-n", failing, "--types", "Warning");
        assertFalse(warnings.contains("RevrollGatePassed"), warnings);
        assertTrue(warnings.contains("RevrollGateFailed"), warnings);
    }

    @Test
    void eventsTheApiServerRefusesAreAWarningAndTheRunStillSucceeds() {
        String ns = mesh.meshedNamespace("ev-refused", Map.of(), "web");
        String policy = "e2e-no-events-" + ns;
        mesh.world.kubectl("label", "namespace", ns, "revroll.dev/e2e-no-events=" + ns);
        mesh.world.applyYaml("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: %1$s}
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                    - apiGroups: ["events.k8s.io", ""]
                      apiVersions: ["*"]
                      operations: ["CREATE"]
                      resources: ["events"]
                  validations:
                  - expression: "false"
                    message: "e2e: no Events in this namespace"
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: %1$s}
                spec:
                  policyName: %1$s
                  validationActions: [Deny]
                  matchResources:
                    namespaceSelector:
                      matchLabels: {revroll.dev/e2e-no-events: %2$s}
                """.formatted(policy, ns));
        try {
            await("the policy refuses Events in " + ns, Duration.ofSeconds(30)).until(() -> refusesEvents(ns));
            Path plan = mesh.plan("e2e-events-refused", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates());

            RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString(), "-o", "json");

            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(mesh.world.newRevision(), mesh.labels(ns).get("istio.io/rev"));
            List<String> warnings = MeshFixture.jsonLines(run.out(), "WARNING");
            assertEquals(1, warnings.size(), "one warning, not one per Event: " + run.out());
            assertTrue(warnings.get(0).contains("could not write the Kubernetes Event RevrollStepStarted in namespace " + ns)
                    && warnings.get(0).contains("e2e: no Events in this namespace"), warnings.get(0));
            assertFalse(MeshFixture.jsonLines(run.out(), "STEP_DONE").isEmpty(), run.out());
        } finally {
            mesh.world.kubectl("delete", "validatingadmissionpolicybinding", policy, "--ignore-not-found");
            mesh.world.kubectl("delete", "validatingadmissionpolicy", policy, "--ignore-not-found");
        }
    }

    private boolean refusesEvents(String ns) {
        try {
            mesh.world.kubectl("create", "-n", ns, "--dry-run=server", "-f", writeProbe(ns).toString());
            return false;
        } catch (WorldException e) {
            return e.getMessage().contains("e2e: no Events in this namespace");
        }
    }

    private static Path writeProbe(String ns) {
        try {
            Path f = java.nio.file.Files.createTempFile("event-probe", ".yaml");
            java.nio.file.Files.writeString(f, """
                    apiVersion: events.k8s.io/v1
                    kind: Event
                    metadata: {name: %1$s.probe, namespace: %1$s}
                    eventTime: "2026-01-01T00:00:00.000000Z"
                    type: Normal
                    reason: Probe
                    action: Probe
                    reportingController: revroll.dev/e2e
                    reportingInstance: probe
                    regarding: {apiVersion: v1, kind: Namespace, name: %1$s, namespace: %1$s}
                    """.formatted(ns));
            return f;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
