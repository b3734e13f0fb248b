package dev.revroll.engine;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel;
import dev.revroll.ports.ClusterModel.ClusterEvent;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.IstiodPod;
import dev.revroll.engine.step.Patches;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.NamespaceState;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.RolloutState;
import dev.revroll.ports.ClusterModel.WebhookEntry;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.Access;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.LabelSelector;
import dev.revroll.ports.MergePatch;
import dev.revroll.ports.ObjectRef;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** In-memory cluster for the engine's logic tests: restarts replace pods at once, injected per the webhooks. */
class FakeCluster implements KubernetesGateway {

    final Map<String, NamespaceState> namespaces = new LinkedHashMap<>();
    final Map<WorkloadRef, Workload> workloads = new LinkedHashMap<>();
    final Map<String, List<PodState>> pods = new HashMap<>();
    final List<InjectorWebhook> webhooks = new ArrayList<>();
    final Map<String, Boolean> istiodReady = new HashMap<>();
    final Map<WorkloadRef, Integer> restarts = new HashMap<>();
    final List<String> writes = new ArrayList<>();
    /** Writes sent with server-side dry run, described as {@link #writes} describes real ones (when {@link #recordDryRuns}). */
    final List<String> dryRuns = new ArrayList<>();
    /** Namespaces read one by one, and lists of namespaces, since the fake was made. */
    int namespaceReads;
    int namespaceLists;
    /** Off by default: the engine benchmark's preview would otherwise pay for this log. */
    boolean recordDryRuns;
    /** Revisions whose proxies never ACK what istiod sent (STALE). */
    final Set<String> staleRevisions = new java.util.HashSet<>();
    String context = "test";
    /** Rollouts that never complete (an injector that is down), and the warning events the namespace shows. */
    final Set<WorkloadRef> stuck = new java.util.HashSet<>();
    final List<ClusterEvent> events = new ArrayList<>();
    /** The Kubernetes Events revroll wrote, in order; {@link #eventFailure} makes each write fail instead. */
    final List<ClusterModel.ReportedEvent> reported = java.util.Collections.synchronizedList(new ArrayList<>());
    RuntimeException eventFailure;
    /** Namespaces whose writes admission rejects (also under server-side dry run). */
    final Set<String> admissionRejects = new java.util.HashSet<>();
    /** Called before every write; a test may throw from it to simulate a crash or an API failure. */
    Consumer<String> beforeWrite = w -> { };
    /** Called before every read of a namespace's pods (a test may change them as time goes by). */
    Runnable beforePodsRead = () -> { };
    private final AtomicInteger podSeq = new AtomicInteger();
    /** Access the API server denies, as {@link Access#describe()} says it ({@code patch deployments.apps in namespace a}). */
    final Set<String> deniedAccess = new java.util.HashSet<>();
    /** Every access review asked, in order. */
    final List<Access> accessAsked = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Looks at its rollout a restarted workload stays mid-rollout for (0: done at once). */
    int rolloutLooks;
    private final Map<WorkloadRef, Integer> looksLeft = new HashMap<>();
    /** The most workloads of one namespace mid-rollout at once, as each restart found it (its own included). */
    int maxMidRollout;

    static FakeCluster twoRevisions(String oldRev, String newRev) {
        FakeCluster c = new FakeCluster();
        c.webhooks.add(revisionWebhook(oldRev));
        c.webhooks.add(revisionWebhook(newRev));
        c.istiodReady.put(oldRev, true);
        c.istiodReady.put(newRev, true);
        return c;
    }

    static InjectorWebhook revisionWebhook(String rev) {
        return new InjectorWebhook("istio-sidecar-injector-" + rev, Optional.of(rev), Optional.empty(), entries(rev, false));
    }

    static InjectorWebhook tagWebhook(String tag, String rev) {
        return new InjectorWebhook("istio-revision-tag-" + tag, Optional.of(rev), Optional.of(tag), entries(tag, tag.equals("default")));
    }

