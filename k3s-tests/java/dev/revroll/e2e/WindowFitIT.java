package dev.revroll.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Maintenance windows on the real world (docs/maintenance-windows.md), with the real clock: a window that opens every
 * minute for 59 seconds, and a step whose plan estimate is 29s (gates 2 × 2s, one replica: 10s + 15s). Started late in
 * an opening, the step does not fit and is not started (exit 5, the journal says where the run stands); a changed plan
 * is refused while that run is open (exit 2); started early in the next opening, `run` with the same plan continues
 * the same run id and finishes it. A freeze makes `run` exit 5 touching nothing. A window of freezes only is open until
 * its freeze begins; a step that runs past that finishes its gates, then the run pauses and says by how much it overran.
 */
@ExtendWith(WorldNamespaces.class)
@Isolated("its runs must start at given seconds of the minute: beside other classes' runs the lock is seldom free then")
class WindowFitIT {

    /**
     * Opens at every minute, for 59s (UTC); gates 2 × 2s (bake 4s): with one replica (10s + 15s) a step's plan
     * estimate is 29s, so it fits when it starts in the first 30s of an opening and not in the last 29s. The runs are
     * launched at the start of those stretches: the process's start-up (JVM, preflight) may take up to ~27s on a
     * loaded machine before the step-start decision.
     */
    static final String WINDOW = """
            restart:
              kinds: [Deployment]
              surge: enforce
              timeout: 3m
            gates:
              proxySync:
                timeout: 90s
              metrics:
                - name: error-rate
                  query: >-
                    (sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}",response_code=~"5.."}[10s])) or vector(0))
                    / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}"}[10s]))
                  failWhen: "> 0.05"
                  interval: 2s
                  samples: 2
                  failureLimit: 0
                  onNoData: wait
            bake: 4s
            onFailure: rollback-step
            window:
              cron: "* * * * *"
              duration: 59s
              timeZone: UTC
            """;

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    /** A namespace on the old revision with one Deployment of one replica, its pod injected and Ready. */
    String oneReplica(String prefix) {
        String ns = mesh.namespace(prefix, Map.of("istio.io/rev", mesh.world.oldRevision()));
        mesh.deployment(ns, "web", 1, null);
        mesh.waitPods(ns, mesh.world.oldRevision());
        return ns;
    }

