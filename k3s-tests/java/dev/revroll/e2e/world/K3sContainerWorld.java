package dev.revroll.e2e.world;

import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The test world in a K3s container, for machines where a Docker engine answers (users' CI). What runs where:
 * <ul>
 *   <li>in the K3s container (pinned image {@value #K3S_IMAGE}): Kubernetes with a real kubelet, so pods really run;</li>
 *   <li>in K3s, from real images: {@code istiod-<rev>} for both revisions ({@code istio/pilot:<version of rev>}), installed
 *       by the world's cached istioctl on this machine ({@code istioctl install --set revision=REV --set profile=minimal});
 *       real Envoy sidecars ({@code istio/proxyv2}) injected by those istiods; Prometheus ({@value #PROMETHEUS_IMAGE}) scraping
 *       every istiod and every sidecar, reached through a NodePort the container publishes; a traffic source
 *       ({@value #TRAFFIC_IMAGE}, itself meshed on the old revision) that calls every Service labelled
 *       {@code revroll.dev/traffic=true} on port 80 a few times a second;</li>
 *   <li>on this machine: istioctl and kubectl from the world's binary cache ({@code k3s-tests/world/build.sh --print-bin}),
 *       and a bare Git repository ({@code REVROLL_GIT_REMOTE} is a file URL).</li>
 * </ul>
 * There is no mesh agent: proxies are real Envoys, so {@code agentUrl()} and faults are for the local world only, and so
 * is {@code stopIstiod}. Workloads must use images that exist (the local world's kwok pods accept any image).
 */
public final class K3sContainerWorld implements WorldBackend {

    /** Kubernetes 1.36, the local world's minor version (k3s-tests/world/versions.env: v1.36.3); k3s release v1.36.1+k3s1. */
    static final String K3S_IMAGE = "rancher/k3s:v1.36.1-k3s1";
    static final String ISTIO_HUB = "docker.io/istio";
    static final String PROMETHEUS_IMAGE = "prom/prometheus:v3.5.0";
    static final String TRAFFIC_IMAGE = "curlimages/curl:8.15.0";
    static final String OLD_REVISION = "1-27-0";
    static final String NEW_REVISION = "1-28-0";
    static final String CONTROL_PLANE_NS = "istio-system";
    static final int PROMETHEUS_NODE_PORT = 30090;
    private static final Duration ROLLOUT = Duration.ofMinutes(10);

    @Override
    public String name() {
        return "k3s";
    }

    @Override
    public String whatRuns() {
        return "K3s container " + image("REVROLL_K3S_IMAGE", K3S_IMAGE) + " with istiod " + OLD_REVISION + " + " + NEW_REVISION
                + ", Envoy sidecars, Prometheus and a traffic source from real images; cached istioctl/kubectl and a bare Git repo on this machine";
    }

    @Override
    public SandboxWorld start(Path checkout) {
        Path dir = checkout.resolve("target/e2e-k3s");
        Path bin = worldBin(checkout);
        for (String tool : List.of("kubectl", "istioctl")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                throw new WorldException("the k3s world drives the cluster with the world's cached " + tool + ", and " + bin.resolve(tool)
                        + " is missing; build it with k3s-tests/world/build.sh (needs Go) or restore that cache directory");
            }
        }
        K3sContainer k3s = new K3sContainer(DockerImageName.parse(image("REVROLL_K3S_IMAGE", K3S_IMAGE)).asCompatibleSubstituteFor("rancher/k3s"));
        k3s.addExposedPorts(PROMETHEUS_NODE_PORT);
        System.err.printf("[world] starting K3s container %s%n", k3s.getDockerImageName());
        k3s.start();
        Runtime.getRuntime().addShutdownHook(new Thread(k3s::stop, "k3s-world-stop"));
        try {
            Files.createDirectories(dir);
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
            Cluster cluster = new Cluster(bin, kubeconfig);
            for (String revision : List.of(OLD_REVISION, NEW_REVISION)) {
                String hub = image("REVROLL_K3S_ISTIO_HUB", ISTIO_HUB);
                String tag = image("REVROLL_K3S_ISTIO_TAG", istioTag(revision));
                System.err.printf("[world] istioctl install revision %s (images %s/pilot:%s, %s/proxyv2:%s)%n", revision, hub, tag, hub, tag);
                List<String> install = new ArrayList<>(List.of("install", "-y"));
                install.addAll(installFlags(revision, hub, tag));
                run(null, cluster.istioctl(install.toArray(String[]::new)));
            }
            for (String revision : List.of(OLD_REVISION, NEW_REVISION)) {
                run(null, cluster.kubectl("-n", CONTROL_PLANE_NS, "rollout", "status", "deployment/istiod-" + revision,
                        "--timeout=" + ROLLOUT.toSeconds() + "s"));
            }
            run(observability(), cluster.kubectl("apply", "-f", "-"));
            run(null, cluster.kubectl("-n", "revroll-world", "rollout", "status", "deployment/prometheus", "--timeout=" + ROLLOUT.toSeconds() + "s"));
            run(null, cluster.kubectl("-n", "revroll-traffic", "rollout", "status", "deployment/traffic", "--timeout=" + ROLLOUT.toSeconds() + "s"));
            String prometheusUrl = "http://" + k3s.getHost() + ":" + k3s.getMappedPort(PROMETHEUS_NODE_PORT);
            Await.await("Prometheus at " + prometheusUrl + " ready", Duration.ofMinutes(2)).ignoreExceptionsInstanceOf(RuntimeException.class)
                    .until(() -> answers(prometheusUrl + "/-/ready"));
            Path bare = dir.resolve("gitops.git");
            if (!Files.isDirectory(bare)) {
                run(null, List.of("git", "init", "--bare", "--initial-branch=main", bare.toString()));
            }
            Map<String, String> env = new LinkedHashMap<>();
            env.put("REVROLL_WORLD_BACKEND", "k3s");
            env.put("KUBECONFIG", kubeconfig.toString());
            env.put("REVROLL_CONTEXT", cluster.currentContext());
            env.put("REVROLL_CONTROL_PLANE_NS", CONTROL_PLANE_NS);
            env.put("REVROLL_OLD_REVISION", OLD_REVISION);
            env.put("REVROLL_NEW_REVISION", NEW_REVISION);
            env.put("REVROLL_PROMETHEUS_URL", prometheusUrl);
            env.put("REVROLL_GIT_REMOTE", bare.toUri().toString());
            env.put("REVROLL_GIT_BARE", bare.toString());
            env.put("REVROLL_BIN", bin.toString());
            writeEnv(dir.resolve("env"), env);
            return new SandboxWorld(checkout, dir, 0, false);
        } catch (IOException e) {
            throw new WorldException("cannot write the k3s world's files in " + dir, e);
        }
    }

    /**
     * The {@code istioctl install} flags of a revision: the minimal profile, the images of a version (by default the
     * revision's own, {@link #istioTag}; {@code REVROLL_K3S_ISTIO_TAG} sets one for both, e.g. the cached istioctl's own
     * version should an older pilot refuse its newer charts), and small resource requests so both istiods fit on one CI
     * machine (the chart asks 500m CPU and 2 GiB each).
     */
    static List<String> installFlags(String revision, String hub, String tag) {
        return List.of("--set", "revision=" + revision, "--set", "profile=minimal", "--set", "hub=" + hub, "--set", "tag=" + tag,
                "--set", "components.pilot.k8s.resources.requests.cpu=100m",
                "--set", "components.pilot.k8s.resources.requests.memory=256Mi");
    }

    /** The istio image tag of a revision name: {@code 1-27-0} runs {@code 1.27.0}. */
    static String istioTag(String revision) {
        return revision.replace('-', '.');
    }

    /** Lines {@code export NAME='value'}, the format SandboxWorld reads (and {@code source} takes). */
    static String envFile(Map<String, String> env) {
        StringBuilder text = new StringBuilder("# written by K3sContainerWorld\n");
        env.forEach((k, v) -> text.append("export ").append(k).append("='").append(v.replace("'", "")).append("'\n"));
        return text.toString();
    }

    private static void writeEnv(Path file, Map<String, String> env) throws IOException {
        Files.writeString(file, envFile(env));
    }

    private static String image(String envName, String pinned) {
        String v = System.getenv(envName);
        return v == null || v.isBlank() ? pinned : v.trim();
    }

    private static Path worldBin(Path checkout) {
        return Path.of(run(null, List.of(checkout.resolve("k3s-tests/world/build.sh").toString(), "--print-bin")).trim());
    }

    private static boolean answers(String url) {
        try {
            HttpResponse<Void> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return resp.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Prometheus (RBAC, config, Deployment, NodePort Service) and the traffic source, one multi-document YAML. */
    static String observability() {
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: revroll-world}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: prometheus, namespace: revroll-world}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: revroll-world-prometheus}
                rules:
                - apiGroups: [""]
                  resources: [pods, services, endpoints, nodes]
                  verbs: [get, list, watch]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: revroll-world-prometheus}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: revroll-world-prometheus}
                subjects: [{kind: ServiceAccount, name: prometheus, namespace: revroll-world}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: prometheus, namespace: revroll-world}
                data:
                  prometheus.yml: |
                    global: {scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}
                    scrape_configs:
                    - job_name: istiod
                      kubernetes_sd_configs: [{role: pod, namespaces: {names: [istio-system]}}]
                      relabel_configs:
                      - {source_labels: [__meta_kubernetes_pod_label_app], regex: istiod, action: keep}
                      - {source_labels: [__meta_kubernetes_pod_ip], regex: '(.+)', replacement: '$1:15014', target_label: __address__}
                      - {source_labels: [__meta_kubernetes_pod_label_istio_io_rev], target_label: revision}
                      - {source_labels: [__meta_kubernetes_pod_label_app], target_label: app}
                    - job_name: envoy-stats
                      metrics_path: /stats/prometheus
                      kubernetes_sd_configs: [{role: pod}]
                      relabel_configs:
                      - {source_labels: [__meta_kubernetes_pod_container_port_name], regex: '.*-envoy-prom', action: keep}
                      - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
                      - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: prometheus, namespace: revroll-world}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: prometheus}}
                  template:
                    metadata: {labels: {app: prometheus}}
                    spec:
                      serviceAccountName: prometheus
                      containers:
                      - name: prometheus
                        image: %1$s
                        args: [--config.file=/etc/prometheus/prometheus.yml, --storage.tsdb.path=/prometheus, --storage.tsdb.retention.time=6h]
                        ports: [{containerPort: 9090}]
                        readinessProbe: {httpGet: {path: /-/ready, port: 9090}, periodSeconds: 2}
                        volumeMounts:
                        - {name: config, mountPath: /etc/prometheus}
                        - {name: data, mountPath: /prometheus}
                      volumes:
                      - {name: config, configMap: {name: prometheus}}
                      - {name: data, emptyDir: {}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: prometheus, namespace: revroll-world}
                spec:
                  type: NodePort
                  selector: {app: prometheus}
                  ports: [{name: http, port: 9090, targetPort: 9090, nodePort: %2$d}]
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: revroll-traffic
                  labels: {istio.io/rev: %3$s}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: traffic, namespace: revroll-traffic}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: revroll-world-traffic}
                rules:
                - apiGroups: [""]
                  resources: [services]
                  verbs: [list]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: revroll-world-traffic}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: revroll-world-traffic}
                subjects: [{kind: ServiceAccount, name: traffic, namespace: revroll-traffic}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: traffic, namespace: revroll-traffic}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: traffic}}
                  template:
                    metadata: {labels: {app: traffic}}
                    spec:
                      serviceAccountName: traffic
                      containers:
                      - name: traffic
                        image: %4$s
                        command: [/bin/sh, -c]
                        args:
                        - |
                          sa=/var/run/secrets/kubernetes.io/serviceaccount
                          while true; do
                            targets=$(curl -s --cacert $sa/ca.crt -H "Authorization: Bearer $(cat $sa/token)" \\
                              "https://kubernetes.default.svc/api/v1/services?labelSelector=revroll.dev%%2Ftraffic%%3Dtrue" \\
                              | grep -o '"metadata":{"name":"[^"]*","namespace":"[^"]*"' \\
                              | sed 's/.*"name":"\\([^"]*\\)","namespace":"\\([^"]*\\)".*/\\1.\\2/')
                            for i in 1 2 3 4 5; do
                              for t in $targets; do curl -s -o /dev/null -m 2 "http://$t/" & done
                              wait
                              sleep 0.2
                            done
                          done
                """.formatted(PROMETHEUS_IMAGE, PROMETHEUS_NODE_PORT, OLD_REVISION, TRAFFIC_IMAGE);
    }

    /** kubectl and istioctl from the world's cache against the container's kubeconfig. */
    private record Cluster(Path bin, Path kubeconfig) {

        List<String> kubectl(String... args) {
            List<String> cmd = new ArrayList<>(List.of(bin.resolve("kubectl").toString(), "--kubeconfig", kubeconfig.toString()));
            cmd.addAll(List.of(args));
            return cmd;
        }

        List<String> istioctl(String... args) {
            List<String> cmd = new ArrayList<>(List.of(bin.resolve("istioctl").toString(), "--kubeconfig", kubeconfig.toString()));
            cmd.addAll(List.of(args));
            return cmd;
        }

        String currentContext() {
            return run(null, kubectl("config", "current-context")).trim();
        }
    }

    /** Runs a command to its end; returns its output, throws {@link WorldException} with the output tail on failure. */
    private static String run(String stdin, List<String> cmd) {
        try {
            Path out = Files.createTempFile("k3s-world-", ".out");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (stdin != null) {
                    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                p.getOutputStream().close();
                if (!p.waitFor(ROLLOUT.toMinutes() + 5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new WorldException("timed out: " + String.join(" ", cmd));
                }
                String text = Files.readString(out);
                if (p.exitValue() != 0) {
                    throw new WorldException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + tail(text));
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new WorldException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorldException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 4000 ? t : "..." + t.substring(t.length() - 4000);
    }
}
