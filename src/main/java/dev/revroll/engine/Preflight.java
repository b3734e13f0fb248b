package dev.revroll.engine;

import dev.revroll.engine.RolloutLayout.NamespaceTarget;
import dev.revroll.engine.RequiredAccess.Rule;
import dev.revroll.engine.RequiredAccess.Scope;
import dev.revroll.engine.journal.ClusterRecords;
import dev.revroll.engine.journal.RunRecord.Attention;
import dev.revroll.errors.ClusterException;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.ClusterModel.IstiodPod;
import dev.revroll.ports.Access;
import dev.revroll.ports.ClusterModel.PodState;
import dev.revroll.ports.ClusterModel.Workload;
import dev.revroll.ports.GitOpsRepository;
import dev.revroll.ports.KubernetesGateway;
import dev.revroll.ports.MetricsProvider;
import org.yaml.snakeyaml.Yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the cluster and decides whether a run may start (docs/istio-injection.md, docs/proxy-sync.md,
 * docs/kubernetes-rollouts.md): context, target istiod Ready,
 * its injector (or tag) present, no two injectors for one target namespace after the relabel (IST0139), Prometheus
 * answering when there are metric gates, {@code surge: require}, Git. Warnings never refuse. First of all it asks the
 * API server whether this identity may do everything the plan needs ({@link RequiredAccess}, one SelfSubjectAccessReview
 * per verb, docs/in-cluster.md#preflight) and refuses naming every permission that is missing, before any other read.
 */
public final class Preflight {

    static final Duration RECOMMENDED_DRAIN = Duration.ofSeconds(5);

    private final KubernetesGateway gateway;
    private final Optional<MetricsProvider> metrics;
    private final GitOpsRepository git;

    public Preflight(KubernetesGateway gateway, Optional<MetricsProvider> metrics, GitOpsRepository git) {
        this.gateway = gateway;
        this.metrics = metrics;
        this.git = git;
    }

    public Survey survey(Plan plan) {
        List<String> refusals = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Plan.Spec spec = plan.spec();
        String context = gateway.contextName();
        spec.cluster().context().filter(c -> !c.equals(context)).ifPresent(c -> refusals.add(
                "kube context is '" + context + "' but the plan is for '" + c + "' (use --context " + c + ")"));

        spec.gates().none().filter(r -> spec.gates().allOff()).ifPresent(reason -> warnings.add(
                "no gates: nothing checks that moved workloads come back injected, in sync and healthy (spec.gates.none: " + reason + ")"));
        AccessReview access = reviewAccess(plan);
        if (!access.refusals().isEmpty()) {
            // without the cluster-scoped and control-plane grants the targets cannot be read: report what is known
            refusals.addAll(access.refusals());
            access.deniedClusterWide().forEach(d -> refusals.add(missing(d.rule(), d.verb(), "in all namespaces")));
            return new Survey(context, Optional.empty(), Optional.empty(), Map.of(), List.of(), refusals, warnings);
        }

        List<InjectorWebhook> webhooks = gateway.injectorWebhooks();
        InjectionTable injection = new InjectionTable(webhooks);
        String to = spec.revision().to();
        Optional<RevisionTarget> target = RevisionTarget.resolve(to, webhooks);
        List<IstiodPod> istiod = List.of();
        if (target.isEmpty()) {
            refusals.add("no injector for '" + to + "': neither MutatingWebhookConfiguration istio-sidecar-injector-" + to
                    + " (a revision) nor istio-revision-tag-" + to + " (a tag) exists; install the revision or set the tag first");
        } else {
            String cp = spec.controlPlane().namespace();
            istiod = gateway.istiodPods(cp, target.get().revision());
            if (istiod.stream().noneMatch(IstiodPod::ready)) {
                refusals.add("istiod of revision " + target.get().revision() + " has no Ready pod in " + cp
                        + (istiod.isEmpty() ? " (no pods labelled app=istiod,istio.io/rev=" + target.get().revision() + ")" : ""));
            }
        }
        if (!spec.gates().metrics().isEmpty()) {
            if (metrics.isEmpty()) {
                refusals.add("metric gates need spec.prometheus.url");
            } else {
                metrics.get().whyUnreachable().ifPresent(why -> refusals.add(metrics.get().describe() + " cannot be queried: " + why
                        + " (metric gates need it)"));
            }
        }
        spec.prometheus().flatMap(Plan.PrometheusConfig::tls).filter(Plan.PrometheusTls::insecureSkipVerify).ifPresent(t -> warnings.add(
                "spec.prometheus.tls.insecureSkipVerify is true: any server can answer for Prometheus and see its credentials, "
                        + "and gate verdicts rest on what it says; give tls.caFile instead"));

        Optional<RolloutLayout> layout = Optional.empty();
        Map<String, List<WorkloadPlan>> workloads = new LinkedHashMap<>();
        Map<String, List<Attention>> attention = new LinkedHashMap<>();
        if (target.isPresent()) {
            RolloutLayout l = new StepPlanner(gateway).layout(plan, target.get(), injection);
            layout = Optional.of(l);
            l.allSkips().forEach(s -> warnings.add("skipped " + s));
            List<String> names = l.allTargets().stream().map(NamespaceTarget::name).toList();
            List<String> perNamespace = reviewInTargets(access.deniedClusterWide(), names);
            if (!perNamespace.isEmpty()) {
                refusals.addAll(perNamespace);
                return new Survey(context, target, layout, workloads, istiod, refusals, warnings, attention);
            }
            Optional<Map<String, Object>> mesh = meshConfig(spec.controlPlane().namespace(), target.get().revision());
            Map<String, List<Workload>> found = gateway.workloadsIn(names, new HashSet<>(spec.restart().kinds()));
            Map<String, List<PodState>> podsOf = gateway.podsIn(names);
            for (NamespaceTarget t : l.allTargets()) {
                String breakGlass = t.namespace().annotations().get(ClusterRecords.BREAK_GLASS);
                if (breakGlass != null) {
                    refusals.add("namespace " + t.name() + " was rolled back with --break-glass and Git was not brought back in line ("
                            + ClusterRecords.BREAK_GLASS + "=" + breakGlass + "); run 'revroll reconcile PLAN' first");
                }
                Map<String, String> after = InjectionTable.relabelled(t.namespace().labels(), target.get().label());
                List<InjectorWebhook> nsInjectors = injection.injectorsFor(after, Map.of());
                if (nsInjectors.size() > 1) {
                    refusals.add("IST0139: namespace " + t.name() + " would match " + nsInjectors.size() + " injectors after the relabel: "
                            + String.join(", ", nsInjectors.stream().map(InjectorWebhook::name).toList())
                            + "; remove the conflicting webhook or tag first");
                }
                List<WorkloadPlan> plans = WorkloadPlan.classify(found.getOrDefault(t.name(), List.of()), after, injection, target.get());
                workloads.put(t.name(), plans);
                plans.forEach(p -> refusals.addAll(WorkloadControl.problems(t.name(), p.workload())));
                checkWorkloads(spec, t.name(), plans, mesh, refusals, warnings);
                List<Attention> manual = MakeBeforeBreak.of(t.name(), plans, podsOf.getOrDefault(t.name(), List.of()),
                        t.currentRevision().orElse(null), target.get().describe());
                attention.put(t.name(), manual);
                for (Attention a : manual) {
                    if (spec.restart().requireMakeBeforeBreak()) {
                        refusals.add("restart.requireMakeBeforeBreak: " + t.name() + "/" + a.subject() + " cannot be restarted make-before-break: "
                                + a.why() + "; " + a.todo());
                    } else {
                        warnings.add(t.name() + "/" + a.subject() + " cannot be restarted make-before-break: " + a.why()
                                + "; what a person must do: " + a.todo());
                    }
                }
            }
            refusals.addAll(git.preflight(names).stream().map(p -> "git: " + p).toList());
        }
        return new Survey(context, target, layout, workloads, istiod, refusals, warnings, attention);
    }

    /** One verb of one rule: what an access review asks, and what was denied when asked for all namespaces at once. */
    record RuleVerb(Rule rule, String verb) {
    }

    /** Refusals for cluster-scoped and control-plane permissions; target-namespace ones denied cluster-wide, to ask again per namespace. */
    record AccessReview(List<String> refusals, List<RuleVerb> deniedClusterWide) {
    }

    /**
     * Asks for every verb of every rule: cluster-scoped ones as such, control-plane ones in that namespace, target
     * namespace ones for all namespaces at once (the common grant, a ClusterRole). When the identity may not even ask,
     * that is the one refusal.
     */
    AccessReview reviewAccess(Plan plan) {
        List<String> refusals = new ArrayList<>();
        List<RuleVerb> denied = new ArrayList<>();
        String cp = plan.spec().controlPlane().namespace();
        List<RuleVerb> asked = new ArrayList<>();  // every verb of every rule, in order
        for (Rule rule : RequiredAccess.of(plan)) {
            rule.verbs().keySet().forEach(verb -> asked.add(new RuleVerb(rule, verb)));
        }
        List<Boolean> answers;
        try {
            answers = askAll(asked.stream().map(a -> a.rule().access(a.verb(), a.rule().scope() == Scope.CONTROL_PLANE ? cp : "")).toList());
        } catch (ClusterException e) {
            if (e.httpCode() == 401 || e.httpCode() == 403) {
                return new AccessReview(List.of("permission missing: create selfsubjectaccessreviews.authorization.k8s.io "
                        + "(cluster-scoped): revroll cannot ask the API server what it may do: " + e.getMessage()), List.of());
            }
            throw e;
        }
        for (int i = 0; i < asked.size(); i++) {
            if (answers.get(i)) {
                continue;
            }
            RuleVerb d = asked.get(i);
            switch (d.rule().scope()) {
                case CLUSTER -> refusals.add(missing(d.rule(), d.verb(), "cluster-scoped"));
                case CONTROL_PLANE -> refusals.add(missing(d.rule(), d.verb(), "in namespace " + cp));
                case TARGET_NAMESPACES -> denied.add(d);
            }
        }
        return new AccessReview(refusals, denied);
    }

    /** How many access reviews are asked at once: each is a round trip that waits on the API server. */
    static final int ASK_AT_ONCE = 8;

    /**
     * The API server's answers to many access reviews, in the order asked; they are asked up to {@link #ASK_AT_ONCE} at
     * a time. When one fails, the first failure in the order asked is thrown.
     */
    private List<Boolean> askAll(List<Access> asks) {
        return Concurrently.map(asks, ASK_AT_ONCE, "revroll-access-review", gateway::allowed);
    }

    /** Asks again, namespace by namespace, for what was denied cluster-wide (a RoleBinding per namespace is a fine grant too). */
    private List<String> reviewInTargets(List<RuleVerb> denied, List<String> namespaces) {
        List<String> refusals = new ArrayList<>();
        for (RuleVerb d : denied) {
            List<Boolean> answers = askAll(namespaces.stream().map(ns -> d.rule().access(d.verb(), ns)).toList());
            List<String> without = new ArrayList<>();
            for (int i = 0; i < namespaces.size(); i++) {
                if (!answers.get(i)) {
                    without.add(namespaces.get(i));
                }
            }
            if (!without.isEmpty()) {
                refusals.add(missing(d.rule(), d.verb(), "in namespace" + (without.size() == 1 ? " " : "s ") + String.join(", ", without)));
            }
        }
        return refusals;
    }

    static String missing(Rule rule, String verb, String where) {
        return "permission missing: " + verb + " " + rule.access(verb, "").resourceName() + " (" + where + "): needed to "
                + rule.verbs().get(verb) + "; grant it (revroll manifests prints the ClusterRole and Role a run needs)";
    }

    private void checkWorkloads(Plan.Spec spec, String ns, List<WorkloadPlan> plans, Optional<Map<String, Object>> mesh,
                                List<String> refusals, List<String> warnings) {
        Set<String> seenIst0139 = new HashSet<>();
        for (WorkloadPlan p : plans) {
            Workload w = p.workload();
            String id = ns + "/" + p.key();
            if (p.reason().startsWith("ambiguous injection") && seenIst0139.add(id)) {
                refusals.add("IST0139: " + id + ": " + p.reason());
                continue;
            }
            if (!p.moves()) {
                warnings.add(id + " will not move: " + p.reason());
                continue;
            }
            p.notes().forEach(n -> warnings.add(id + ": " + n));
            if (spec.restart().surge() == SurgePolicy.REQUIRE && !WorkloadPlan.makeBeforeBreak(w)) {
                refusals.add("surge: require: " + id + " is " + p.surgeDescription()
                        + ", not RollingUpdate maxUnavailable=0 maxSurge=1; set it or use surge: enforce");
            }
            // a strategy make-before-break cannot be enforced on (Recreate, OnDelete) is listed by MakeBeforeBreak
            ProxyPolicy policy = ProxyPolicy.of(mesh, w.podTemplateAnnotations().get("proxy.istio.io/config"));
            if (!policy.holdApplicationUntilProxyStarts()) {
                warnings.add(id + ": holdApplicationUntilProxyStarts is not set (mesh defaultConfig or proxy.istio.io/config); "
                        + "the app may start before its proxy during the restart");
            }
            if (policy.drain().compareTo(RECOMMENDED_DRAIN) < 0) {
                warnings.add(id + ": terminationDrainDuration " + policy.drain().toSeconds() + "s is short; connections may be cut when old pods stop");
            }
        }
    }

    private Optional<Map<String, Object>> meshConfig(String cp, String revision) {
        return gateway.configMapValue(cp, "istio-" + revision, "mesh").map(ProxyPolicy::parseYaml);
    }

    /** The proxy settings that matter for a safe restart: pod annotation over mesh {@code defaultConfig}. */
    record ProxyPolicy(boolean holdApplicationUntilProxyStarts, Duration drain) {

        static ProxyPolicy of(Optional<Map<String, Object>> mesh, String podAnnotation) {
            Map<String, Object> defaults = mesh.map(m -> m.get("defaultConfig")).filter(Map.class::isInstance)
                    .map(m -> cast(m)).orElse(Map.of());
            Map<String, Object> pod = podAnnotation == null ? Map.of() : parseYaml(podAnnotation);
            Object hold = pod.containsKey("holdApplicationUntilProxyStarts") ? pod.get("holdApplicationUntilProxyStarts")
                    : defaults.get("holdApplicationUntilProxyStarts");
            Object drain = pod.containsKey("terminationDrainDuration") ? pod.get("terminationDrainDuration")
                    : defaults.get("terminationDrainDuration");
            return new ProxyPolicy(Boolean.parseBoolean(String.valueOf(hold)), drain == null ? Duration.ofSeconds(5) : parseDuration(String.valueOf(drain)));
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> cast(Object o) {
            return (Map<String, Object>) o;
        }

        static Map<String, Object> parseYaml(String text) {
            try {
                Object o = new Yaml().load(text);
                return o instanceof Map<?, ?> ? cast(o) : Map.of();
            } catch (RuntimeException e) {
                return Map.of();
            }
        }

        static Duration parseDuration(String s) {
            String t = s.trim();
            try {
                if (t.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
                }
                long n = (long) Double.parseDouble(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(5);
                };
            } catch (RuntimeException e) {
                return Duration.ofSeconds(5);
            }
        }
    }
}