    /** Waits until the second of the current UTC minute is within [from, to]. */
    static void atSecond(int from, int to) {
        await("the clock's second of the minute within [" + from + ", " + to + "]", Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    int s = ZonedDateTime.now(ZoneOffset.UTC).getSecond();
                    return s >= from && s <= to;
                });
    }

    static JsonObject status(MeshFixture mesh, String runId) {
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", runId, "-o", "json");
        assertEquals(0, status.exitCode(), status.toString());
        return JsonParser.parseString(status.out()).getAsJsonObject();
    }

    @Test
    void aStepThatDoesNotFitIsHeldAChangedPlanIsRefusedAndTheSamePlanContinuesTheSameRun() throws IOException {
        String ns = oneReplica("fit");
        String other = mesh.namespace("fit-more", Map.of("istio.io/rev", mesh.world.oldRevision()));
        Map<String, String> pods = mesh.podRevisions(ns);
        Path plan = mesh.plan("e2e-fit", "- name: only\n  namespaces: [" + ns + "]\n", WINDOW);

        // from 30s into an opening at most 29s are left (the window closes at :59): the 29s step does not fit
        RevrollProcess.Result held = RevrollProcess.runAtTheMoment(mesh.world, () -> {
            atSecond(30, 32);
            return new String[] {"run", plan.toString()};
        });

        assertEquals(5, held.exitCode(), held.toString());
        assertTrue(held.err().contains("step only/" + ns + " not started: its estimate (29s: gates 4s + rollout of 1 replica ~25s (the plan's estimate))"
                + " does not fit in what is left of the maintenance window"), held.err());
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"), "nothing was touched");
        assertEquals(pods, mesh.podRevisions(ns));
        String runId = MeshFixture.runId(held.out());
        JsonObject journal = status(mesh, runId);
        assertEquals("PAUSED", journal.get("state").getAsString());
        JsonObject hold = journal.getAsJsonObject("windowHold");
        assertEquals("only/" + ns, hold.get("step").getAsString());
        assertEquals(29, hold.get("estimateSeconds").getAsLong());
        assertTrue(hold.get("leftSeconds").getAsLong() < 29, hold.toString());
        assertTrue(hold.get("nextOpening").getAsString().endsWith(":00Z"), "the next minute: " + hold);
        assertEquals("PENDING", journal.getAsJsonArray("steps").get(0).getAsJsonObject().get("state").getAsString());

        // the same plan name with another wave: refused while the run is open, saying what changed and what to do
        Path changed = Files.createTempDirectory("revroll-plan").resolve(plan.getFileName());
        Files.writeString(changed, Files.readString(plan).replace("    - name: only\n      namespaces: [" + ns + "]\n",
                "    - name: only\n      namespaces: [" + ns + "]\n    - name: more\n      namespaces: [" + other + "]\n"));
        assertFalse(Files.readString(changed).equals(Files.readString(plan)));
        RevrollProcess.Result refused = RevrollProcess.run(mesh.world, "run", changed.toString());
        assertEquals(2, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("is not the plan its unfinished run " + runId + " was started with (that run is PAUSED)"), refused.err());
        assertTrue(refused.err().contains("wave more is new: " + other), refused.err());
        assertTrue(refused.err().contains("'revroll rollback " + runId + "'"), refused.err());
        assertEquals(mesh.world.oldRevision(), mesh.labels(other).get("istio.io/rev"));
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));

        // early in the next opening the step fits: the same plan continues the same run and finishes it
        RevrollProcess.Result continued = RevrollProcess.runAtTheMoment(mesh.world, () -> {
            atSecond(0, 2);
            return new String[] {"run", plan.toString()};
        });

        assertEquals(0, continued.exitCode(), continued.toString());
        assertEquals(runId, MeshFixture.runId(continued.out()), "the same run id");
        assertTrue(continued.err().contains("has an unfinished run " + runId + " (PAUSED"), continued.err());
        assertTrue(continued.err().contains("continuing it (same plan name and content)"), continued.err());
        assertEquals(mesh.world.newRevision(), mesh.labels(ns).get("istio.io/rev"));
        mesh.waitPods(ns, mesh.world.newRevision());
        JsonObject done = status(mesh, runId);
        assertEquals("DONE", done.get("state").getAsString());
        assertTrue(done.get("windowHold").isJsonNull(), done.toString());
        JsonObject step = done.getAsJsonArray("steps").get(0).getAsJsonObject();
        assertEquals("DONE", step.get("state").getAsString());
        assertFalse(step.get("windowClosesAt").isJsonNull(), "the step knows the close of the window it started in: " + step);
    }

    @Test
    void aFreezeMakesRunExit5TouchingNothing() {
        String ns = oneReplica("freeze");
        Map<String, String> pods = mesh.podRevisions(ns);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String dates = today.minusDays(1) + ".." + today.plusDays(1);
        Path plan = mesh.plan("e2e-freeze", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates() + """
                window:
                  cron: "0 * * * *"
                  duration: 2h
                  timeZone: UTC
                  freeze:
                    - dates: %s
                      reason: e2e change freeze
                """.formatted(dates));

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(5, run.exitCode(), run.toString());
        assertTrue(run.err().contains("step only/" + ns + " not started: freeze " + dates + " (e2e change freeze) is in force until "
                + today.plusDays(2) + "T00:00:00Z"), run.err());
        assertEquals(mesh.world.oldRevision(), mesh.labels(ns).get("istio.io/rev"));
        assertEquals(pods, mesh.podRevisions(ns));
        assertEquals("", mesh.restartedAt(ns, "web"), "not restarted");
        JsonObject journal = status(mesh, MeshFixture.runId(run.out()));
        assertEquals("PAUSED", journal.get("state").getAsString());
        assertEquals(today.plusDays(2) + "T00:00:00Z", journal.getAsJsonObject("windowHold").get("nextOpening").getAsString());
    }

    /**
     * A window of freezes only, open now, with a freeze from 60s ahead: the first wave's step (plan estimate 29s) fits
     * when it starts, but its Deployment waits 60s for its new pod to be available (minReadySeconds), so the step runs
     * into the freeze. It is never cut short: it finishes its gates and is DONE; then the second wave's step is not
     * started (exit 5), and the run, its journal and its report say by how much the first one overran.
     */
    @Test
    void aStepThatRunsIntoAFreezeFinishesItsGatesThenTheRunPausesSayingByHowMuchItOverran() throws IOException {
        String slow = mesh.namespace("overrun", Map.of("istio.io/rev", mesh.world.oldRevision()));
        mesh.deployment(slow, "web", 1, "  minReadySeconds: 60");
        mesh.waitPods(slow, mesh.world.oldRevision());
        String next = oneReplica("overrun-next");
        Map<String, String> nextPods = mesh.podRevisions(next);
        Path markdown = Files.createTempDirectory("revroll-report").resolve("report.md");
        // the freeze is set from the moment the run starts (written again if another test's run held the lock)
        java.util.concurrent.atomic.AtomicReference<Instant> freeze = new java.util.concurrent.atomic.AtomicReference<>();

        RevrollProcess.Result run;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, slow, next)) {
            run = RevrollProcess.runAtTheMoment(mesh.world, () -> {
                Instant from = Instant.now().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
                freeze.set(from);
                Path plan = mesh.plan("e2e-overrun", "- name: first\n  namespaces: [" + slow + "]\n- name: second\n  namespaces: [" + next + "]\n",
                        RunIT.gates() + """
                        window:
                          timeZone: UTC
                          freeze:
                            - from: %s
                              to: %s
                              reason: e2e freeze
                        """.formatted(from, from.plus(Duration.ofMinutes(30))));
                return new String[] {"run", plan.toString(), "--report-markdown", markdown.toString()};
            });
            floor.assertHeld();
        }
        Instant freezeFrom = freeze.get();

        assertEquals(5, run.exitCode(), run.toString());
        assertTrue(run.err().contains("step second/" + next + " not started: freeze"), run.err());
        assertTrue(run.err().contains("step first/" + slow + " overran the maintenance window by "), run.err());
        String done = MeshFixture.jsonLines(run.out(), "STEP_DONE").get(0);
        assertTrue(done.contains("step first/" + slow + " done (overran the maintenance window by ")
                && done.contains("its gates were finished, never cut short"), done);
        assertEquals(mesh.world.newRevision(), mesh.labels(slow).get("istio.io/rev"));
        mesh.waitPods(slow, mesh.world.newRevision());
        assertEquals(mesh.world.oldRevision(), mesh.labels(next).get("istio.io/rev"), "the second wave was not touched");
        assertEquals(nextPods, mesh.podRevisions(next));
        JsonObject journal = status(mesh, MeshFixture.runId(run.out()));
        assertEquals("PAUSED", journal.get("state").getAsString());
        JsonObject first = journal.getAsJsonArray("steps").get(0).getAsJsonObject();
        assertEquals("DONE", first.get("state").getAsString());
        assertEquals(freezeFrom.toString(), Instant.parse(first.get("windowClosesAt").getAsString()).toString());
        long over = first.get("windowOverrunSeconds").getAsLong();
        assertTrue(over > 0, first.toString());
        assertEquals("second/" + next, journal.getAsJsonObject("windowHold").get("step").getAsString());
        String report = Files.readString(markdown);
        assertTrue(report.contains("moved (overran the maintenance window by "), report);
        assertTrue(report.contains("step first/" + slow + " overran the maintenance window by "), report);
    }
}
