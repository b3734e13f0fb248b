package dev.revroll.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.revroll.e2e.world.Await.await;

/**
 * Namespaces with meshed workloads on the old revision, plans for them, and reads of what the cluster shows. The
 * namespaces are the test's own ({@link TestNamespaces}): they go when the test ends.
 */
final class MeshFixture {

    final SandboxWorld world = SandboxWorld.get();
    private final TestNamespaces namespaces;

    MeshFixture(TestNamespaces namespaces) {
        this.namespaces = namespaces;
    }

    /** A namespace of the test's own with these labels and no workload. */
    String namespace(String prefix, Map<String, String> labels) {
        return namespaces.create(prefix, labels);
    }

    String meshedNamespace(String prefix, Map<String, String> extraLabels, String... deployments) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("istio.io/rev", world.oldRevision());
        labels.putAll(extraLabels);
        String ns = namespace(prefix, labels);
        for (String d : deployments) {
            deployment(ns, d, 2, null);
        }
        waitPods(ns, world.oldRevision());
        return ns;
    }

    void deployment(String ns, String name, int replicas, String strategy) {
        world.applyYaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  replicas: %d
                  selector:
                    matchLabels: {app: %s}
                %s
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: app
                        image: example.com/%s:1
                """.formatted(name, ns, replicas, name, strategy == null ? "" : strategy, name, name));
    }

    /** A StatefulSet ({@code RollingUpdate}, one pod at a time) with pods labelled {@code app: NAME}. */
    void statefulSet(String ns, String name, int replicas) {
        world.applyYaml("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  serviceName: %s
                  replicas: %d
                  selector:
                    matchLabels: {app: %s}
                  updateStrategy: {type: RollingUpdate}
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: app
                        image: example.com/%s:1
                """.formatted(name, ns, name, replicas, name, name, name));
    }

    /** A DaemonSet (a pod on each kwok node) with the given update strategy fragment, e.g. make-before-break. */
    void daemonSet(String ns, String name, String updateStrategy) {
        world.applyYaml("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  selector:
                    matchLabels: {app: %s}
                  updateStrategy: %s
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: app
                        image: example.com/%s:1
                """.formatted(name, ns, name, updateStrategy, name, name));
    }

    /** Every live pod of the namespace: name → the revision in its sidecar.istio.io/status ("none" when not injected). */
    Map<String, String> podRevisions(String ns) {
        JsonObject list = JsonParser.parseString(world.kubectl("get", "pods", "-n", ns, "-o", "json")).getAsJsonObject();
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonElement e : list.getAsJsonArray("items")) {
            JsonObject meta = e.getAsJsonObject().getAsJsonObject("metadata");
            if (meta.has("deletionTimestamp")) {
                continue;
            }
            String rev = "none";
            JsonObject ann = meta.has("annotations") ? meta.getAsJsonObject("annotations") : new JsonObject();
            if (ann.has("sidecar.istio.io/status")) {
                JsonObject st = JsonParser.parseString(ann.get("sidecar.istio.io/status").getAsString()).getAsJsonObject();
                rev = st.has("revision") ? st.get("revision").getAsString() : "default";
            }
            out.put(meta.get("name").getAsString(), rev);
        }
        return out;
    }

    Map<String, String> labels(String ns) {
        JsonObject o = JsonParser.parseString(world.kubectl("get", "namespace", ns, "-o", "json")).getAsJsonObject();
        Map<String, String> out = new LinkedHashMap<>();
        o.getAsJsonObject("metadata").getAsJsonObject("labels").entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
        return out;
    }

    String annotation(String ns, String key) {
        JsonObject meta = JsonParser.parseString(world.kubectl("get", "namespace", ns, "-o", "json")).getAsJsonObject().getAsJsonObject("metadata");
        if (!meta.has("annotations") || !meta.getAsJsonObject("annotations").has(key)) {
            return null;
        }
        return meta.getAsJsonObject("annotations").get(key).getAsString();
    }

    /** ReplicaSets of a deployment (one per restart). */
    int replicaSets(String ns, String deployment) {
        JsonArray items = JsonParser.parseString(world.kubectl("get", "replicasets", "-n", ns, "-l", "app=" + deployment, "-o", "json"))
                .getAsJsonObject().getAsJsonArray("items");
        return items.size();
    }

    String restartedAt(String ns, String deployment) {
        return world.kubectl("get", "deployment", deployment, "-n", ns, "-o",
                "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}").trim();
    }

    /** kubectl's rule: the new template observed, every replica updated, none old left, all available. */
    boolean rolloutComplete(String ns, String deployment) {
        JsonObject d = JsonParser.parseString(world.kubectl("get", "deployment", deployment, "-n", ns, "-o", "json")).getAsJsonObject();
        long generation = d.getAsJsonObject("metadata").get("generation").getAsLong();
        int want = d.getAsJsonObject("spec").get("replicas").getAsInt();
        JsonObject st = d.getAsJsonObject("status");
        return field(st, "observedGeneration") >= generation && field(st, "updatedReplicas") == want
                && field(st, "replicas") == want && field(st, "availableReplicas") == want;
    }

    private static long field(JsonObject o, String name) {
        return o.has(name) ? o.get(name).getAsLong() : 0;
    }

    void waitPods(String ns, String revision) {
        await("pods of " + ns + " on " + revision, Duration.ofMinutes(2)).until(() -> {
            Map<String, String> revs = podRevisions(ns);
            return !revs.isEmpty() && revs.values().stream().allMatch(revision::equals);
        });
    }

    /**
     * A plan file: waves given as YAML list items, gates and options as YAML fragments. The plan's name is {@code name}
     * with a suffix of its own: `revroll run` continues an unfinished run of the same plan name (and refuses a changed
     * plan while one is open), so runs left by other tests, or by an earlier test session on a world that is kept,
     * never meet this one.
     */
    Path plan(String name, String waves, String extra) {
        return planNamed(name + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36), waves, extra);
    }

    /** A plan file with exactly this name. */
    Path planNamed(String name, String waves, String extra) {
        String yaml = """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: %s
                spec:
                  cluster:
                    context: %s
                  controlPlane:
                    namespace: %s
                  revision:
                    from: %s
                    to: %s
                  waves:
                %s
                  prometheus:
                    url: %s
                %s
                """.formatted(name, world.context(), world.controlPlaneNamespace(), world.oldRevision(), world.newRevision(),
                waves.indent(4).stripTrailing(), world.prometheusUrl(), extra.indent(2).stripTrailing());
        try {
            Path dir = Files.createTempDirectory("revroll-plan");
            Path file = dir.resolve(name + ".yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Namespace manifest of {@code ns} with its labels as they are in the cluster now (what a GitOps repository holds). */
    String namespaceManifest(String ns) {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n");
        labels(ns).forEach((k, v) -> yaml.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        return yaml.toString();
    }

    /** A fresh clone of the world's GitOps remote holding a Namespace manifest per namespace (pushed); returns the clone. */
    Path gitopsClone(String dirName, List<String> namespaces) {
        try {
            Path dir = Files.createTempDirectory("revroll-gitops").resolve(dirName);
            git(null, "clone", "-q", world.gitRemote(), dir.toString());
            git(dir, "config", "user.name", "revroll e2e");
            git(dir, "config", "user.email", "e2e@revroll.invalid");
            for (String ns : namespaces) {
                Path file = dir.resolve("clusters/e2e/namespaces/" + ns + ".yaml");
                Files.createDirectories(file.getParent());
                Files.writeString(file, namespaceManifest(ns));
            }
            git(dir, "add", "-A");
            git(dir, "commit", "-q", "-m", "e2e: namespaces " + String.join(", ", namespaces));
            pushToTheWorldsRemote(dir);
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Pushes a clone's commits to the world's GitOps remote. Other test classes push to it meanwhile (they run
     * concurrently): a push that lost the race is rebased on theirs and sent again.
     */
    static void pushToTheWorldsRemote(Path clone) {
        await("the commits of " + clone + " pushed to the world's GitOps remote", Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300)).ignoreExceptionsInstanceOf(IllegalStateException.class)
                .until(() -> {
                    git(clone, "pull", "-q", "--rebase");
                    git(clone, "push", "-q", "origin", "HEAD");
                    return true;
                });
    }

    /** The plan's {@code git} section for a clone from {@link #gitopsClone}: one manifest per namespace, pushed. */
    static String gitRecord(Path clone) {
        return """
                git:
                  repo: %s
                  path: clusters/e2e/namespaces/{{namespace}}.yaml
                  push: true
                """.formatted(clone);
    }

    /** {@code git log --format=%s} of the world's bare remote. */
    List<String> remoteLog() {
        return List.of(git(null, "--git-dir", world.gitBare().toString(), "log", "--format=%s%n%b", "-n", "200").split("\n"));
    }

    /** {@link #remoteLog()} of the commits that name {@code namespace}: other tests write to the same remote meanwhile. */
    List<String> remoteLog(String namespace) {
        return List.of(git(null, "--git-dir", world.gitBare().toString(), "log", "--format=%s%n%b", "-n", "200",
                "--fixed-strings", "--grep=" + namespace).split("\n"));
    }

    static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A step's journal entries of one gate, from {@code revroll status RUN -o json}: {@code key} is {@code gates} (evaluations) or {@code verdicts}. */
    static List<JsonObject> gateEntries(JsonObject step, String key, String gate) {
        List<JsonObject> out = new ArrayList<>();
        if (step.has(key)) {
            for (JsonElement e : step.getAsJsonArray(key)) {
                if (e.getAsJsonObject().get("gate").getAsString().equals(gate)) {
                    out.add(e.getAsJsonObject());
                }
            }
        }
        return out;
    }

    /**
     * Deletes the run lock (Lease revroll-lock) if this run holds it: a run killed by a test that then failed keeps
     * it until it expires, and the next test must not wait for that. A lock another test's run holds is left alone.
     */
    void releaseLockOf(String runId) {
        String cp = world.controlPlaneNamespace();
        if (runId != null && runId.equals(world.kubectl("get", "lease", "revroll-lock", "-n", cp, "--ignore-not-found",
                "-o", "jsonpath={.spec.holderIdentity}").trim())) {
            world.kubectl("delete", "lease", "revroll-lock", "-n", cp, "--ignore-not-found");
        }
    }

    /** The run id from a run's JSON event stream. */
    static String runId(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"type\":\"RUN_STARTED\".*?\"run\":\"([^\"]+)\"").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no RUN_STARTED event in:\n" + out);
        }
        return m.group(1);
    }

    static List<String> jsonLines(String out, String type) {
        List<String> l = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{") && line.contains("\"type\":\"" + type + "\"")) {
                l.add(line);
            }
        }
        return l;
    }
}
