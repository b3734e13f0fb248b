package dev.revroll.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The two ends a fault test accepts (issue: "completed exactly as an unfaulted run would, or stopped with a clear
 * message and resume or rollback completes it"), checked in the cluster and in the journal: every namespace of the
 * run either moved (one restart per workload, the step's restartedAt, labels and pods on the new revision) or rolled
 * back (labels exactly as before, pods on the old revision, the step's rollbackRestartedAt).
 */
final class FaultOutcome {

    private final MeshFixture mesh;
    final Map<String, Map<String, String>> labelsBefore = new LinkedHashMap<>();
    final Map<String, Map<String, Integer>> replicaSetsBefore = new LinkedHashMap<>();

    FaultOutcome(MeshFixture mesh) {
        this.mesh = mesh;
    }

    /** Records a namespace's labels and each deployment's ReplicaSet count before the run. */
    FaultOutcome before(String ns, String... deployments) {
        labelsBefore.put(ns, mesh.labels(ns));
        Map<String, Integer> rs = new LinkedHashMap<>();
        for (String d : deployments) {
            rs.put(d, mesh.replicaSets(ns, d));
        }
        replicaSetsBefore.put(ns, rs);
        return this;
    }

    JsonObject status(String runId) {
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", runId, "-o", "json");
        assertEquals(0, status.exitCode(), status.toString());
        return JsonParser.parseString(status.out()).getAsJsonObject();
    }

    static JsonObject step(JsonObject run, String stepId) {
        for (JsonElement e : run.getAsJsonArray("steps")) {
            if (e.getAsJsonObject().get("id").getAsString().equals(stepId)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no step " + stepId + " in " + run);
    }

    /**
     * After a run that a fault stopped (exit non-zero): {@code resume}, or {@code rollback} when the journal says the
     * run was rolling back, must finish it with exit 0. Returns the command used.
     */
    String finish(String runId) {
        JsonObject run = status(runId);
        String state = run.get("state").getAsString();
        if (List.of("DONE", "ROLLED_BACK").contains(state)) {
            return "nothing (" + state + ")";
        }
        boolean undoing = state.equals("ROLLBACK_INCOMPLETE");
        for (JsonElement e : run.getAsJsonArray("steps")) {
            String s = e.getAsJsonObject().get("state").getAsString();
            undoing |= s.startsWith("ROLLING_BACK") || s.equals("UNDO_FAILED");
        }
        String command = undoing ? "rollback" : "resume";
        RevrollProcess.Result r = RevrollProcess.run(mesh.world, command, runId);
        // a step whose failure was journaled before the process died is rolled back by resume, as onFailure says:
        // exit 1, as the run would have ended (docs/architecture.md#the-loop)
        boolean rolledBack = r.exitCode() == 1 && status(runId).get("state").getAsString().equals("ROLLED_BACK");
        assertTrue(r.exitCode() == 0 || rolledBack, command + " finishes the run the fault stopped:\n" + r);
        return command;
    }

    /** Every recorded namespace ended moved (run DONE) or rolled back (run ROLLED_BACK), nothing in between. */
    void assertEnded(String runId) {
        JsonObject run = status(runId);
        String state = run.get("state").getAsString();
        JsonArray steps = run.getAsJsonArray("steps");
        for (String ns : labelsBefore.keySet()) {
            JsonObject step = null;
            for (JsonElement e : steps) {
                if (e.getAsJsonObject().get("namespace").getAsString().equals(ns)) {
                    step = e.getAsJsonObject();
                }
            }
            if (step == null) {
                fail("no step for " + ns + " in " + run);
            }
            String stepState = step.get("state").getAsString();
            if (stepState.equals("DONE")) {
                assertMoved(ns, step);
            } else if (stepState.equals("ROLLED_BACK") || stepState.equals("PENDING")) {
                assertUntouchedOrBack(ns, step);
            } else {
                fail(ns + ": step left " + stepState + " in a run " + state + ": " + run);
            }
        }
        assertTrue(List.of("DONE", "ROLLED_BACK").contains(state), "run ended: " + run);
        // released by this run (on a world shared with other tests, another run may hold it by now)
        assertFalse(runId.equals(mesh.world.kubectl("get", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(),
                "--ignore-not-found", "-o", "jsonpath={.spec.holderIdentity}").trim()), "the run lock is released");
    }

    private void assertMoved(String ns, JsonObject step) {
        String restartedAt = step.get("restartedAt").getAsString();
        replicaSetsBefore.get(ns).forEach((d, before) -> {
            assertEquals(before + 1, mesh.replicaSets(ns, d), ns + "/" + d + ": exactly one new ReplicaSet");
            assertEquals(restartedAt, mesh.restartedAt(ns, d), ns + "/" + d + " carries the step's one restartedAt");
        });
        Map<String, String> labels = mesh.labels(ns);
        assertEquals(mesh.world.newRevision(), labels.get("istio.io/rev"), ns);
        assertFalse(labels.containsKey("istio-injection"), ns);
        Map<String, String> pods = mesh.podRevisions(ns);
        assertFalse(pods.isEmpty(), ns);
        pods.forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, ns + "/" + pod));
    }

    private void assertUntouchedOrBack(String ns, JsonObject step) {
        assertEquals(labelsBefore.get(ns), mesh.labels(ns), ns + ": labels exactly as before");
        assertEquals(null, mesh.annotation(ns, "revroll.dev/previous-labels"), ns);
        boolean restarted = step.has("rollbackRestartedAt") && !step.get("rollbackRestartedAt").isJsonNull();
        replicaSetsBefore.get(ns).forEach((d, before) -> {
            int now = mesh.replicaSets(ns, d);
            if (restarted) {
                assertTrue(now <= before + 2, ns + "/" + d + ": at most one restart forward and one back, " + now + " ReplicaSets");
            } else {
                assertTrue(now <= before + 1, ns + "/" + d + ": " + now + " ReplicaSets");
            }
        });
        Map<String, String> pods = mesh.podRevisions(ns);
        assertFalse(pods.isEmpty(), ns);
        pods.forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, ns + "/" + pod));
    }
}
