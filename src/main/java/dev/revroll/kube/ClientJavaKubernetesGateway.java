package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.ClusterEvent;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.IstiodPod;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.ReportedEvent;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.WebhookEntry;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.Access;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.InjectionLabels;
import dev.revroll.ports.LabelSelector;
import dev.revroll.ports.MergePatch;
import dev.revroll.ports.ObjectRef;
import io.kubernetes.client.PortForward;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AdmissionregistrationV1Api;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.EventsV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1MutatingWebhook;
import io.kubernetes.client.openapi.models.V1MutatingWebhookConfiguration;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import io.kubernetes.client.util.PatchUtils;
import io.github.resilience4j.timelimiter.TimeLimiter;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The production {@link KubernetesGateway}: client-java 27 against one API server. Every patch is a JSON merge patch
 * sent through {@link PatchUtils} with the merge-patch content type and field manager {@value #FIELD_MANAGER};
 * {@code dryRun} sends it with server-side dry run ({@code dryRun=All}), so admission answers and nothing is written.
 * Reads and idempotent writes are retried per {@link KubeResilience}; failures are {@link KubeApiException}s.
 */
public final class ClientJavaKubernetesGateway implements KubernetesGateway {

    public static final String FIELD_MANAGER = "revroll";
    static final String DRY_RUN_ALL = "All";
    static final String ISTIO_PROXY = "istio-proxy";
    static final String TAG_LABEL = "istio.io/tag";

    private final KubeConnection connection;
    private final KubeCalls calls;
    private final ApiClient client;
    private final CoreV1Api core;
    private final AppsV1Api apps;
    private final AdmissionregistrationV1Api admission;
    private final EventsV1Api events;
    private final AuthorizationV1Api authorization;
    private final Map<WorkloadKind, KindStrategy<?>> kinds = new EnumMap<>(WorkloadKind.class);
    private final ExecutorService portForwards = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "revroll-port-forward");
        t.setDaemon(true);
        return t;
    });

    public ClientJavaKubernetesGateway(KubeConnection connection) {
        this.connection = connection;
        this.calls = new KubeCalls(connection);
        this.client = connection.apiClient();
        this.core = new CoreV1Api(client);
        this.apps = new AppsV1Api(client);
        this.admission = new AdmissionregistrationV1Api(client);
        this.events = new EventsV1Api(client);
        this.authorization = new AuthorizationV1Api(client);
        for (KindStrategy<?> k : List.of(new DeploymentKind(calls), new StatefulSetKind(calls), new DaemonSetKind(calls))) {
            kinds.put(k.kind(), k);
        }
    }

    @Override
    public String contextName() {
        return connection.contextName();
    }

    // ---- namespaces

    @Override
    public Optional<NamespaceState> namespace(String name) {
        try {
            return Optional.of(toNamespace(calls.read("read", "Namespace " + name, () -> core.readNamespace(name).execute())));
        } catch (KubeApiException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<NamespaceState> namespaces(String labelSelector) {
        String selector = labelSelector == null || labelSelector.isBlank() ? null : labelSelector;
        return calls.read("list", "Namespaces" + (selector == null ? "" : " matching " + selector),
                        () -> core.listNamespace().labelSelector(selector).execute())
                .getItems().stream().map(ClientJavaKubernetesGateway::toNamespace)
                .sorted(Comparator.comparing(NamespaceState::name)).toList();
    }

    @Override
    public void patch(ObjectRef target, MergePatch patch, boolean dryRun) {
        if (patch.isEmpty()) {
            return;
        }
        if (target instanceof WorkloadRef w) {
            kinds.get(w.kind()).patch(w.namespace(), w.name(), patch, dryRun);
            return;
        }
        String action = dryRun ? "dry-run patch" : "patch";
        String dry = dryRun ? DRY_RUN_ALL : null;
        V1Patch body = new V1Patch(patch.json());
        if (target instanceof NamespaceRef ns) {
            calls.idempotentWrite(action, target.describe(), () -> PatchUtils.patch(V1Namespace.class,
                    () -> core.patchNamespace(ns.name(), body).fieldManager(FIELD_MANAGER).dryRun(dry).buildCall(null),
                    V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
        } else if (target instanceof PodRef pod) {
            calls.idempotentWrite(action, target.describe(), () -> PatchUtils.patch(V1Pod.class,
                    () -> core.patchNamespacedPod(pod.name(), pod.namespace(), body).fieldManager(FIELD_MANAGER).dryRun(dry).buildCall(null),
                    V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
        }
    }

    private static NamespaceState toNamespace(V1Namespace ns) {
        return new NamespaceState(ns.getMetadata().getName(), KubeObjects.labels(ns.getMetadata()), KubeObjects.annotations(ns.getMetadata()));
    }

    // ---- workloads

    /** The order a namespace's workloads are given in. */
    private static final Comparator<Workload> BY_KIND_AND_NAME = Comparator.comparing((Workload w) -> w.ref().kind()).thenComparing(w -> w.ref().name());

    @Override
    public List<Workload> workloads(String namespace, Set<WorkloadKind> kindsWanted) {
        List<Workload> all = new ArrayList<>();
        for (WorkloadKind k : WorkloadKind.values()) {
            if (kindsWanted.contains(k)) {
                all.addAll(kinds.get(k).list(namespace));
            }
        }
        all.sort(BY_KIND_AND_NAME);
        return all;
    }

    /** From this many namespaces on, a survey lists each kind in all namespaces (in pages) instead of per namespace. */
    public static final int LIST_ALL_FROM = 20;
    /** Objects per page of a list over all namespaces: bounds what one answer holds in memory. */
    public static final int PAGE_SIZE = 500;
    private int pageSize = PAGE_SIZE;

    /** Lists over all namespaces in pages of {@code size} objects instead of {@link #PAGE_SIZE} (tests of the paging). */
    public ClientJavaKubernetesGateway pagesOf(int size) {
        this.pageSize = size;
        return this;
    }

    /**
     * Few namespaces: one list per namespace and kind. Many: one paged list per kind over all namespaces, kept to the
     * namespaces asked for; when the identity may only list in the target namespaces (403 for all), per namespace.
     */
    @Override
    public Map<String, List<Workload>> workloadsIn(List<String> namespaces, Set<WorkloadKind> kindsWanted) {
        if (namespaces.size() < LIST_ALL_FROM) {
            return KubernetesGateway.super.workloadsIn(namespaces, kindsWanted);
        }
        Set<String> wanted = new java.util.HashSet<>(namespaces);
        Map<String, List<Workload>> found = new HashMap<>();
        try {
            for (WorkloadKind k : WorkloadKind.values()) {
                if (kindsWanted.contains(k)) {
                    kinds.get(k).listIn(wanted, pageSize).forEach((ns, ws) -> found.computeIfAbsent(ns, n -> new ArrayList<>()).addAll(ws));
                }
            }
        } catch (KubeApiException e) {
            if (e.httpCode() == 403) {
                return KubernetesGateway.super.workloadsIn(namespaces, kindsWanted);
            }
            throw e;
        }
        return Paged.inOrder(namespaces, found, BY_KIND_AND_NAME);
    }

    @Override
    public Optional<Workload> workload(WorkloadRef ref) {
        return kinds.get(ref.kind()).read(ref.namespace(), ref.name());
    }

    @Override
    public RolloutState rolloutState(WorkloadRef ref) {
        return kinds.get(ref.kind()).rolloutState(ref.namespace(), ref.name());
    }

    /** One list and then one watch per kind for the whole wait (see {@link WorkloadWatch}). */
    @Override
    public WorkloadView watchWorkloads(String namespace, Set<WorkloadKind> kindsWanted) {
        List<KindStrategy<?>> wanted = new ArrayList<>();
        for (WorkloadKind k : WorkloadKind.values()) {
            if (kindsWanted.contains(k)) {
                wanted.add(kinds.get(k));
            }
        }
        return new WorkloadWatch(client, namespace, wanted);
    }

    // ---- pods

    @Override
    public List<PodState> pods(String namespace) {
        List<V1Pod> pods = calls.read("list", "Pods in namespace " + namespace, () -> core.listNamespacedPod(namespace).execute()).getItems();
        Map<String, String> deploymentOfReplicaSet = new HashMap<>();
        boolean anyReplicaSet = pods.stream().anyMatch(p -> controller(p.getMetadata().getOwnerReferences())
                .filter(o -> "ReplicaSet".equals(o.getKind())).isPresent());
        if (anyReplicaSet) {
            for (V1ReplicaSet rs : calls.read("list", "ReplicaSets in namespace " + namespace,
                    () -> apps.listNamespacedReplicaSet(namespace).execute()).getItems()) {
                controller(rs.getMetadata().getOwnerReferences()).filter(o -> "Deployment".equals(o.getKind()))
                        .ifPresent(o -> deploymentOfReplicaSet.put(rs.getMetadata().getName(), o.getName()));
            }
        }
        return pods.stream().map(p -> toPod(p, deploymentOfReplicaSet)).sorted(BY_NAME).toList();
    }

    /** The order a namespace's pods are given in. */
    private static final Comparator<PodState> BY_NAME = Comparator.comparing(PodState::name);

    /**
     * Few namespaces: {@link #pods} for each. Many: pods listed in all namespaces, in pages, kept to the namespaces asked
     * for (per namespace again when listing in all namespaces is not granted). A pod's Deployment is told from its
     * ReplicaSet's name instead of a list of every ReplicaSet (docs/kubernetes-rollouts.md#which-deployment-a-pod-belongs-to).
     */
    @Override
    public Map<String, List<PodState>> podsIn(List<String> namespaces) {
        if (namespaces.size() < LIST_ALL_FROM) {
            return KubernetesGateway.super.podsIn(namespaces);
        }
        Map<String, List<PodState>> found;
        try {
            found = Paged.inNamespaces(calls, "Pods", new java.util.HashSet<>(namespaces), token -> {
                V1PodList page = core.listPodForAllNamespaces().limit(pageSize)._continue(token).execute();
                return new Paged.Page<>(page.getItems(), page.getMetadata() == null ? null : page.getMetadata().getContinue());
            }, p -> toPod(p, deploymentByName(p)));
        } catch (KubeApiException e) {
            if (e.httpCode() == 403) {
                return KubernetesGateway.super.podsIn(namespaces);
            }
            throw e;
        }
        return Paged.inOrder(namespaces, found, BY_NAME);
    }

    /**
     * The Deployment controller names each ReplicaSet {@code <deployment>-<pod-template-hash>} and gives its pods the
     * {@code pod-template-hash} label: a pod whose controlling ReplicaSet is named so belongs to that Deployment.
     */
    static Map<String, String> deploymentByName(V1Pod p) {
        String hash = KubeObjects.labels(p.getMetadata()).get("pod-template-hash");
        Optional<String> rs = controller(p.getMetadata().getOwnerReferences()).filter(o -> "ReplicaSet".equals(o.getKind())).map(o -> o.getName());
        if (hash == null || rs.isEmpty() || !rs.get().endsWith("-" + hash) || rs.get().length() == hash.length() + 1) {
            return Map.of();
        }
        return Map.of(rs.get(), rs.get().substring(0, rs.get().length() - hash.length() - 1));
    }

    static PodState toPod(V1Pod p, Map<String, String> deploymentOfReplicaSet) {
        String namespace = p.getMetadata().getNamespace();
        Optional<WorkloadRef> owner = controller(p.getMetadata().getOwnerReferences()).flatMap(o -> switch (o.getKind()) {
            case "ReplicaSet" -> Optional.ofNullable(deploymentOfReplicaSet.get(o.getName()))
                    .map(d -> new WorkloadRef(WorkloadKind.Deployment, namespace, d));
            case "StatefulSet" -> Optional.of(new WorkloadRef(WorkloadKind.StatefulSet, namespace, o.getName()));
            case "DaemonSet" -> Optional.of(new WorkloadRef(WorkloadKind.DaemonSet, namespace, o.getName()));
            default -> Optional.empty();
        });
        return new PodState(
                namespace,
                p.getMetadata().getName(),
                KubeObjects.labels(p.getMetadata()),
                KubeObjects.annotations(p.getMetadata()),
                p.getStatus() == null || p.getStatus().getPhase() == null ? "Unknown" : p.getStatus().getPhase(),
                ready(p),
                p.getMetadata().getDeletionTimestamp() != null,
                hasIstioProxy(p),
                owner,
                KubeObjects.instant(p.getMetadata().getCreationTimestamp()),
                restarts(p),
                controller(p.getMetadata().getOwnerReferences()).map(o -> o.getKind() + "/" + o.getName()));
    }

    /** The restart counts of the pod's containers and init containers, summed. */
    static int restarts(V1Pod p) {
        if (p.getStatus() == null) {
            return 0;
        }
        return java.util.stream.Stream.of(p.getStatus().getContainerStatuses(), p.getStatus().getInitContainerStatuses())
                .filter(java.util.Objects::nonNull).flatMap(List::stream)
                .mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
    }

    /** An {@code istio-proxy} container, or a native sidecar: an init container of that name with restartPolicy Always. */
    static boolean hasIstioProxy(V1Pod p) {
        if (p.getSpec() == null) {
            return false;
        }
        List<V1Container> containers = p.getSpec().getContainers() == null ? List.of() : p.getSpec().getContainers();
        List<V1Container> inits = p.getSpec().getInitContainers() == null ? List.of() : p.getSpec().getInitContainers();
        return containers.stream().anyMatch(c -> ISTIO_PROXY.equals(c.getName()))
                || inits.stream().anyMatch(c -> ISTIO_PROXY.equals(c.getName()) && "Always".equals(c.getRestartPolicy()));
    }

    static boolean ready(V1Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        for (V1PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    private static Optional<V1OwnerReference> controller(List<V1OwnerReference> refs) {
        if (refs == null) {
            return Optional.empty();
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
    }

    @Override
    public void delete(PodRef pod, boolean dryRun) {
        try {
            calls.idempotentWrite(dryRun ? "dry-run delete" : "delete", pod.describe(),
                    () -> core.deleteNamespacedPod(pod.name(), pod.namespace()).dryRun(dryRun ? DRY_RUN_ALL : null).execute());
        } catch (KubeApiException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
    }

    // ---- events

    /** Sent once (a create; a retry could only report a conflict with itself): the caller decides what a failure means. */
    @Override
    public void createEvent(ReportedEvent event) {
        var body = KubeEvents.toEvent(event);
        calls.once("create", "Event " + event.reason() + " in namespace " + event.namespace(),
                () -> events.createNamespacedEvent(event.namespace(), body).fieldManager(FIELD_MANAGER).execute());
    }

    @Override
    public List<ClusterEvent> warningEvents(String namespace, Duration since) {
        Instant after = Instant.now().minus(since);
        List<ClusterEvent> events = new ArrayList<>();
        for (CoreV1Event e : calls.read("list", "warning Events in namespace " + namespace,
                () -> core.listNamespacedEvent(namespace).fieldSelector("type=Warning").execute()).getItems()) {
            Instant last = lastSeen(e);
            if (last != null && last.isAfter(after) && "Warning".equals(e.getType())) {
                events.add(new ClusterEvent(
                        e.getInvolvedObject() == null ? "" : String.valueOf(e.getInvolvedObject().getKind()),
                        e.getInvolvedObject() == null ? "" : String.valueOf(e.getInvolvedObject().getName()),
                        e.getReason() == null ? "" : e.getReason(),
                        e.getMessage() == null ? "" : e.getMessage(),
                        last));
            }
        }
        events.sort(Comparator.comparing(ClusterEvent::last));
        return events;
    }

    /**
     * When an Event was last seen: the newest of series.lastObservedTime, lastTimestamp and eventTime; only when it
     * carries none of them, firstTimestamp or its creation (which is when it was written, not when it happened).
     */
    static Instant lastSeen(CoreV1Event e) {
        List<OffsetDateTime> observed = new ArrayList<>();
        if (e.getSeries() != null) {
            observed.add(e.getSeries().getLastObservedTime());
        }
        observed.add(e.getLastTimestamp());
        observed.add(e.getEventTime());
        Optional<OffsetDateTime> last = observed.stream().filter(java.util.Objects::nonNull).max(Comparator.naturalOrder());
        if (last.isEmpty() && e.getFirstTimestamp() != null) {
            last = Optional.of(e.getFirstTimestamp());
        }
        if (last.isEmpty() && e.getMetadata() != null) {
            last = Optional.ofNullable(e.getMetadata().getCreationTimestamp());
        }
        return last.map(OffsetDateTime::toInstant).orElse(null);
    }

    // ---- istio

    @Override
    public List<InjectorWebhook> injectorWebhooks() {
        return calls.read("list", "MutatingWebhookConfigurations labelled " + InjectionLabels.REVISION,
                        () -> admission.listMutatingWebhookConfiguration().labelSelector(InjectionLabels.REVISION).execute())
                .getItems().stream().map(ClientJavaKubernetesGateway::toInjector)
                .sorted(Comparator.comparing(InjectorWebhook::name)).toList();
    }

    static InjectorWebhook toInjector(V1MutatingWebhookConfiguration c) {
        Map<String, String> labels = KubeObjects.labels(c.getMetadata());
        List<WebhookEntry> entries = c.getWebhooks() == null ? List.of() : c.getWebhooks().stream()
                .map((V1MutatingWebhook w) -> new WebhookEntry(w.getName(), selector(w.getNamespaceSelector()), selector(w.getObjectSelector())))
                .toList();
        return new InjectorWebhook(c.getMetadata().getName(), Optional.ofNullable(labels.get(InjectionLabels.REVISION)),
                Optional.ofNullable(labels.get(TAG_LABEL)), entries);
    }

    /** A missing selector matches everything, as the API server treats it. */
    static LabelSelector selector(V1LabelSelector s) {
        if (s == null) {
            return LabelSelector.EVERYTHING;
        }
        Map<String, String> matchLabels = s.getMatchLabels() == null ? Map.of() : Map.copyOf(s.getMatchLabels());
        List<LabelSelector.Requirement> expressions = s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions().stream()
                .map((V1LabelSelectorRequirement r) -> new LabelSelector.Requirement(r.getKey(), r.getOperator(),
                        r.getValues() == null ? List.of() : List.copyOf(r.getValues())))
                .toList();
        return new LabelSelector(matchLabels, expressions);
    }

    @Override
    public List<IstiodPod> istiodPods(String controlPlaneNamespace, String revision) {
        String selector = "app=istiod," + InjectionLabels.REVISION + "=" + revision;
        return calls.read("list", "istiod Pods (" + selector + ") in namespace " + controlPlaneNamespace,
                        () -> core.listNamespacedPod(controlPlaneNamespace).labelSelector(selector).execute())
                .getItems().stream()
                .map(p -> new IstiodPod(controlPlaneNamespace, p.getMetadata().getName(), revision,
                        ready(p) && p.getMetadata().getDeletionTimestamp() == null))
                .sorted(Comparator.comparing(IstiodPod::name)).toList();
    }

    // ---- port-forward

    /**
     * Opens a port-forward through the API server to the pod (as {@code kubectl port-forward}), speaks one HTTP/1.1
     * GET over it, reads the whole body and closes the forward. The whole exchange, retries included, is bounded by
     * {@code timeout}. A non-2xx answer is an error carrying the pod's status and the start of its body.
     */
    @Override
    public String podHttpGet(String namespace, String pod, int port, String path, Duration timeout) {
        String object = "Pod " + namespace + "/" + pod + " port " + port;
        String what = "GET " + path + " on " + object + " through a port-forward";
        AtomicReference<PortForward.PortForwardResult> open = new AtomicReference<>();
        TimeLimiter limiter = KubeResilience.timeLimiter("port-forward", timeout);
        HttpOverStream.Response response;
        try {
            response = limiter.executeFutureSupplier(() -> portForwards.submit(() ->
                    calls.retry().executeCallable(() -> exchange(namespace, pod, port, path, open))));
        } catch (TimeoutException e) {
            throw new KubeApiException(what + " got no complete answer within " + timeout.toSeconds()
                    + "s (" + connection.describe() + ")", "port-forward", object, 0, null, false, e);
        } catch (ApiException e) {
            if (e.getCode() != 0) {
                throw calls.translate("port-forward to", object, e, false);
            }
            throw new KubeApiException(what + " failed: " + rootMessage(e) + " (" + connection.describe() + ")",
                    "port-forward", object, 0, null, false, e);
        } catch (Exception e) {
            throw new KubeApiException(what + " failed: " + rootMessage(e) + " (" + connection.describe() + ")",
                    "port-forward", object, 0, null, false, e);
        } finally {
            closeQuietly(open.getAndSet(null));
        }
        if (response.status() < 200 || response.status() > 299) {
            String body = response.text().strip();
            throw new KubeApiException(what + " answered HTTP " + response.status() + " " + response.reason()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 300 ? body.substring(0, 300) + "..." : body)),
                    "GET", object, response.status(), response.reason(), false, null);
        }
        return response.text();
    }

    private HttpOverStream.Response exchange(String namespace, String pod, int port, String path,
                                             AtomicReference<PortForward.PortForwardResult> open) throws ApiException, IOException {
        closeQuietly(open.getAndSet(null));
        PortForward.PortForwardResult forward = new PortForward(client).forward(namespace, pod, List.of(port));
        open.set(forward);
        InputStream in = forward.getInputStream(port);
        OutputStream out = forward.getOutboundStream(port);
        if (in == null || out == null) {
            throw new IOException("the API server did not forward port " + port);
        }
        try {
            return HttpOverStream.get(new BufferedInputStream(in), out, "localhost:" + port, path);
        } catch (IOException e) {
            String error = errorChannel(forward, port);
            throw error.isEmpty() ? e : new IOException(e.getMessage() + "; the port-forward reported: " + error, e);
        } finally {
            closeQuietly(open.getAndSet(null));
        }
    }

    /** What the kubelet (or kwok) wrote on the port's error channel, if anything has arrived. */
    private static String errorChannel(PortForward.PortForwardResult forward, int port) {
        try {
            InputStream err = forward.getErrorStream(port);
            if (err == null || err.available() <= 0) {
                return "";
            }
            byte[] data = err.readNBytes(Math.min(err.available(), 4096));
            return new String(data, java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(PortForward.PortForwardResult forward) {
        if (forward != null) {
            try {
                forward.close();
            } catch (RuntimeException ignored) {
                // closing a broken forward may fail; nothing to do about it
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    // ---- config maps

    @Override
    public Optional<String> configMapValue(String namespace, String name, String key) {
        V1ConfigMap cm;
        try {
            cm = calls.read("read", "ConfigMap " + namespace + "/" + name, () -> core.readNamespacedConfigMap(name, namespace).execute());
        } catch (KubeApiException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
        return cm.getData() == null ? Optional.empty() : Optional.ofNullable(cm.getData().get(key));
    }

    // ---- access

    /**
     * One SelfSubjectAccessReview (authorization.k8s.io/v1): the API server's authorizer answers for the identity of
     * this connection; nothing is stored. Retried like a read (it changes nothing).
     */
    @Override
    public boolean allowed(Access access) {
        V1ResourceAttributes attributes = new V1ResourceAttributes()
                .verb(access.verb())
                .group(access.group())
                .resource(access.resource())
                .subresource(access.subresource().isEmpty() ? null : access.subresource())
                .namespace(access.namespace().isEmpty() ? null : access.namespace());
        V1SelfSubjectAccessReview review = new V1SelfSubjectAccessReview()
                .apiVersion("authorization.k8s.io/v1").kind("SelfSubjectAccessReview")
                .spec(new V1SelfSubjectAccessReviewSpec().resourceAttributes(attributes));
        V1SelfSubjectAccessReview answer = calls.read("create", "SelfSubjectAccessReview (may I " + access.describe() + "?)",
                () -> authorization.createSelfSubjectAccessReview(review).execute());
        return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }
}
