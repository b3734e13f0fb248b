package dev.revroll.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.AvailabilityFloor;
import dev.revroll.e2e.world.Fault;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The target revision's istiod killed (SIGKILL) after the pods were injected, while the proxy-sync gate waits for
 * proxies that are slow to ACK (without the kill they would be SYNCED within the gate's timeout): the proxies lose
 * their control plane, the gate fails by its deadline (it never hangs and never passes), and the rollback brings the
 * pods back to the old revision, whose istiod still runs. Kills an istiod: only on a world of this run's own.
 */
@Isolated("kills the target revision's istiod")
@ExtendWith(WorldNamespaces.class)
class IstiodKillFaultIT {

    static final int GATE_TIMEOUT_SECONDS = 25;

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
        mesh.world.assumeOwnWorld("killing an istiod");
    }

    @AfterEach
    void istiodBack() {
        mesh.world.startIstiod(mesh.world.newRevision());
        mesh.world.kubectl("delete", "lease", "revroll-lock", "-n", mesh.world.controlPlaneNamespace(), "--ignore-not-found");
    }

    @Test
    void targetIstiodKilledMidProxySyncGateFailsByTheDeadlineAndRollsBack() throws Exception {
        String ns = mesh.meshedNamespace("istiod-kill", Map.of(), "web", "api");
        // proxies on the new revision ACK only after 10 s: the gate is still waiting when istiod dies
        mesh.world.setFault(new Fault(ns, Optional.of(mesh.world.newRevision()), Optional.empty(), Optional.of("slow"), Optional.of(10),
                List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        FaultOutcome outcome = new FaultOutcome(mesh).before(ns, "web", "api");
        Path plan = mesh.plan("e2e-istiod-kill", "- name: only\n  namespaces: [" + ns + "]\n", """
                restart:
                  kinds: [Deployment]
                  surge: enforce
                  timeout: 2m
                gates:
                  proxySync:
                    timeout: %ds
                onFailure: rollback-step
                """.formatted(GATE_TIMEOUT_SECONDS));

        Path logs = Files.createTempDirectory("revroll-istiod-kill");
        String out;
        String err;
        int exit;
        try (AvailabilityFloor floor = AvailabilityFloor.watch(mesh.world, ns)) {
            Process p = RevrollProcess.builder(mesh.world, logs, "run", plan.toString()).start();
            try {
                await("the proxy-sync gate to start", Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() ->
                        !p.isAlive() || line(logs, "ACTION_STARTED", "proxy-sync").isPresent());
                assertTrue(p.isAlive(), "the run still waits in its gate: " + Files.readString(logs.resolve("err.txt")));
                mesh.world.killIstiod(mesh.world.newRevision());
                // the gate's deadline plus the rollback (restart back, wait) bound the run: it must not hang
                assertTrue(p.waitFor(GATE_TIMEOUT_SECONDS + 150, TimeUnit.SECONDS), "the run ended; it hangs:\n" + Files.readString(logs.resolve("out.txt")));
            } finally {
                p.destroyForcibly();
            }
            exit = p.exitValue();
            out = Files.readString(logs.resolve("out.txt"));
            err = Files.readString(logs.resolve("err.txt"));
            System.err.println("[istiod kill] exit " + exit + "\n" + out + "\n" + err);
            floor.assertHeld();
        }

        assertEquals(1, exit, "the step failed and was rolled back:\n" + err);
        assertTrue(MeshFixture.jsonLines(out, "ACTION_DONE").stream().noneMatch(l -> l.contains("\"action\":\"proxy-sync\"")),
                "the proxy-sync gate never passed:\n" + out);
        String failed = line(logs, "STEP_FAILED", "proxy-sync").orElseThrow(() -> new AssertionError("the proxy-sync gate failed the step:\n" + out));
        Instant gateStarted = at(line(logs, "ACTION_STARTED", "proxy-sync").orElseThrow());
        Duration took = Duration.between(gateStarted, at(failed));
        assertTrue(took.compareTo(Duration.ofSeconds(GATE_TIMEOUT_SECONDS + 10)) <= 0, "the gate failed by its deadline, took " + took);
        assertTrue(err.contains("proxy-sync"), err);
        String runId = MeshFixture.runId(out);
        outcome.assertEnded(runId);
        assertEquals("ROLLED_BACK", outcome.status(runId).get("state").getAsString());
    }

    private static Optional<String> line(Path logs, String type, String action) throws java.io.IOException {
        return Files.readAllLines(logs.resolve("out.txt")).stream()
                .filter(l -> l.startsWith("{") && l.contains("\"type\":\"" + type + "\"") && l.contains("\"action\":\"" + action + "\""))
                .findFirst();
    }

    private static Instant at(String line) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        return Instant.parse(o.get("at").getAsString());
    }
}
