package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.WorldNamespaces;
import dev.revroll.plan.QueryTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every placeholder {@code validate} accepts in a query is filled in by {@code preview} and {@code run}, proven through
 * real gates on the world: one gate carries every placeholder into a label Prometheus echoes, so the resolved query
 * is seen in preview, in the run's events and in the journal; another selects the step's workload by {@code {{workload}}}
 * and passes only if Prometheus has its traffic.
 */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class QueryPlaceholdersIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void everyPlaceholderIsResolvedInPreviewAndInTheRun() {
        String ns = mesh.meshedNamespace("ph", Map.of(), "web");
        String every = "ns={{namespace}} rev={{revision}} from={{fromRevision}} wl={{workload}} wave={{wave}} plan={{plan}} iv={{interval}}";
        for (String placeholder : QueryTemplate.KNOWN_PLACEHOLDERS) {
            assertTrue(every.contains("{{" + placeholder + "}}"), "the test covers {{" + placeholder + "}}");
        }
        // A name of its own (run continues an unfinished run of the same plan name), known here for {{plan}}.
        String planName = "e2e-ph-" + ns.substring(ns.lastIndexOf('-') + 1);
        Path plan = mesh.planNamed(planName, "- name: ph-wave\n  namespaces: [" + ns + "]\n", """
                restart:
                  kinds: [Deployment]
                  timeout: 3m
                gates:
                  proxySync: {timeout: 90s}
                  metrics:
                    - name: every-placeholder
                      query: 'label_replace(vector(0), "resolved", "%s", "", "")'
                      failWhen: "> 1"
                      interval: 1s
                      samples: 1
                    - name: workload-traffic
                      query: >-
                        sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload=~"{{workload}}"}[15s]))
                      failWhen: "<= 0"
                      interval: 2s
                      samples: 2
                      onNoData: wait
                bake: 4s
                """.formatted(every));
        String resolved = "ns=" + ns + " rev=" + mesh.world.newRevision() + " from=" + mesh.world.oldRevision()
                + " wl=web wave=ph-wave plan=" + planName + " iv=1s";

        RevrollProcess.Result validate = RevrollProcess.runWith(mesh.world, Map.of(), List.of("validate", plan.toString()));
        assertEquals(0, validate.exitCode(), validate.toString());

        RevrollProcess.Result preview = RevrollProcess.run(mesh.world, "preview", plan.toString(), "-o", "json");
        assertEquals(0, preview.exitCode(), preview.toString());
        assertTrue(preview.out().contains(resolved), "preview shows every placeholder resolved: " + preview.out());
        assertTrue(preview.out().contains("destination_workload=~\\\"web\\\"") || preview.out().contains("destination_workload=~\"web\""),
                preview.out());

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());
        assertEquals(0, run.exitCode(), run.toString());
        List<String> evaluations = MeshFixture.jsonLines(run.out(), "GATE_EVALUATION");
        assertTrue(evaluations.stream().anyMatch(e -> e.contains(resolved)), "the run's events carry the resolved query: " + evaluations);

        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", MeshFixture.runId(run.out()), "-o", "json");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains(resolved), "the journal keeps the resolved query: " + status.out());
        assertTrue(status.out().contains("workload-traffic"), status.out());
        assertTrue(!status.out().contains("no value for placeholder"), status.out());
        assertEquals(mesh.world.newRevision(), mesh.labels(ns).get("istio.io/rev"));
    }
}