    static List<WebhookEntry> entries(String value, boolean isDefault) {
        LabelSelector.Requirement notFalse = new LabelSelector.Requirement("sidecar.istio.io/inject", "NotIn", List.of("false"));
        List<WebhookEntry> e = new ArrayList<>();
        e.add(new WebhookEntry("rev.namespace.sidecar-injector.istio.io",
                new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("istio.io/rev", "In", List.of(value)),
                        new LabelSelector.Requirement("istio-injection", "DoesNotExist", List.of()))),
                new LabelSelector(Map.of(), List.of(notFalse))));
        e.add(new WebhookEntry("rev.object.sidecar-injector.istio.io",
                new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("istio.io/rev", "DoesNotExist", List.of()),
                        new LabelSelector.Requirement("istio-injection", "DoesNotExist", List.of()))),
                new LabelSelector(Map.of(), List.of(notFalse, new LabelSelector.Requirement("istio.io/rev", "In", List.of(value))))));
        if (isDefault) {
            e.add(new WebhookEntry("namespace.sidecar-injector.istio.io",
                    new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("istio-injection", "In", List.of("enabled")))),
                    new LabelSelector(Map.of(), List.of(notFalse))));
        }
        return e;
    }

    void addNamespace(String name, Map<String, String> labels) {
        namespaces.put(name, new NamespaceState(name, new HashMap<>(labels), new HashMap<>()));
    }

    void addDeployment(String ns, String name, int replicas, String maxUnavailable, String maxSurge) {
        WorkloadRef ref = new WorkloadRef(WorkloadKind.Deployment, ns, name);
        workloads.put(ref, new Workload(ref, 1, replicas, "RollingUpdate", Optional.ofNullable(maxUnavailable),
                Optional.ofNullable(maxSurge), Map.of(), Map.of("app", name), Map.of()));
        replacePods(ref);
    }

    void addWorkload(Workload w) {
        workloads.put(w.ref(), w);
        replacePods(w.ref());
    }

    /** New pods for the workload, injected as the webhooks decide now. */
    private void replacePods(WorkloadRef ref) {
        Workload w = workloads.get(ref);
        List<PodState> list = pods.computeIfAbsent(ref.namespace(), n -> new ArrayList<>());
        list.removeIf(p -> p.owner().filter(ref::equals).isPresent());
        Map<String, String> nsLabels = namespaces.get(ref.namespace()).labels();
        InjectionTable table = new InjectionTable(webhooks);
        Optional<String> rev = Optional.empty();
        if (!InjectionTable.optedOut(w.podTemplateLabels(), w.podTemplateAnnotations())) {
            List<InjectorWebhook> m = table.injectorsFor(nsLabels, w.podTemplateLabels());
            if (m.size() == 1) {
                rev = m.get(0).revision();
            }
        }
        for (int i = 0; i < w.replicas(); i++) {
            Map<String, String> ann = new HashMap<>();
            rev.ifPresent(r -> ann.put(ProxySyncGate.STATUS_ANNOTATION, "{\"containers\":[\"istio-proxy\"],\"revision\":\"" + r + "\"}"));
            list.add(new PodState(ref.namespace(), ref.name() + "-" + podSeq.incrementAndGet(), w.podTemplateLabels(), ann, "Running",
                    true, false, rev.isPresent(), Optional.of(ref), Instant.now(), 0));
        }
    }

    String podRevision(String ns, String podPrefix) {
        return pods.get(ns).stream().filter(p -> p.name().startsWith(podPrefix)).findFirst()
                .flatMap(ProxySyncGate::podRevision).orElse("none");
    }

    List<String> podRevisions(String ns) {
        return pods.getOrDefault(ns, List.of()).stream().map(p -> ProxySyncGate.podRevision(p).orElse("none")).toList();
    }

    /** A dry-run write is logged in {@link #dryRuns} with the description a real one gets in {@link #writes}. */
    private boolean dryRun(boolean dryRun, java.util.function.Supplier<String> what) {
        if (dryRun && recordDryRuns) {
            dryRuns.add(what.get());
        }
        return dryRun;
    }

    private void write(String what) {
        beforeWrite.accept(what);
        writes.add(what);
    }

    @Override
    public String contextName() {
        return context;
    }

    @Override
    public Optional<NamespaceState> namespace(String name) {
        namespaceReads++;
        return Optional.ofNullable(namespaces.get(name)).map(n -> new NamespaceState(n.name(), Map.copyOf(n.labels()), Map.copyOf(n.annotations())));
    }

    @Override
    public List<NamespaceState> namespaces(String labelSelector) {
        namespaceLists++;
        if (labelSelector == null || labelSelector.isBlank()) {
            return namespaces.values().stream().sorted(java.util.Comparator.comparing(NamespaceState::name)).toList();
        }
        String[] kv = labelSelector.split("=");
        return namespaces.values().stream().filter(n -> kv[1].equals(n.labels().get(kv[0]))).toList();
    }

    /** Applies a merge patch as the API server would, for the parts revroll sends; each part is logged in {@link #writes}. */
    @Override
    public synchronized void patch(ObjectRef target, MergePatch patch, boolean dryRun) {
        if (dryRun && !recordDryRuns && !(target instanceof NamespaceRef)) {
            return; // only a namespace's admission can refuse a dry run here
        }
        Map<String, Object> doc = patch.document();
        if (target instanceof NamespaceRef ref) {
            patchNamespace(ref.name(), section(doc, "metadata", "labels"), section(doc, "metadata", "annotations"), dryRun);
        } else if (target instanceof WorkloadRef ref) {
            Map<String, String> annotations = section(doc, "metadata", "annotations");
            if (!annotations.isEmpty()) {
                annotateWorkload(ref, annotations, dryRun);
            }
            Map<String, String> template = section(doc, "spec", "template", "metadata", "annotations");
            if (template.containsKey(Patches.RESTARTED_AT)) {
                restart(ref, template.get(Patches.RESTARTED_AT), dryRun);
            }
            for (String strategy : List.of("strategy", "updateStrategy")) {
                Map<String, String> knobs = section(doc, "spec", strategy, "rollingUpdate");
                if (!knobs.isEmpty() || hasKey(doc, "spec", strategy, "rollingUpdate")) {
                    patchRollingUpdate(ref, knobs.get("maxUnavailable"), knobs.get("maxSurge"), dryRun);
                }
            }
        } else {
            throw new UnsupportedOperationException("patch " + target.describe());
        }
    }

    /** The object at the path as a string map (numbers as their text; null values kept: they remove). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> section(Map<String, Object> doc, String... path) {
        Object node = doc;
        for (String p : path) {
            if (!(node instanceof Map<?, ?> m) || !m.containsKey(p)) {
                return Map.of();
            }
            node = m.get(p);
        }
        Map<String, String> out = new LinkedHashMap<>();
        ((Map<String, Object>) node).forEach((k, v) -> out.put(k, v == null ? null : String.valueOf(v)));
        return out;
    }

    private static boolean hasKey(Map<String, Object> doc, String... path) {
        Object node = doc;
        for (String p : path) {
            if (!(node instanceof Map<?, ?> m) || !m.containsKey(p)) {
                return false;
            }
            node = m.get(p);
        }
        return true;
    }

    private void patchNamespace(String name, Map<String, String> labels, Map<String, String> annotations, boolean dryRun) {
        if (admissionRejects.contains(name)) {
            throw new IllegalStateException("admission webhook \"policy.example\" denied the request: labels are frozen");
        }
        if (dryRun(dryRun, () -> "patch-ns " + name + " " + labels)) {
            return;
        }
        write("patch-ns " + name + " " + labels);
        NamespaceState n = namespaces.get(name);
        labels.forEach((k, v) -> {
            if (v == null) {
                n.labels().remove(k);
            } else {
                n.labels().put(k, v);
            }
        });
        annotations.forEach((k, v) -> {
            if (v == null) {
                n.annotations().remove(k);
            } else {
                n.annotations().put(k, v);
            }
        });
    }

    @Override
    public List<Workload> workloads(String namespace, Set<WorkloadKind> kinds) {
        return workloads.values().stream().filter(w -> w.ref().namespace().equals(namespace) && kinds.contains(w.ref().kind())).toList();
    }

    @Override
    public Optional<Workload> workload(WorkloadRef ref) {
        return Optional.ofNullable(workloads.get(ref));
    }

    private void restart(WorkloadRef ref, String restartedAt, boolean dryRun) {
        if (dryRun(dryRun, () -> "restart " + ref)) {
            return;
        }
        write("restart " + ref);
        Workload w = workloads.get(ref);
        Map<String, String> ann = new HashMap<>(w.podTemplateAnnotations());
        ann.put(Patches.RESTARTED_AT, restartedAt);
        workloads.put(ref, new Workload(ref, w.generation() + 1, w.replicas(), w.strategyType(), w.maxUnavailable(), w.maxSurge(),
                w.annotations(), w.podTemplateLabels(), ann));
        if (restarts.merge(ref, 1, Integer::sum) > 1) {
            stuck.remove(ref); // the restart back onto the old revision goes through
        }
        if (!"OnDelete".equals(w.strategyType())) {
            replacePods(ref);
        }
        synchronized (looksLeft) {
            if (rolloutLooks > 0) {
                looksLeft.put(ref, rolloutLooks);
            }
            long mid = looksLeft.entrySet().stream().filter(e -> e.getKey().namespace().equals(ref.namespace()) && e.getValue() > 0).count();
            maxMidRollout = (int) Math.max(maxMidRollout, Math.max(mid, 1));
        }
    }

    private void patchRollingUpdate(WorkloadRef ref, String maxUnavailable, String maxSurge, boolean dryRun) {
        if (dryRun(dryRun, () -> "rolling-update " + ref + " " + maxUnavailable + "/" + maxSurge)) {
            return;
        }
        write("rolling-update " + ref + " " + maxUnavailable + "/" + maxSurge);
        Workload w = workloads.get(ref);
        workloads.put(ref, new Workload(ref, w.generation() + 1, w.replicas(), w.strategyType(), Optional.ofNullable(maxUnavailable),
                Optional.ofNullable(maxSurge), w.annotations(), w.podTemplateLabels(), w.podTemplateAnnotations()));
    }

    private void annotateWorkload(WorkloadRef ref, Map<String, String> annotations, boolean dryRun) {
        if (dryRun(dryRun, () -> "annotate " + ref)) {
            return;
        }
        write("annotate " + ref);
        Workload w = workloads.get(ref);
        Map<String, String> ann = new HashMap<>(w.annotations());
        annotations.forEach((k, v) -> {
            if (v == null) {
                ann.remove(k);
            } else {
                ann.put(k, v);
            }
        });
        workloads.put(ref, new Workload(ref, w.generation(), w.replicas(), w.strategyType(), w.maxUnavailable(), w.maxSurge(),
                ann, w.podTemplateLabels(), w.podTemplateAnnotations()));
    }

    @Override
    public RolloutState rolloutState(WorkloadRef ref) {
        if (stuck.contains(ref)) {
            return new RolloutState(false, false, "Waiting for deployment \"" + ref.name() + "\" rollout to finish: 0 of 2 updated replicas are available...");
        }
        synchronized (looksLeft) {
            int left = looksLeft.getOrDefault(ref, 0);
            if (left > 0) {
                looksLeft.put(ref, left - 1);
                return new RolloutState(false, false, "Waiting for deployment \"" + ref.name() + "\" rollout to finish");
            }
        }
        return new RolloutState(true, false, "successfully rolled out");
    }

    @Override
    public List<PodState> pods(String namespace) {
        beforePodsRead.run();
        return List.copyOf(pods.getOrDefault(namespace, List.of()));
    }

    @Override
    public void delete(PodRef pod, boolean dryRun) {
        if (dryRun(dryRun, () -> "delete-pod " + pod.namespace() + "/" + pod.name())) {
            return;
        }
        String namespace = pod.namespace();
        String name = pod.name();
        write("delete-pod " + namespace + "/" + name);
        List<PodState> list = pods.get(namespace);
        PodState old = list.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        list.remove(old);
        // the StatefulSet controller recreates the pod under the same name, injected as the webhooks decide now
        Map<String, String> nsLabels = namespaces.get(namespace).labels();
        List<InjectorWebhook> m = new InjectionTable(webhooks).injectorsFor(nsLabels, old.labels());
        Map<String, String> ann = new HashMap<>();
        if (m.size() == 1) {
            ann.put(ProxySyncGate.STATUS_ANNOTATION, "{\"revision\":\"" + m.get(0).revision().orElseThrow() + "\"}");
        }
        list.add(new PodState(namespace, name, old.labels(), ann, "Running", true, false, m.size() == 1, old.owner(),
                Instant.now().plusSeconds(1), 0));
    }

    @Override
    public void createEvent(ClusterModel.ReportedEvent event) {
        if (eventFailure != null) {
            throw eventFailure;
        }
        reported.add(event);
    }

    @Override
    public List<ClusterEvent> warningEvents(String namespace, Duration since) {
        return List.copyOf(events);
    }

    @Override
    public List<InjectorWebhook> injectorWebhooks() {
        return List.copyOf(webhooks);
    }

    @Override
    public List<IstiodPod> istiodPods(String controlPlaneNamespace, String revision) {
        return List.of(new IstiodPod(controlPlaneNamespace, "istiod-" + revision + "-0", revision, istiodReady.getOrDefault(revision, false)));
    }

    @Override
    public String podHttpGet(String namespace, String pod, int port, String path, Duration timeout) {
        String rev = pod.substring("istiod-".length(), pod.length() - 2);
        StringBuilder sb = new StringBuilder("[");
        for (List<PodState> list : pods.values()) {
            for (PodState p : list) {
                if (ProxySyncGate.podRevision(p).filter(rev::equals).isEmpty()) {
                    continue;
                }
                String acked = staleRevisions.contains(rev) ? "old" : "n1";
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append("{\"proxy\":\"").append(p.name()).append('.').append(p.namespace()).append("\",")
                        .append("\"cluster_sent\":\"n1\",\"cluster_acked\":\"").append(acked).append("\",")
                        .append("\"listener_sent\":\"n1\",\"listener_acked\":\"n1\",\"endpoint_sent\":\"n1\",\"endpoint_acked\":\"n1\"}");
            }
        }
        return sb.append(']').toString();
    }

    @Override
    public Optional<String> configMapValue(String namespace, String name, String key) {
        return Optional.empty();
    }

    @Override
    public boolean allowed(Access access) {
        accessAsked.add(access);
        return !deniedAccess.contains(access.describe());
    }
}
