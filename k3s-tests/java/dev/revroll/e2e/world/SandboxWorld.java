package dev.revroll.e2e.world;

import com.google.gson.Gson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The real test world (k3s-tests/sandbox) for end-to-end tests: one per JVM. {@link #get()} reuses a world that is
 * already up in {@code target/e2e-sandbox} (or {@code REVROLL_E2E_SANDBOX_DIR}, so several checkouts can share one world) on {@code REVROLL_PORT_BASE} (default 36000), or starts one and stops it
 * when the JVM exits. Every test makes its own namespaces through {@link WorldNamespaces}, which deletes them when
 * the test ends.
 */
public final class SandboxWorld {

    /** Below the kernel's ephemeral range (32768-60999 by default): a restarted component never finds its port taken by an outgoing connection. */
    private static final int DEFAULT_PORT_BASE = 29000;
    private static final Pattern ENV_LINE = Pattern.compile("^export ([A-Z0-9_]+)='([^']*)'$");
    private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) ->");
    private static SandboxWorld instance;

    private final Path checkout;
    private final Path sandboxDir;
    private final int portBase;
    private final Map<String, String> env;
    private final boolean startedHere;
    private final List<Fault> faults = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Gson gson = new Gson();

    SandboxWorld(Path checkout, Path sandboxDir, int portBase, boolean startedHere) {
        this.checkout = checkout;
        this.sandboxDir = sandboxDir;
        this.portBase = portBase;
        this.startedHere = startedHere;
        this.env = readEnv(sandboxDir.resolve("env"));
    }

    /** The world of this JVM, started on first use if it is not already up. */
    public static synchronized SandboxWorld get() {
        if (instance == null) {
            instance = WorldBackendChoice.fromEnvironment().start(findCheckout());
        }
        return instance;
    }

    /** The local sandbox backend ({@link LocalSandboxBackend}). */
    static SandboxWorld startLocal(Path checkout) {
        String dirEnv = System.getenv("REVROLL_E2E_SANDBOX_DIR");
        Path dir = dirEnv == null || dirEnv.isBlank() ? checkout.resolve("target/e2e-sandbox") : Path.of(dirEnv.trim());
        String baseEnv = System.getenv("REVROLL_PORT_BASE");
        int base = baseEnv == null || baseEnv.isBlank() ? DEFAULT_PORT_BASE : Integer.parseInt(baseEnv.trim());
        boolean alreadyUp = sandbox(checkout, dir, base, "status", false) == 0;
        if (!alreadyUp) {
            System.err.printf("[SandboxWorld] starting the test world in %s (port base %d)%n", dir, base);
            int rc = sandbox(checkout, dir, base, "up", true);
            if (rc != 0) {
                throw new WorldException("k3s-tests/sandbox up failed with exit code " + rc + "; logs in " + dir.resolve("logs"));
            }
        } else {
            System.err.printf("[SandboxWorld] reusing the test world in %s (port base %d)%n", dir, base);
        }
        SandboxWorld world = new SandboxWorld(checkout, dir, base, !alreadyUp);
        Runtime.getRuntime().addShutdownHook(new Thread(world::close, "sandbox-world-stop"));
        return world;
    }

    private static int sandbox(Path checkout, Path dir, int base, String command, boolean showOutput) {
        ProcessBuilder pb = new ProcessBuilder(checkout.resolve("k3s-tests/sandbox").toString(), command)
                .directory(checkout.toFile());
        pb.environment().put("REVROLL_SANDBOX_DIR", dir.toString());
        pb.environment().put("REVROLL_PORT_BASE", Integer.toString(base));
        if (showOutput) {
            pb.inheritIO();
        } else {
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        try {
            return pb.start().waitFor();
        } catch (IOException e) {
            throw new WorldException("cannot run k3s-tests/sandbox " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorldException("interrupted while running k3s-tests/sandbox " + command, e);
        }
    }

    private static Path findCheckout() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("k3s-tests/sandbox"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new WorldException("k3s-tests/sandbox not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    private static Map<String, String> readEnv(Path file) {
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                Matcher matcher = ENV_LINE.matcher(line.trim());
                if (matcher.matches()) {
                    m.put(matcher.group(1), matcher.group(2));
                }
            }
            return m;
        } catch (IOException e) {
            throw new WorldException("the world is up but " + file + " cannot be read", e);
        }
    }

    private void close() {
        if (startedHere) {
            sandbox(checkout, sandboxDir, portBase, "down", true);
        }
    }

    // ---- what the world is -------------------------------------------------------------------------------------

    public Path checkout() {
        return checkout;
    }

    public Path sandboxDir() {
        return sandboxDir;
    }

    /** A value of the world's env file ({@code KUBECONFIG}, {@code REVROLL_*}). */
    public String env(String name) {
        String v = env.get(name);
        if (v == null) {
            throw new WorldException(name + " is not in " + sandboxDir.resolve("env"));
        }
        return v;
    }

    public Path kubeconfig() {
        return Path.of(env("KUBECONFIG"));
    }

    public String context() {
        return env("REVROLL_CONTEXT");
    }

    public String controlPlaneNamespace() {
        return env("REVROLL_CONTROL_PLANE_NS");
    }

    public String prometheusUrl() {
        return env("REVROLL_PROMETHEUS_URL");
    }

    public String agentUrl() {
        return env("REVROLL_AGENT_URL");
    }

    public String gitRemote() {
        return env("REVROLL_GIT_REMOTE");
    }

    public Path gitBare() {
        return Path.of(env("REVROLL_GIT_BARE"));
    }

    public String oldRevision() {
        return env("REVROLL_OLD_REVISION");
    }

    public String newRevision() {
        return env("REVROLL_NEW_REVISION");
    }

    public Path bin() {
        return Path.of(env("REVROLL_BIN"));
    }

    // ---- commands ----------------------------------------------------------------------------------------------

    /** Runs kubectl against the world; returns stdout, throws {@link WorldException} (with stderr) on failure. */
    public String kubectl(String... args) {
        return run(null, kubectlCommand(args));
    }

    /** Runs istioctl against the world. */
    public String istioctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin().resolve("istioctl").toString(), "--kubeconfig", kubeconfig().toString()));
        cmd.addAll(List.of(args));
        return run(null, cmd);
    }

    /** {@code kubectl apply -f -} of the given YAML. */
    public String applyYaml(String yaml) {
        return run(yaml, kubectlCommand("apply", "-f", "-"));
    }

    /** {@code kubectl create} of a Namespace with the label {@code revroll.dev/e2e=true} and the given labels; fails if it exists. */
    void createNamespace(String name, Map<String, String> labels) {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n  labels:\n");
        yaml.append("    revroll.dev/e2e: \"true\"\n");
        labels.forEach((k, v) -> yaml.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        run(yaml.toString(), kubectlCommand("create", "-f", "-"));
    }

    /** Deletes namespaces without waiting for their contents to go; one already gone, or already going, is no error. */
    void deleteNamespaces(Collection<String> names) {
        if (names.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("delete", "namespace", "--wait=false", "--ignore-not-found"));
        args.addAll(names);
        try {
            kubectl(args.toArray(String[]::new));
        } catch (WorldException e) {
            // some API servers answer a delete of a namespace that is already terminating with a Conflict ("the system is
            // ensuring all content is removed"; this world's answers OK): what counts is that every one is gone or going
            List<String> staying = namespacesNotBeingDeleted(names);
            if (!staying.isEmpty()) {
                throw new WorldException("namespaces " + staying + " are not being deleted: " + e.getMessage(), e);
            }
        }
    }

    private List<String> namespacesNotBeingDeleted(Collection<String> names) {
        List<String> args = new ArrayList<>(List.of("get", "namespace", "--ignore-not-found", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{\"\\n\"}{end}"));
        args.addAll(names);
        return kubectl(args.toArray(String[]::new)).lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.contains(" "))
                .toList();
    }

    private List<String> kubectlCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin().resolve("kubectl").toString(), "--kubeconfig", kubeconfig().toString(),
                "--context", context()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String run(String stdin, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            CompletableFuture<String> out = readAsync(p.getInputStream());
            CompletableFuture<String> err = readAsync(p.getErrorStream());
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new WorldException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new WorldException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + err.join().trim());
            }
            return out.join();
        } catch (IOException e) {
            throw new WorldException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorldException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                return buf.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    // ---- port-forward (through the API server and kwok, as in production) ----------------------------------------

    /** A running {@code kubectl port-forward}; close it to stop. */
    public static final class PortForward implements AutoCloseable {
        private final Process process;
        private final int localPort;

        private PortForward(Process process, int localPort) {
            this.process = process;
            this.localPort = localPort;
        }

        public int localPort() {
            return localPort;
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    /** {@code kubectl -n NS port-forward pod/POD :PORT}; returns once the local port listens. */
    public PortForward portForward(String namespace, String pod, int remotePort) {
        List<String> cmd = kubectlCommand("-n", namespace, "port-forward", "pod/" + pod, ":" + remotePort);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
                StringBuilder seen = new StringBuilder();
                try {
                    var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    String line;
                    while ((line = reader.readLine()) != null) {
                        Matcher m = FORWARDING.matcher(line);
                        if (m.find()) {
                            int local = Integer.parseInt(m.group(1));
                            Thread drain = new Thread(() -> {
                                try {
                                    reader.transferTo(java.io.Writer.nullWriter());
                                } catch (IOException ignored) {
                                    // the port-forward ended
                                }
                            }, "port-forward-drain");
                            drain.setDaemon(true);
                            drain.start();
                            return local;
                        }
                        seen.append(line).append('\n');
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                throw new WorldException("kubectl port-forward pod/" + pod + " ended: " + seen.toString().trim());
            });
            return new PortForward(p, port.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new WorldException("port-forward to " + namespace + "/" + pod + ":" + remotePort + " failed: " + e.getMessage(), e);
        }
    }

    /** Stops the local istiod of a revision (its pod goes unready, its injector fails), as an outage in a cluster would. */
    public void stopIstiod(String revision) {
        runSandbox("istiod", "stop", revision);
    }

    /** SIGKILL of the local istiod of a revision (a crash: its xDS streams are cut without a goodbye). */
    public void killIstiod(String revision) {
        runSandbox("istiod", "kill", revision);
    }

    /** Starts the local istiod of a revision again and waits until its pod is Ready. */
    public void startIstiod(String revision) {
        runSandbox("istiod", "start", revision);
    }

    // ---- world-wide faults: the world's own Kubernetes (k3s-tests/sandbox apiserver|etcd|kill) -------------------

    /**
     * Skips the calling test unless it may break this world for everyone using it: the world must be this run's own
     * (not shared through {@code REVROLL_E2E_SANDBOX_DIR}) and supervise its Kubernetes components (world/supervise),
     * so that what the test stops comes back by itself.
     */
    public void assumeWorldWideFaults() {
        assumeOwnWorld("world-wide faults (API server, etcd, controllers)");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(sandboxDir.resolve("pids/kube-apiserver.pid")),
                "the world in " + sandboxDir + " was started before its Kubernetes components were supervised; restart it (sandbox down, up)");
    }

    /** Skips the calling test when the world is shared with other runs ({@code REVROLL_E2E_SANDBOX_DIR}): WHAT would hit them too. */
    public void assumeOwnWorld(String what) {
        String shared = System.getenv("REVROLL_E2E_SANDBOX_DIR");
        org.junit.jupiter.api.Assumptions.assumeTrue(shared == null || shared.isBlank(),
                what + " need a world of this run's own; REVROLL_E2E_SANDBOX_DIR=" + shared + " shares one with other runs");
    }

    /** {@code sandbox apiserver ACTION}: {@code stop} (ends it and holds it down), {@code start} (and waits until ready), {@code freeze}, {@code thaw}. */
    public void apiServer(String action) {
        runSandbox("apiserver", action);
    }

    /** {@code sandbox etcd ACTION}: {@code stop}, {@code start}, {@code freeze} (SIGSTOP: it hangs, connections stay open), {@code thaw}. */
    public void etcd(String action) {
        runSandbox("etcd", action);
    }

    /** SIGKILL of one supervised component ({@code kube-controller-manager}, {@code kwok-controller}, ...): its supervisor starts it again. */
    public void killComponent(String component) {
        runSandbox("kill", component);
    }

    /** How often the supervisor has started a component again since the world came up (its log says so each time). */
    public int restarts(String component) {
        try {
            Path log = sandboxDir.resolve("logs/" + component + ".log");
            return Files.exists(log) ? (int) Files.readAllLines(log).stream().filter(l -> l.contains("starting it again")).count() : 0;
        } catch (IOException e) {
            throw new WorldException("cannot read the log of " + component, e);
        }
    }

    /** Whether the API server answers {@code /readyz} now. */
    public boolean apiServerReady() {
        try {
            kubectl("get", "--raw", "/readyz", "--request-timeout=2s");
            return true;
        } catch (WorldException e) {
            return false;
        }
    }

    private void runSandbox(String... args) {
        List<String> cmd = new ArrayList<>(List.of(checkout.resolve("k3s-tests/sandbox").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(checkout.toFile()).redirectErrorStream(true);
        pb.environment().put("REVROLL_SANDBOX_DIR", sandboxDir.toString());
        pb.environment().put("REVROLL_PORT_BASE", Integer.toString(portBase));
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new WorldException("k3s-tests/sandbox " + String.join(" ", args) + " failed: " + out.trim());
            }
        } catch (IOException e) {
            throw new WorldException("cannot run k3s-tests/sandbox " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorldException("interrupted: k3s-tests/sandbox " + String.join(" ", args), e);
        }
    }

    /** The istiod pod of a revision (label {@code app=istiod, istio.io/rev=REV}). */
    public String istiodPod(String revision) {
        return kubectl("-n", controlPlaneNamespace(), "get", "pod", "-l", "app=istiod,istio.io/rev=" + revision,
                "-o", "jsonpath={.items[0].metadata.name}").trim();
    }

    // ---- HTTP: Prometheus and the mesh agent ---------------------------------------------------------------------

    public String httpGet(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build(), url);
    }

    /** A Prometheus instant query; returns the JSON answer. */
    public String prometheusQuery(String promql) {
        return httpGet(prometheusUrl() + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /*
     * Several test JVMs may share one world's mesh agent (REVROLL_E2E_SANDBOX_DIR): each adds its faults to the
     * agent's list (POST) and removes only those of its own namespaces (DELETE ?namespace=), so no JVM replaces the
     * faults another one set.
     */

    /** Adds a fault to the mesh agent. */
    public synchronized void setFault(Fault fault) {
        faults.add(fault);
        postFaults(List.of(fault));
    }

    /** Removes this JVM's faults of a namespace from the mesh agent. */
    public synchronized void clearFaults(String namespace) {
        faults.removeIf(f -> f.namespace().equals(namespace));
        deleteFaults(namespace);
    }

    /** Removes this JVM's faults of these namespaces from the mesh agent; asks nothing of the agent if there were none. */
    synchronized void clearFaults(Collection<String> namespaces) {
        List<String> faulted = namespaces.stream().filter(ns -> faults.stream().anyMatch(f -> f.namespace().equals(ns))).toList();
        faults.removeIf(f -> faulted.contains(f.namespace()));
        faulted.forEach(this::deleteFaults);
    }

    /**
     * Whether the running mesh agent plays this fault: it is added for a namespace that does not exist and removed
     * again. An agent older than the fault answers 400 (an unknown mode or field); the reason is returned, else empty.
     */
    public Optional<String> agentRefuses(Fault fault) {
        String probe = "revroll-probe-" + Long.toString(System.nanoTime(), 36);
        try {
            postFaults(List.of(fault.in(probe)));
            deleteFaults(probe);
            return Optional.empty();
        } catch (WorldException e) {
            if (e.getMessage().contains(" answered 400")) {
                return Optional.of(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Whether the agent still holds a fault of this namespace. A test JVM of an older checkout replaces the agent's
     * whole list (PUT), dropping faults other JVMs set: a test asks this after its run to know its fault was played.
     */
    public boolean agentHoldsFaultsOf(String namespace) {
        String list = httpGet(agentUrl() + "/faults?source=api");
        return list.contains("\"namespace\": \"" + namespace + "\"") || list.contains("\"namespace\":\"" + namespace + "\"");
    }

    private void postFaults(List<Fault> list) {
        String body = gson.toJson(list.stream().map(Fault::toJson).collect(Collectors.toList()));
        String url = agentUrl() + "/faults";
        send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), url);
    }

    private void deleteFaults(String namespace) {
        String url = agentUrl() + "/faults?namespace=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8);
        send(HttpRequest.newBuilder(URI.create(url)).DELETE().build(), url);
    }

    private String send(HttpRequest request, String url) {
        try {
            HttpResponse<String> resp = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() / 100 != 2) {
                throw new WorldException(request.method() + " " + url + " answered " + resp.statusCode() + ": " + resp.body());
            }
            return resp.body();
        } catch (IOException e) {
            throw new WorldException(request.method() + " " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorldException("interrupted: " + url, e);
        }
    }
}
