package dev.revroll.kube;

import dev.revroll.Build;
import dev.revroll.errors.UsageException;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Config;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.TokenFileAuthentication;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A connection to one Kubernetes API server in one kube context, found the way kubectl finds it: {@code --kubeconfig},
 * else the files of {@code KUBECONFIG} merged ({@link KubeconfigMerge}, docs/kubeconfig.md), else
 * {@code ~/.kube/config}, else the pod's service account (in-cluster:
 * {@code KUBERNETES_SERVICE_HOST}/{@code KUBERNETES_SERVICE_PORT}, the token and CA in {@value #SERVICE_ACCOUNT_DIR};
 * docs/in-cluster.md#in-cluster-configuration).
 */
public final class KubeConnection {

    /** The context name reported when running in a pod with its service account. */
    public static final String IN_CLUSTER = "in-cluster";
    /** Where the kubelet mounts a pod's service account token, CA and namespace. */
    public static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
    static final String ENV_SERVICE_HOST = "KUBERNETES_SERVICE_HOST";
    static final String ENV_SERVICE_PORT = "KUBERNETES_SERVICE_PORT";
    /** How often the token file is read again: projected service account tokens are rotated by the kubelet. */
    static final Duration TOKEN_REFRESH = Duration.ofMinutes(1);

    private final ApiClient apiClient;
    private final String contextName;
    private final String server;
    private final List<Path> kubeconfig;

    private KubeConnection(ApiClient apiClient, String contextName, String server, List<Path> kubeconfig) {
        this.apiClient = apiClient;
        this.contextName = contextName;
        this.server = server;
        this.kubeconfig = kubeconfig;
    }

    /**
     * Opens a connection (no request is sent yet). A missing kubeconfig, an unreadable one or an unknown context is a
     * usage error (exit 2) naming the file and the contexts it has.
     */
    public static KubeConnection open(Optional<Path> kubeconfig, Optional<String> context) {
        return open(kubeconfig, context, System::getenv);
    }

    static KubeConnection open(Optional<Path> kubeconfig, Optional<String> context, Function<String, String> env) {
        return open(kubeconfig, context, env, Path.of(SERVICE_ACCOUNT_DIR));
    }

    /** {@code serviceAccountDir}: where the token and CA are ({@value #SERVICE_ACCOUNT_DIR} in a pod; tests choose another). */
    static KubeConnection open(Optional<Path> kubeconfig, Optional<String> context, Function<String, String> env, Path serviceAccountDir) {
        List<Path> files = kubeconfig.map(List::of).orElseGet(() -> defaultKubeconfig(env));
        if (kubeconfig.isPresent() && !Files.isRegularFile(kubeconfig.get())) {
            throw new UsageException("kubeconfig " + kubeconfig.get() + " does not exist or is not a file");
        }
        if (!files.isEmpty()) {
            return fromKubeconfig(files, context);
        }
        if (inClusterAvailable(env, serviceAccountDir)) {
            return inCluster(env, serviceAccountDir, context);
        }
        throw new UsageException("no Kubernetes configuration found: give --kubeconfig, set KUBECONFIG, "
                + "create ~/.kube/config, or run in a pod with a service account");
    }

    /** Wraps an already built client (tests, embedding). */
    public static KubeConnection of(ApiClient apiClient, String contextName) {
        return new KubeConnection(apiClient, contextName, apiClient.getBasePath(), List.of());
    }

    public ApiClient apiClient() {
        return apiClient;
    }

    /** The kube context in use, {@value #IN_CLUSTER} inside a pod. */
    public String contextName() {
        return contextName;
    }

    /** The API server's URL, for messages. */
    public String server() {
        return server;
    }

    /** The kubeconfig files the connection was read from, in precedence order; none in a pod. */
    public List<Path> kubeconfig() {
        return kubeconfig;
    }

    /** "context X at https://..." for messages. */
    public String describe() {
        return "context " + contextName + " at " + server;
    }

    /**
     * The existing files of {@code KUBECONFIG} in its order, to be merged (empty entries and missing files are
     * skipped, as kubectl skips them; set but naming no existing file is an error rather than a silent fall-back to
     * another cluster), else {@code ~/.kube/config} when it exists.
     */
    static List<Path> defaultKubeconfig(Function<String, String> env) {
        String fromEnv = env.apply(Config.ENV_KUBECONFIG);
        if (fromEnv != null && !fromEnv.isBlank()) {
            List<Path> files = new ArrayList<>();
            for (String part : fromEnv.split(File.pathSeparator)) {
                if (!part.isBlank() && Files.isRegularFile(Path.of(part)) && !files.contains(Path.of(part))) {
                    files.add(Path.of(part));
                }
            }
            if (files.isEmpty()) {
                throw new UsageException("KUBECONFIG=" + fromEnv + " names no existing file");
            }
            return files;
        }
        String home = env.apply("HOME");
        if (home != null && !home.isBlank()) {
            Path inHome = Path.of(home, ".kube", "config");
            if (Files.isRegularFile(inHome)) {
                return List.of(inHome);
            }
        }
        return List.of();
    }

    private static boolean inClusterAvailable(Function<String, String> env, Path serviceAccountDir) {
        String host = env.apply(ENV_SERVICE_HOST);
        return host != null && !host.isBlank() && Files.isRegularFile(serviceAccountDir.resolve("token"));
    }

    private static KubeConnection fromKubeconfig(List<Path> files, Optional<String> context) {
        KubeConfig config = KubeconfigMerge.merge(files);
        // for messages: the one file, or the merged list as KUBECONFIG spells it
        String file = files.size() == 1 ? files.get(0).toString()
                : "KUBECONFIG=" + String.join(File.pathSeparator, files.stream().map(Path::toString).toList());
        List<String> contexts = contextNames(config);
        String chosen;
        if (context.isPresent()) {
            if (!contexts.contains(context.get()) || !config.setContext(context.get())) {
                throw new UsageException("kube context '" + context.get() + "' is not in " + file
                        + "; it has: " + (contexts.isEmpty() ? "(no contexts)" : String.join(", ", contexts)));
            }
            chosen = context.get();
        } else {
            chosen = config.getCurrentContext();
            if (chosen == null || chosen.isBlank()) {
                throw new UsageException("kubeconfig " + file + " has no current context; pick one with --context ("
                        + (contexts.isEmpty() ? "it has no contexts" : "it has: " + String.join(", ", contexts)) + ")");
            }
            if (!contexts.contains(chosen)) {
                throw new UsageException("the current context '" + chosen + "' of " + file
                        + " is not defined in it; it has: " + (contexts.isEmpty() ? "(no contexts)" : String.join(", ", contexts)));
            }
        }
        if (config.getServer() == null) {
            throw new UsageException("kube context '" + chosen + "' in " + file + " names no cluster server");
        }
        try {
            ApiClient client = ClientBuilder.kubeconfig(config)
                    .setReadTimeout(KubeResilience.READ_TIMEOUT)
                    .build();
            withTimeouts(client);
            return new KubeConnection(client, chosen, client.getBasePath(), files);
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot use kube context '" + chosen + "' from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The pod's own API server, as client-java's {@code ClientBuilder.cluster()} builds it but from a chosen directory:
     * {@code https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT} (an IPv6 address in brackets), the server
     * certificate checked against {@code ca.crt}, the bearer token read from {@code token} again every
     * {@link #TOKEN_REFRESH} (the kubelet rotates projected tokens). In a pod there is no kubeconfig to pick a context
     * from: {@code --context NAME} only names this cluster (so a plan's {@code spec.cluster.context} can be checked
     * against the name the CronJob was given); without it the context is {@value #IN_CLUSTER}.
     */
    static KubeConnection inCluster(Function<String, String> env, Path serviceAccountDir, Optional<String> context) {
        String host = env.apply(ENV_SERVICE_HOST).strip();
        String port = Optional.ofNullable(env.apply(ENV_SERVICE_PORT)).map(String::strip).filter(p -> !p.isEmpty()).orElse("443");
        Path token = serviceAccountDir.resolve("token");
        Path ca = serviceAccountDir.resolve("ca.crt");
        String server;
        try {
            server = new URI("https", null, host, Integer.parseInt(port), null, null, null).toString();
        } catch (NumberFormatException | URISyntaxException e) {
            throw new UsageException("cannot use the pod's service account: " + ENV_SERVICE_HOST + "=" + host + " "
                    + ENV_SERVICE_PORT + "=" + port + " is not a host and port", e);
        }
        byte[] caBytes;
        try {
            caBytes = Files.readAllBytes(ca);
        } catch (IOException e) {
            throw new UsageException("cannot use the pod's service account: cannot read its CA certificate " + ca + ": " + e.getMessage(), e);
        }
        try {
            ApiClient client = new ClientBuilder()
                    .setBasePath(server)
                    .setVerifyingSsl(true)
                    .setCertificateAuthority(caBytes)
                    .setAuthentication(new TokenFileAuthentication(token.toString(), TOKEN_REFRESH))
                    .setReadTimeout(KubeResilience.READ_TIMEOUT)
                    .build();
            withTimeouts(client);
            return new KubeConnection(client, context.orElse(IN_CLUSTER), client.getBasePath(), List.of());
        } catch (RuntimeException e) {
            throw new UsageException("cannot use the pod's service account (" + serviceAccountDir + ", " + server + "): " + e.getMessage(), e);
        }
    }

    /** How the API server's audit log and metrics name revroll's requests: {@code revroll/<version>}. */
    static String userAgent() {
        return "revroll/" + Build.version();
    }

    private static void withTimeouts(ApiClient client) {
        client.setUserAgent(userAgent());
        client.setConnectTimeout((int) KubeResilience.CONNECT_TIMEOUT.toMillis());
        client.setReadTimeout((int) KubeResilience.READ_TIMEOUT.toMillis());
        client.setWriteTimeout((int) KubeResilience.WRITE_TIMEOUT.toMillis());
    }

    @SuppressWarnings("unchecked")
    private static List<String> contextNames(KubeConfig config) {
        List<String> names = new ArrayList<>();
        if (config.getContexts() != null) {
            for (Object o : config.getContexts()) {
                if (o instanceof Map<?, ?> m && m.get("name") instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
