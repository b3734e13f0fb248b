package dev.revroll.e2e;

import com.google.gson.JsonObject;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bake is never skipped (docs/gates.md#the-bake-health-watch): a plan without metric gates still bakes, and
 * while it does revroll watches the moved pods. A pod that stops being Ready, or proxies that go STALE, during the
 * bake fail the step with {@code bake-health} and it is rolled back; left alone, the bake passes.
 */
@ExtendWith(WorldNamespaces.class)
@Order(7) // among the longest classes: started first (pom.xml, e2e concurrency)
@Needs({WorldFeature.MESH_AGENT_FAULTS, WorldFeature.PODS_OF_ANY_IMAGE})
class BakeHealthIT {

    static final String NO_GATES = "proxySync:\n  enabled: false\nnone: \"e2e: the bake's health watch alone\"";

    /** A one-step plan's options: make-before-break restarts of Deployments, these gates, this bake, rollback on failure. */
    static String options(String gates, String bake) {
        return """
                restart:
                  kinds: [Deployment]
                  surge: enforce
                  timeout: 2m
                gates:
                %s
                bake: %s
                onFailure: rollback-step
                """.formatted(gates.indent(2).stripTrailing(), bake);
    }

    static String proxySyncOnly(String timeout) {
        return "proxySync:\n  timeout: " + timeout;
    }

    MeshFixture mesh;
    RevrollProcess.Running running;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.destroyIfAlive();
        }
    }

    @Test
    void aPlanWithoutGatesStillBakesAndPassesWhenThePodsStayHealthy() {
        String ns = mesh.meshedNamespace("bake-ok", Map.of(), "web");

        RevrollProcess.Result run = runBaking(ns, options(NO_GATES, "8s"), n -> { });

        assertEquals(0, run.exitCode(), run.toString());
        Duration baked = Duration.between(at(run.out(), "ACTION_STARTED"), at(run.out(), "ACTION_DONE"));
        assertTrue(baked.compareTo(Duration.ofSeconds(8)) >= 0, "the bake was waited: " + baked);
        mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
        JsonObject step = step(run);
        List<JsonObject> evaluations = MeshFixture.gateEntries(step, "gates", "bake-health");
        assertEquals(1, evaluations.size(), "one evaluation for the bake: " + step);
        assertEquals("PASS", evaluations.get(0).get("outcome").getAsString());
        assertEquals(2.0, evaluations.get(0).get("value").getAsDouble(), "the two moved pods were watched");
        assertEquals(1, MeshFixture.gateEntries(step, "verdicts", "bake-health").size());
    }

    @Test
    void aMovedPodThatStopsBeingReadyDuringTheBakeFailsTheStepAndItIsRolledBack() {
        String ns = mesh.meshedNamespace("bake-unready", Map.of(), "web");
        Map<String, String> before = mesh.labels(ns);

        RevrollProcess.Result run = runBaking(ns, options(NO_GATES, "30s"), n -> {
            String pod = mesh.podRevisions(n).keySet().iterator().next();
            mesh.world.kubectl("-n", n, "patch", "pod", pod, "--subresource=status", "--type=strategic",
                    "-p", "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}");
        });

        assertRolledBackByTheBake(run, ns, before, ": not Ready");
    }

    @Test
    void proxiesThatGoStaleDuringTheBakeFailTheStepAndItIsRolledBack() {
        String ns = mesh.meshedNamespace("bake-stale", Map.of(), "web");
        Map<String, String> before = mesh.labels(ns);

        RevrollProcess.Result run;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            run = runBaking(ns, options(proxySyncOnly("60s"), "30s"),
                    n -> mesh.world.setFault(Fault.proxy(n, Optional.of(mesh.world.newRevision()), "stale")));
            floor.assertHeld();
        }
        Assumptions.assumeTrue(mesh.world.agentHoldsFaultsOf(ns), "another test JVM replaced the mesh agent's fault list during the run");

        // the fault restarts each proxy's stream (briefly not connected) and then leaves it STALE: either is the reason
        assertRolledBackByTheBake(run, ns, before, "");
        String err = run.err();
        assertTrue(err.matches("(?s).*: [A-Z]+ STALE.*") || err.contains("not connected to istiod " + mesh.world.newRevision()), err);
    }

    /** Runs a one-step plan for {@code ns}; {@code duringBake} acts on the namespace once the step's bake has started. */
    private RevrollProcess.Result runBaking(String ns, String options, Consumer<String> duringBake) {
        Path plan = mesh.plan("e2e-bake", "- name: only\n  namespaces: [" + ns + "]\n", options);
        running = RevrollProcess.start(mesh.world, "run", plan.toString());
        running.awaitLine("the bake", Duration.ofMinutes(3),
                l -> l.contains("\"type\":\"ACTION_STARTED\"") && l.contains("\"action\":\"metric-gates\""));
        duringBake.accept(ns);
        return running.finish(Duration.ofMinutes(4));
    }

    private void assertRolledBackByTheBake(RevrollProcess.Result run, String ns, Map<String, String> before, String problem) {
        assertEquals(1, run.exitCode(), "the step failed and was rolled back:\n" + run);
        assertTrue(run.err().contains("bake-health during the bake: ") && run.err().contains(problem), run.err());
        assertTrue(at(run.out(), "STEP_FAILED").isBefore(at(run.out(), "ACTION_STARTED").plusSeconds(30)), "failed during the bake, not at its end");
        assertEquals(before, mesh.labels(ns), "labels restored exactly");
        Map<String, String> pods = mesh.podRevisions(ns);
        assertEquals(2, pods.size(), pods.toString());
        pods.forEach((pod, rev) -> assertEquals(mesh.world.oldRevision(), rev, pod));
        JsonObject step = step(run);
        assertEquals("ROLLED_BACK", step.get("state").getAsString());
        List<JsonObject> verdicts = MeshFixture.gateEntries(step, "verdicts", "bake-health");
        assertEquals(1, verdicts.size(), "recorded once: " + step);
        assertEquals("FAIL", verdicts.get(0).get("outcome").getAsString());
        assertEquals(1, MeshFixture.gateEntries(step, "gates", "bake-health").size(), step.toString());
    }

    private JsonObject step(RevrollProcess.Result run) {
        return new FaultOutcome(mesh).status(MeshFixture.runId(run.out())).getAsJsonArray("steps").get(0).getAsJsonObject();
    }

    /** When the first event of this type of the bake action ({@code metric-gates}) or the step happened. */
    private static Instant at(String out, String type) {
        String line = MeshFixture.jsonLines(out, type).stream()
                .filter(l -> type.equals("STEP_FAILED") || l.contains("\"action\":\"metric-gates\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " of the bake in:\n" + out));
        return Instant.parse(com.google.gson.JsonParser.parseString(line).getAsJsonObject().get("at").getAsString());
    }
}
