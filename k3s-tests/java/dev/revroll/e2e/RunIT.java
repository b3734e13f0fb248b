package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code revroll run} on the real world: three namespaces in two waves move to the new revision. */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class RunIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    static String gates() {
        return """
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
                      samples: 3
                      failureLimit: 0
                      onNoData: wait
                bake: 6s
                onFailure: rollback-step
                """;
    }

    @Test
    void movesThreeNamespacesInTwoWaves() {
        String a = mesh.meshedNamespace("run-a", Map.of(), "web");
        String b = mesh.meshedNamespace("run-b", Map.of(), "api", "worker");
        String c = mesh.meshedNamespace("run-c", Map.of(), "db");
        Path gitops = mesh.gitopsClone("gitops", List.of(a, b, c));
        Path plan = mesh.plan("e2e-run", """
                - name: canary
                  namespaces: [%s]
                - name: rest
                  namespaces: [%s, %s]
                  parallel: 2
                """.formatted(a, b, c), gates() + """
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                """.formatted(gitops));

        RevrollProcess.Result preview = RevrollProcess.run(mesh.world, "preview", plan.toString(), "-o", "json");
        assertEquals(0, preview.exitCode(), preview.toString());
        assertTrue(preview.out().contains("\"workload\" : \"Deployment/api\""), preview.out());
        assertEquals(mesh.world.oldRevision(), mesh.labels(a).get("istio.io/rev"), "preview writes nothing");

        RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

        assertEquals(0, run.exitCode(), run.toString());
        for (String ns : List.of(a, b, c)) {
            assertEquals(mesh.world.newRevision(), mesh.labels(ns).get("istio.io/rev"), ns);
            assertFalse(mesh.labels(ns).containsKey("istio-injection"), ns);
            Map<String, String> pods = mesh.podRevisions(ns);
            assertFalse(pods.isEmpty());
            pods.forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, ns + "/" + pod));
            assertEquals("{\"istio.io/rev\":\"" + mesh.world.oldRevision() + "\",\"istio-injection\":null}",
                    mesh.annotation(ns, "revroll.dev/previous-labels"));
        }
        assertFalse(MeshFixture.jsonLines(run.out(), "GATE_EVALUATION").isEmpty(), "gate evaluations are streamed");
        List<String> summary = MeshFixture.jsonLines(run.out(), "SUMMARY");
        assertEquals(1, summary.size());
        assertTrue(summary.get(0).contains("\"state\":\"DONE\""), summary.get(0));
        assertTrue(summary.get(0).contains("\"gate\":\"error-rate\""), summary.get(0));
        // surge enforce put the deployments' own values back
        assertNull(emptyToNull(mesh.world.kubectl("get", "deployment", "api", "-n", b, "-o",
                "jsonpath={.metadata.annotations.revroll\\.dev/saved-rolling-update}")));

        List<String> log = mesh.remoteLog();
        for (String step : List.of("canary/" + a, "rest/" + b, "rest/" + c)) {
            assertTrue(log.contains("Revroll-Step: " + step), "a commit per step on the remote: " + step + "\n" + log);
        }

        // by its id: the latest run on the world may be another test's (the end-to-end classes run concurrently)
        RevrollProcess.Result status = RevrollProcess.run(mesh.world, "status", MeshFixture.runId(run.out()));
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("DONE"), status.out());
    }

    static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
