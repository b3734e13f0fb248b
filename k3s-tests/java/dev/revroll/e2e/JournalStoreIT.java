package dev.revroll.e2e;

import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import dev.revroll.engine.journal.JournalBudget;
import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunJournal;
import dev.revroll.engine.journal.RunRecord;
import dev.revroll.engine.journal.RunRecord.GateRecord;
import dev.revroll.engine.journal.RunRecord.StepRecord;
import dev.revroll.gates.GateOutcome;
import dev.revroll.kube.ConfigMapJournalStore;
import dev.revroll.kube.KubeConnection;
import dev.revroll.ports.JournalStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run journals larger than a ConfigMap holds, against the real API server: the document is kept gzip-compressed, an
 * older plain journal is still read (and converted by the next write), and a run whose gate evaluations outgrow even
 * the compressed limit is shrunk by the engine and stored, not failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(WorldNamespaces.class)
class JournalStoreIT {

    private static final List<String> GATES = List.of("error-rate", "p99-latency", "saturation");

    private SandboxWorld cluster;
    private KubeConnection connection;

    @BeforeAll
    void connect() {
        cluster = SandboxWorld.get();
        connection = KubeConnection.open(Optional.of(cluster.kubeconfig()), Optional.of(cluster.context()));
    }

    /** A run of {@code namespaces} steps, three gates with long resolved PromQL, {@code samples} evaluations each. */
    private static RunRecord longRun(String runId, int namespaces, int samples) {
        Random random = new Random(42);
        Instant start = Instant.parse("2026-11-25T10:00:00Z");
        RunRecord r = RunRecord.of(runId, "mesh-1-28", null, null, null, null, null, null, null);
        for (int n = 0; n < namespaces; n++) {
            StepRecord s = StepRecord.of("wave-" + (n / 10) + "/team-" + n, null, 0, "team-" + n, null, List.of());
            for (int i = 0; i < samples; i++) {
                for (String gate : GATES) {
                    String at = start.plusSeconds(n * 3600L + i * 10L).plusMillis(random.nextInt(1000)).toString();
                    String query = "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"" + s.namespace()
                            + "\",response_code=~\"5..\"}[5m])) / sum(rate(istio_requests_total{reporter=\"destination\","
                            + "destination_workload_namespace=\"" + s.namespace() + "\"}[5m])) or on() vector(0) # " + gate;
                    double value = random.nextDouble();
                    String outcome = random.nextInt(100) < 95 ? "PASS" : "INCONCLUSIVE";
                    String detail = random.nextInt(100000) + " requests, trace " + Long.toHexString(random.nextLong());
                    s.addGate(new GateRecord(gate, at, query, value, GateOutcome.valueOf(outcome), detail));
                }
            }
            r.addStep(s);
        }
        return r;
    }

    @Test
    void aJournalOverOneMebibyteRoundTripsCompressed(TestNamespaces namespaces) {
        String ns = namespaces.create("journal-size", Map.of());
        JournalStore store = new ConfigMapJournalStore(connection, ns);
        String big = ClusterRecords.journal(longRun("big-1", 20, 60));
        assertTrue(big.getBytes(StandardCharsets.UTF_8).length > 1024 * 1024 + 1, "uncompressed " + big.length());

        String v1 = store.write("big-1", "mesh-1-28", big, Optional.empty());
        assertEquals(big, store.read("big-1").orElseThrow().document());
        String changed = big.replace("\"runId\" : \"big-1\"", "\"runId\" : \"big-1\", \"message\" : \"resumed\"");
        String v2 = store.write("big-1", "mesh-1-28", changed, Optional.of(v1));
        JournalStore.Entry entry = store.read("big-1").orElseThrow();
        assertEquals(changed, entry.document());
        assertEquals(v2, entry.version());
        assertEquals(changed, store.list(Optional.of("mesh-1-28")).get(0).document());

        String keys = cluster.kubectl("get", "configmap", "revroll-run-big-1", "-n", ns, "-o",
                "jsonpath={.binaryData}{\"|\"}{.data}");
        assertTrue(keys.startsWith("{\"journal.json.gz\":"), keys);
        assertTrue(keys.endsWith("|"), "no plain data: " + keys);
    }

    @Test
    void aPlainJournalOfAnEarlierVersionIsReadAndTheNextWriteCompressesIt(TestNamespaces namespaces) {
        String ns = namespaces.create("journal-old", Map.of());
        cluster.applyYaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: revroll-run-old-1
                  namespace: %s
                  labels: {app.kubernetes.io/managed-by: revroll, revroll.dev/plan: mesh-1-28, revroll.dev/run: old-1}
                data:
                  journal.json: '{"runId":"old-1","planName":"mesh-1-28","state":"PAUSED","steps":[]}'
                """.formatted(ns));
        JournalStore store = new ConfigMapJournalStore(connection, ns);
        JournalStore.Entry old = store.read("old-1").orElseThrow();
        assertEquals("PAUSED", ClusterRecords.journal(old.document()).state().name());
        assertEquals(List.of("old-1"), store.list(Optional.of("mesh-1-28")).stream().map(JournalStore.Entry::runId).toList());

        RunJournal journal = RunJournal.open(store, Clock.systemUTC(), "old-1");
        journal.update(RunRecord::running);

        assertEquals("RUNNING", ClusterRecords.journal(store.read("old-1").orElseThrow().document()).state().name());
        String keys = cluster.kubectl("get", "configmap", "revroll-run-old-1", "-n", ns, "-o", "jsonpath={.binaryData}{\"|\"}{.data}");
        assertTrue(keys.startsWith("{\"journal.json.gz\":") && keys.endsWith("|"), keys);
    }

    @Test
    void aRunWhoseGateEvaluationsOutgrowTheLimitIsShrunkAndStored(TestNamespaces namespaces) {
        String ns = namespaces.create("journal-shrink", Map.of());
        JournalStore store = new ConfigMapJournalStore(connection, ns);
        RunRecord run = longRun("long-1", 50, 200);
        byte[] full = ClusterRecords.journal(run).getBytes(StandardCharsets.UTF_8);
        assertTrue(JournalBudget.compressedSize(full) > 1024 * 1024, "even compressed the full journal is over 1 MiB: "
                + JournalBudget.compressedSize(full));
        long inconclusive = run.steps().stream().flatMap(s -> s.gates().stream()).filter(g -> g.outcome().name().equals("INCONCLUSIVE")).count();

        RunJournal.create(store, Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC), run);

        RunRecord read = ClusterRecords.journal(store.read("long-1").orElseThrow().document());
        assertNotNull(read.compaction().orElse(null), "the run says its journal was shrunk");
        assertEquals(inconclusive, read.steps().stream().flatMap(s -> s.gates().stream()).filter(g -> g.outcome().name().equals("INCONCLUSIVE")).count());
        long omitted = read.steps().stream().flatMap(s -> s.omitted().stream()).mapToLong(o -> o.count()).sum();
        long passes = read.steps().stream().flatMap(s -> s.gates().stream()).filter(g -> g.outcome().name().equals("PASS")).count();
        assertEquals(50L * GATES.size() * 200 - inconclusive, passes + omitted);
        assertEquals(50L * GATES.size() * 2, passes, "first and last PASS of each gate in each step");
        assertTrue(read.compaction().orElseThrow().contains(omitted + " passing evaluations omitted"), read.compaction().orElseThrow());
        assertNull(read.finishedAt());
    }
}
