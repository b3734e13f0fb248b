package dev.revroll.e2e.kube;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A bare Kubernetes cluster for the adapter's end-to-end tests: real etcd, kube-apiserver, controller-manager and
 * scheduler with two kwok nodes (pods become Ready) and kwok's PortForward CRDs, started with kwokctl's binary
 * runtime from the test world's binaries ({@code k3s-tests/world/build.sh --print-bin}). One per JVM; reused when
 * already up (from an earlier run), deleted at JVM exit only when this JVM created it.
 * Env: {@code REVROLL_PORT_BASE} (default 32000; the cluster uses BASE+51..BASE+55), {@code REVROLL_WORLD_BIN}.
 */
public final class BareCluster {

    private static BareCluster instance;

    private final Path bin;
    private final Path workdir;
    private final Path kubeconfig;
    private final String name;
    private final List<String> namespaces = new ArrayList<>();

    private BareCluster(Path bin, Path workdir, String name) {
        this.bin = bin;
        this.workdir = workdir;
        this.kubeconfig = workdir.resolve("kubeconfig");
        this.name = name;
    }

    public static synchronized BareCluster get() {
        if (instance == null) {
            int base = Integer.parseInt(System.getenv().getOrDefault("REVROLL_PORT_BASE", "32000"));
            Path workdir = Path.of(System.getProperty("java.io.tmpdir"), "revroll-kube-it-" + base);
            BareCluster c = new BareCluster(worldBin(), workdir, "kube-it-" + base);
            c.start(base);
            instance = c;
        }
        return instance;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public String context() {
        return "kwok-" + name;
    }

    /** kubectl against this cluster; returns stdout, throws with stderr on failure. */
    public String kubectl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.resolve("kubectl").toString());
        cmd.add("--kubeconfig=" + kubeconfig);
        cmd.addAll(List.of(args));
        return run(cmd, null, Map.of());
    }

    public String applyYaml(String yaml) {
        List<String> cmd = List.of(bin.resolve("kubectl").toString(), "--kubeconfig=" + kubeconfig, "apply", "-f", "-");
        return run(cmd, yaml, Map.of());
    }

    /** A fresh namespace with these labels, deleted at JVM exit. */
    public synchronized String newNamespace(String prefix, Map<String, String> labels) {
        String ns = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n");
        yaml.append("    revroll-test: kube-it\n");
        labels.forEach((k, v) -> yaml.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        applyYaml(yaml.toString());
        namespaces.add(ns);
        return ns;
    }

    private void start(int base) {
        try {
            Files.createDirectories(workdir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (Files.exists(kubeconfig)) {
            try {
                kubectl("get", "--raw", "/readyz");
                System.err.println("[kube-it] reusing the running cluster " + name);
                return;
            } catch (RuntimeException notUp) {
                run(kwokctl("delete", "cluster"), null, env());
            }
        }
        long t = System.nanoTime();
        run(kwokctl("create", "cluster", "--runtime", "binary",
                "--kube-apiserver-binary", bin.resolve("kube-apiserver").toString(),
                "--kube-controller-manager-binary", bin.resolve("kube-controller-manager").toString(),
                "--kube-scheduler-binary", bin.resolve("kube-scheduler").toString(),
                "--kwok-controller-binary", bin.resolve("kwok").toString(),
                "--etcd-binary", bin.resolve("etcd").toString(),
                "--kube-authorization", "--kube-admission", "--enable-crds", "PortForward,ClusterPortForward",
                "--kube-apiserver-port", String.valueOf(base + 51), "--etcd-port", String.valueOf(base + 52),
                "--controller-port", String.valueOf(base + 53), "--kube-controller-manager-port", String.valueOf(base + 54),
                "--kube-scheduler-port", String.valueOf(base + 55),
                "--wait", "2m", "--kubeconfig", kubeconfig.toString()), null, env());
        run(kwokctl("scale", "node", "--replicas", "2"), null, env());
        System.err.printf("[kube-it] started cluster %s in %.1fs%n", name, (System.nanoTime() - t) / 1e9);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run(kwokctl("delete", "cluster"), null, env());
            } catch (RuntimeException e) {
                System.err.println("[kube-it] could not delete cluster " + name + ": " + e.getMessage());
            }
        }));
    }

    private List<String> kwokctl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.resolve("kwokctl").toString());
        cmd.add("--name");
        cmd.add(name);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Map<String, String> env() {
        return Map.of("KWOK_WORKDIR", workdir.resolve("kwok").toString());
    }

    private static Path worldBin() {
        String fromEnv = System.getenv("REVROLL_WORLD_BIN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path script = Path.of("k3s-tests", "world", "build.sh").toAbsolutePath();
        String out = run(List.of("bash", script.toString(), "--print-bin"), null, Map.of()).strip();
        Path bin = Path.of(out);
        for (String b : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok", "kwokctl")) {
            if (!Files.isExecutable(bin.resolve(b))) {
                throw new IllegalStateException(bin.resolve(b) + " is missing: run k3s-tests/world/build.sh first");
            }
        }
        return bin;
    }

    static String run(List<String> cmd, String stdin, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            byte[][] out = new byte[2][];
            Thread errReader = new Thread(() -> out[1] = readAll(p.getErrorStream()));
            errReader.start();
            out[0] = readAll(p.getInputStream());
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            errReader.join();
            String stdout = new String(out[0], StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                        + new String(out[1], StandardCharsets.UTF_8) + stdout);
            }
            return stdout;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
