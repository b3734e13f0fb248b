package dev.revroll.e2e;

import dev.revroll.cli.Revroll;
import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import dev.revroll.git.JGitOpsRepository;
import dev.revroll.plan.Plan;
import dev.revroll.plan.PlanLoader;
import dev.revroll.ports.GitOpsRepository.StepChange;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.revroll.e2e.GitDaemonRemote.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code revroll drift} and {@code revroll reconcile} against the real test world: its Kubernetes API server and
 * its Git remote (a git daemon), with the CLI run in-process as a user would run it (in the application context
 * that micronaut-test starts for the class, as {@code Revroll.main} starts one).
 */
@MicronautTest(application = Revroll.class, environments = Environment.CLI, startApplication = false)
@ExtendWith(WorldNamespaces.class)
class DriftIT {

    private static final String BREAK_GLASS = "revroll.dev/break-glass";

    @TempDir
    Path tmp;

    @Inject
    ApplicationContext context;

    private SandboxWorld world;
    private Path clone;
    private String ns;
    private Path planFile;

    @BeforeEach
    void setUp(TestNamespaces namespaces) throws Exception {
        world = SandboxWorld.get();
        ns = namespaces.create("drift", Map.of("istio.io/rev", world.oldRevision()));
        clone = tmp.resolve("gitops");
        git(tmp, "clone", "-q", world.gitRemote(), clone.toString());
        Path manifest = clone.resolve("clusters/e2e/namespaces/" + ns + ".yaml");
        Files.createDirectories(manifest.getParent());
        Files.writeString(manifest, "# e2e namespace for drift\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns
                + "\n  labels:\n    revroll.dev/e2e: \"true\"\n    istio.io/rev: \"" + world.oldRevision() + "\"\n");
        git(clone, "add", "-A");
        git(clone, "commit", "-q", "-m", "e2e: manifest of " + ns);
        MeshFixture.pushToTheWorldsRemote(clone);
        planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: drift-e2e
                spec:
                  cluster:
                    context: %s
                  controlPlane:
                    namespace: istio-system
                  revision:
                    to: %s
                  waves:
                    - name: only
                      namespaces: [%s]
                  git:
                    repo: %s
                    path: clusters/e2e/namespaces/{{namespace}}.yaml
                    push: true
                """.formatted(world.context(), world.newRevision(), ns, clone));
    }

    private record Result(int code, String out, String err) {
    }

    private Result revroll(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kubeconfig", world.kubeconfig().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Revroll.commandLine(context);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void driftIsZeroWhenEqualAndOneAfterAClusterOnlyRelabel() {
        Result same = revroll("drift", planFile.toString());
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().contains(ns + "  in line istio.io/rev=" + world.oldRevision()), same.out());
        assertTrue(same.out().contains("Git and cluster agree"), same.out());

        world.kubectl("label", "namespace", ns, "istio.io/rev=" + world.newRevision(), "istio-injection=enabled", "--overwrite");
        Result drifted = revroll("drift", planFile.toString());
        assertEquals(1, drifted.code(), drifted.out() + drifted.err());
        assertTrue(drifted.out().contains("DRIFT istio.io/rev: Git " + world.oldRevision() + ", cluster " + world.newRevision()), drifted.out());
        assertTrue(drifted.out().contains("istio-injection: Git (absent), cluster enabled"), drifted.out());

        Result json = revroll("drift", planFile.toString(), "-o", "json");
        assertEquals(1, json.code(), json.err());
        assertTrue(json.out().contains("\"drifted\":true"), json.out());
        assertTrue(json.out().contains("\"namespace\":\"" + ns + "\""), json.out());
    }

    @Test
    void breakGlassThenReconcileEndsWithGitAndClusterEqual() throws Exception {
        Plan plan = PlanLoader.load(planFile);
        // a step as the engine makes it: commit + push, then the cluster relabel
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("istio.io/rev", world.newRevision());
        labels.put("istio-injection", null);
        StepChange change = new StepChange(plan.name(), "run-e2e-" + ns, "only-" + ns, ns, world.newRevision(), labels);
        String commit;
        try (JGitOpsRepository repo = JGitOpsRepository.open(plan.spec().git().orElseThrow(), plan.name())) {
            commit = repo.commit(change);
        }
        world.kubectl("label", "namespace", ns, "istio.io/rev=" + world.newRevision(), "--overwrite");
        assertEquals(0, revroll("drift", planFile.toString()).code());

        // rollback --break-glass: the cluster goes back without Git and carries the mark (contract in BRIEF-INTERFACES)
        String mark = "{\"run\":\"" + change.runId() + "\",\"step\":\"" + change.stepId() + "\",\"commit\":\"" + commit
                + "\",\"at\":\"" + Instant.now() + "\"}";
        world.kubectl("label", "namespace", ns, "istio.io/rev=" + world.oldRevision(), "--overwrite");
        world.kubectl("annotate", "namespace", ns, BREAK_GLASS + "=" + mark, "--overwrite");

        Result drift = revroll("drift", planFile.toString());
        assertEquals(1, drift.code(), drift.out() + drift.err());
        assertTrue(drift.out().contains("Git must be brought back in line: run `revroll reconcile"), drift.out());

        Result reconcile = revroll("reconcile", planFile.toString());
        assertEquals(0, reconcile.code(), reconcile.out() + reconcile.err());
        assertTrue(reconcile.out().contains(ns + ": reverted " + commit), reconcile.out());

        String bare = world.gitBare().toString();
        String last = git(Path.of(bare), "log", "-1", "--format=%s%n%(trailers:key=Revroll-Revert-Of,valueonly)", "main");
        assertTrue(last.startsWith("drift-e2e: revert move of " + ns + " to " + world.newRevision()), last);
        assertTrue(last.contains(commit), last);
        assertFalse(world.kubectl("get", "namespace", ns, "-o", "jsonpath={.metadata.annotations}").contains(BREAK_GLASS));

        Result after = revroll("drift", planFile.toString());
        assertEquals(0, after.code(), after.out() + after.err());

        // idempotent: nothing more to do, no second revert
        String head = git(Path.of(bare), "rev-parse", "main");
        Result again = revroll("reconcile", planFile.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("nothing to reconcile"), again.out());
        assertEquals(head, git(Path.of(bare), "rev-parse", "main"));
    }
}
