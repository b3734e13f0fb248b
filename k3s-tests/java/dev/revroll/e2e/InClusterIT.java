package dev.revroll.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldException;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code revroll manifests} applied to the real API server, and a whole run with exactly the rights of the
 * ServiceAccount it creates: a token from the TokenRequest API ({@code kubectl create token}), a kubeconfig built from
 * it, the plan taken back from the applied ConfigMap and the command line from the applied CronJob, the GitOps clone
 * made by the run itself as in a fresh pod. Then preflight: with a verb taken away from each role, the run is refused
 * with exit 3 naming both, and nothing in the cluster or in Git changed.
 */
@ExtendWith(WorldNamespaces.class)
class InClusterIT {

    MeshFixture mesh;
    String target;
    String system;
    String name;
    Path work;
    Path manifests;
    String planName;

    @BeforeEach
    void install(TestNamespaces namespaces) throws IOException {
        mesh = new MeshFixture(namespaces);
        target = mesh.meshedNamespace("incl", Map.of(), "web");
        system = mesh.namespace("incl-sys", Map.of());
        name = "rr-" + system;
        mesh.gitopsClone("seed", List.of(target));
        // the pod's /work: the plan under plan/, git.repo ../gitops is work/gitops, which the run clones
        work = Files.createTempDirectory("revroll-incluster");
        Path planDir = Files.createDirectories(work.resolve("authoring"));
        planName = "p-" + target;
        Path authored = mesh.planNamed(planName, """
                - name: only
                  namespaces: [%s]
                """.formatted(target), """
                restart:
                  kinds: [Deployment]
                  timeout: 3m
                gates:
                  proxySync:
                    timeout: 90s
                git:
                  repo: ../gitops
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                window:
                  cron: "* * * * *"
                  duration: 1h
                  timeZone: Europe/Oslo
                """);
        Path plan = planDir.resolve("incluster.yaml");
        Files.copy(authored, plan);

        RevrollProcess.Result printed = RevrollProcess.run(mesh.world, "manifests", "--plan", plan.toString(),
                "--image", "example.invalid/revroll:e2e", "--namespace", system, "--name", name, "--git-url", mesh.world.gitRemote());
        assertEquals(0, printed.exitCode(), printed.toString());
        manifests = work.resolve("manifests.yaml");
        Files.writeString(manifests, printed.out());
        mesh.world.kubectl("apply", "-f", manifests.toString());
    }

    @AfterEach
    void uninstall() {
        if (manifests != null) {
            // the ClusterRole, its binding and the Role in the control-plane namespace outlive the test namespaces
            mesh.world.kubectl("delete", "-f", manifests.toString(), "--ignore-not-found", "--wait=false");
        }
    }

    @Test
    void aWholeRunWithExactlyTheServiceAccountsRights() throws IOException {
        JsonObject cronJob = json("get", "cronjob", name, "-n", system, "-o", "json");
        JsonObject cronSpec = cronJob.getAsJsonObject("spec");
        assertEquals("* * * * *", cronSpec.get("schedule").getAsString());
        assertEquals("Europe/Oslo", cronSpec.get("timeZone").getAsString());
        assertEquals("Forbid", cronSpec.get("concurrencyPolicy").getAsString());
        JsonObject podSpec = cronSpec.getAsJsonObject("jobTemplate").getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
        assertEquals(name, podSpec.get("serviceAccountName").getAsString());

        // the CronJob's template is a Job the API server accepts: one made from it now gets a pod as that ServiceAccount
        mesh.world.kubectl("create", "job", name + "-now", "--from=cronjob/" + name, "-n", system);
        String podSa = await("a pod of the Job made from the CronJob", Duration.ofMinutes(1)).until(() -> mesh.world.kubectl("get", "pods",
                "-n", system, "-l", "job-name=" + name + "-now", "-o", "jsonpath={.items[*].spec.serviceAccountName}").strip(), s -> !s.isEmpty());
        assertEquals(name, podSa);

        Path kubeconfig = serviceAccountKubeconfig();
        String as = "system:serviceaccount:" + system + ":" + name;
        await("RBAC lets the ServiceAccount patch Deployments in " + target, Duration.ofSeconds(30))
                .until(() -> canI(as, "patch", "deployments.apps", target), "yes"::equals);
        assertEquals("no", canI(as, "delete", "namespaces", null), "nothing beyond what revroll uses");
        assertEquals("no", canI(as, "update", "deployments.apps", target), "patch, not update");
        assertEquals("no", canI(as, "create", "leases.coordination.k8s.io", "default"), "the lock only in the control-plane namespace");

        List<String> args = podCommandLine(cronJob);
        Path clone = work.resolve("gitops");
        assertFalse(Files.exists(clone), "the run clones the GitOps remote itself, as in a fresh pod");
        RevrollProcess.Result run = RevrollProcess.runWith(mesh.world, Map.of("HOME", work.resolve("home").toString()), withKubeconfig(args, kubeconfig));

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(mesh.world.newRevision(), mesh.labels(target).get("istio.io/rev"));
        mesh.podRevisions(target).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
        assertTrue(Files.isDirectory(clone.resolve(".git")), "cloned into git.repo");
        List<String> log = mesh.remoteLog(target);
        assertTrue(log.contains("Revroll-Step: only/" + target), "the step's commit is on the remote:\n" + log);
        String runId = MeshFixture.runId(run.out());
        String journal = mesh.world.kubectl("get", "configmap", "revroll-run-" + runId, "-n", mesh.world.controlPlaneNamespace(),
                "-o", "jsonpath={.metadata.managedFields[*].manager}");
        assertTrue(journal.contains("revroll"), "the journal was written by the ServiceAccount's run: " + journal);
        assertTrue(run.out().contains("\"type\":\"SUMMARY\""), run.out());
    }

    @Test
    void preflightRefusesNamingEveryMissingPermissionAndChangesNothing() throws IOException {
        String cp = mesh.world.controlPlaneNamespace();
        withoutVerb("clusterrole", name, null, "deployments", "patch");
        withoutVerb("role", name, cp, "leases", "create");
        String as = "system:serviceaccount:" + system + ":" + name;
        await("RBAC no longer lets the ServiceAccount patch Deployments", Duration.ofSeconds(30))
                .until(() -> canI(as, "patch", "deployments.apps", target), "no"::equals);
        await("nor create the lock", Duration.ofSeconds(30))
                .until(() -> canI(as, "create", "leases.coordination.k8s.io", cp), "no"::equals);
        List<String> before = mesh.remoteLog(target);
        Map<String, String> labelsBefore = mesh.labels(target);
        Map<String, String> podsBefore = mesh.podRevisions(target);

        List<String> args = podCommandLine(json("get", "cronjob", name, "-n", system, "-o", "json"));
        RevrollProcess.Result run = RevrollProcess.runWith(mesh.world, Map.of("HOME", work.resolve("home").toString()),
                withKubeconfig(args, serviceAccountKubeconfig()));

        assertEquals(3, run.exitCode(), run.toString());
        String all = run.out() + run.err();
        assertTrue(all.contains("permission missing: patch deployments.apps (in all namespaces)")
                || all.contains("permission missing: patch deployments.apps (in namespace " + target + ")"), all);
        assertTrue(all.contains("permission missing: create leases.coordination.k8s.io (in namespace " + cp + ")"), all);
        assertFalse(all.contains("permission missing: get ") || all.contains("permission missing: list "), "only what was taken away: " + all);
        assertEquals(labelsBefore, mesh.labels(target), "the namespace was not touched");
        assertEquals(podsBefore, mesh.podRevisions(target), "no pod was restarted");
        assertEquals(before, mesh.remoteLog(target), "nothing was committed");
        String journals = mesh.world.kubectl("get", "configmaps", "-n", cp, "-l", "revroll.dev/plan=" + planName, "-o", "name");
        assertEquals("", journals.strip(), "no journal was written");
    }

    // ---- helpers

    private JsonObject json(String... kubectl) {
        return JsonParser.parseString(mesh.world.kubectl(kubectl)).getAsJsonObject();
    }

    /** A kubeconfig with the world's server and CA and a token of the ServiceAccount from the TokenRequest API. */
    private Path serviceAccountKubeconfig() throws IOException {
        String token = mesh.world.kubectl("create", "token", name, "-n", system, "--duration", "1h").strip();
        JsonObject admin = json("config", "view", "--minify", "--raw", "-o", "json");
        JsonObject cluster = admin.getAsJsonArray("clusters").get(0).getAsJsonObject().getAsJsonObject("cluster");
        String ca = cluster.has("certificate-authority-data")
                ? "certificate-authority-data: " + cluster.get("certificate-authority-data").getAsString()
                : "certificate-authority: " + cluster.get("certificate-authority").getAsString();
        Path file = work.resolve("sa-kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: world
                  cluster:
                    server: %s
                    %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: %s
                  context: {cluster: world, user: %s}
                current-context: %s
                """.formatted(cluster.get("server").getAsString(), ca, name, token, mesh.world.context(), name, mesh.world.context()));
        return file;
    }

    /** The CronJob container's args with the pod's /work put at this test's work directory, and the plan from the ConfigMap there. */
    private List<String> podCommandLine(JsonObject cronJob) throws IOException {
        JsonObject container = cronJob.getAsJsonObject("spec").getAsJsonObject("jobTemplate").getAsJsonObject("spec")
                .getAsJsonObject("template").getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject();
        JsonObject data = json("get", "configmap", name + "-plan", "-n", system, "-o", "json").getAsJsonObject("data");
        for (Map.Entry<String, JsonElement> e : data.entrySet()) {
            Files.createDirectories(work.resolve("plan"));
            Files.writeString(work.resolve("plan").resolve(e.getKey()), e.getValue().getAsString());
        }
        List<String> args = new ArrayList<>();
        for (JsonElement a : container.getAsJsonArray("args")) {
            String arg = a.getAsString();
            args.add(arg.startsWith("/work/") ? work.resolve(arg.substring("/work/".length())).toString() : arg);
        }
        assertEquals("run", args.get(0), args.toString());
        assertTrue(args.contains("--git-clone"), args.toString());
        return args;
    }

    private static List<String> withKubeconfig(List<String> args, Path kubeconfig) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
        return all;
    }

    private String canI(String as, String verb, String resource, String namespace) {
        List<String> args = new ArrayList<>(List.of("auth", "can-i", verb, resource, "--as", as));
        if (namespace != null) {
            args.addAll(List.of("-n", namespace));
        }
        try {
            return mesh.world.kubectl(args.toArray(String[]::new)).strip();
        } catch (WorldException e) {
            // kubectl auth can-i prints "no" and exits 1 when the answer is no
            if (e.getMessage().contains("failed (1)")) {
                return "no";
            }
            throw e;
        }
    }

    /** Replaces the role with the same one less one verb on one resource. */
    private void withoutVerb(String kind, String roleName, String namespace, String resource, String verb) throws IOException {
        List<String> get = new ArrayList<>(List.of("get", kind, roleName, "-o", "json"));
        if (namespace != null) {
            get.addAll(List.of("-n", namespace));
        }
        JsonObject role = json(get.toArray(String[]::new));
        boolean found = false;
        for (JsonElement r : role.getAsJsonArray("rules")) {
            JsonObject rule = r.getAsJsonObject();
            if (rule.getAsJsonArray("resources").contains(new com.google.gson.JsonPrimitive(resource))) {
                JsonArray verbs = new JsonArray();
                rule.getAsJsonArray("verbs").forEach(v -> {
                    if (!v.getAsString().equals(verb)) {
                        verbs.add(v);
                    }
                });
                found |= verbs.size() < rule.getAsJsonArray("verbs").size();
                rule.add("verbs", verbs);
            }
        }
        assertTrue(found, kind + " " + roleName + " has no " + verb + " on " + resource);
        Path file = work.resolve(kind + "-less-" + verb + ".json");
        Files.writeString(file, role.toString());
        mesh.world.kubectl("replace", "-f", file.toString());
    }
}
