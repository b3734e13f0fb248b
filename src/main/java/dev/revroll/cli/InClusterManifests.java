package dev.revroll.cli;

import dev.revroll.engine.RequiredAccess;
import dev.revroll.engine.RequiredAccess.Rule;
import dev.revroll.engine.RequiredAccess.Scope;
import dev.revroll.errors.UsageException;
import dev.revroll.git.Cloning.Upstream;
import dev.revroll.plan.CronSchedule;
import dev.revroll.plan.KubernetesNames;
import dev.revroll.plan.Plan;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code revroll manifests} prints (docs/in-cluster.md): a ServiceAccount, a ClusterRole with exactly the
 * cluster-wide rules of {@link RequiredAccess} and its binding, a Role with exactly the control-plane rules (journal,
 * lock, istiod) and its binding in the control-plane namespace, a ConfigMap holding the plan file as it is, and a
 * CronJob ({@code concurrencyPolicy: Forbid}) that runs {@code revroll run} on that plan at the window's start. Git
 * credentials come from a Secret that is only referenced. Pure: no cluster, no Git.
 */
final class InClusterManifests {

    /** Where the pod's writable scratch space is mounted (an emptyDir); the plan file is mounted under it. */
    static final String WORK = "/work";
    static final String PLAN_DIR = WORK + "/plan";
    static final String HOME = WORK + "/home";
    /** A non-root user and group; the image runs as whatever the base image says, the pod as this. */
    static final long RUN_AS = 65532;
    /** The ConfigMap limit is 1 MiB; leave room for the object around the plan. */
    static final int MAX_PLAN_BYTES = 900 * 1024;
    static final int MAX_CRONJOB_NAME = 52;

    /** What the user chose; {@code schedule} empty: the plan's window. */
    record Options(String image, String namespace, String name, Optional<String> schedule, String gitSecret,
                   Optional<Upstream> git) {
    }

    /** One document to print, with the comment line printed above it. */
    record Document(String comment, Map<String, Object> object) {
    }

    private final Plan plan;
    private final Path planFile;
    private final String planText;
    private final Optional<String> rawGitRepo;
    private final Options options;

    /** {@code rawGitRepo}: {@code spec.git.repo} as the plan file writes it (relative paths are relative to the plan). */
    InClusterManifests(Plan plan, Path planFile, String planText, Optional<String> rawGitRepo, Options options) {
        this.plan = plan;
        this.planFile = planFile;
        this.planText = planText;
        this.rawGitRepo = rawGitRepo;
        this.options = options;
    }

    /** The default object name: {@code revroll-<plan>}, cut to what a CronJob name may be. */
    static String defaultName(Plan plan) {
        String n = "revroll-" + plan.name();
        n = n.length() > MAX_CRONJOB_NAME ? n.substring(0, MAX_CRONJOB_NAME) : n;
        return n.replaceAll("-+$", "");
    }

    List<Document> documents() {
        check();
        String cp = plan.spec().controlPlane().namespace();
        List<Rule> rules = RequiredAccess.of(plan);
        List<Document> docs = new ArrayList<>();
        docs.add(new Document("The identity revroll runs as.", object("v1", "ServiceAccount", options.name(), options.namespace())));

        Map<String, Object> clusterRole = object("rbac.authorization.k8s.io/v1", "ClusterRole", options.name(), null);
        clusterRole.put("rules", rbacRules(rules.stream().filter(r -> r.scope() != Scope.CONTROL_PLANE).toList()));
        docs.add(new Document("Cluster-wide: namespaces, injector webhooks, access reviews, and the workloads, pods and events of the namespaces the plan moves (docs/in-cluster.md#permissions).", clusterRole));
        docs.add(new Document("Binds the ClusterRole to the ServiceAccount.", binding("ClusterRoleBinding", options.name(), null, "ClusterRole")));

        Map<String, Object> role = object("rbac.authorization.k8s.io/v1", "Role", options.name(), cp);
        role.put("rules", rbacRules(rules.stream().filter(r -> r.scope() == Scope.CONTROL_PLANE).toList()));
        docs.add(new Document("In the control-plane namespace only: the run journals (ConfigMaps revroll-run-<id>), the run lock (Lease revroll-lock), istiod's pods and port-forward.", role));
        docs.add(new Document("Binds the Role to the ServiceAccount.", binding("RoleBinding", options.name(), cp, "Role")));

        Map<String, Object> planMap = object("v1", "ConfigMap", planConfigMap(), options.namespace());
        planMap.put("data", Map.of(planKey(), planText));
        docs.add(new Document("The plan, byte for byte as " + planFile.getFileName() + " (its hash is what resume compares).", planMap));

        docs.add(new Document(scheduleComment(), cronJob()));
        return docs;
    }

    /** Multi-document YAML, each document after its comment. */
    String yaml() {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndicatorIndent(0);
        o.setIndent(2);
        o.setWidth(120);
        o.setSplitLines(false);
        Yaml yaml = new Yaml(o);
        StringBuilder sb = new StringBuilder();
        sb.append("# revroll manifests for plan ").append(plan.name()).append(" (").append(planFile.getFileName()).append(")\n");
        sb.append("# Git credentials: create Secret ").append(options.namespace()).append('/').append(options.gitSecret())
                .append(" yourself (keys: token [+ username] for HTTPS; id_ed25519 or id_rsa + known_hosts for SSH).\n");
        for (Document d : documents()) {
            sb.append("---\n# ").append(d.comment()).append('\n').append(yaml.dump(d.object()));
        }
        return sb.toString();
    }

    // ---- checks

    private void check() {
        String nameProblem = KubernetesNames.dns1123LabelProblem(options.name());
        if (nameProblem != null) {
            throw new UsageException("--name " + options.name() + ": " + nameProblem);
        }
        if (options.name().length() > MAX_CRONJOB_NAME) {
            throw new UsageException("--name " + options.name() + " is " + options.name().length()
                    + " characters; a CronJob name has at most " + MAX_CRONJOB_NAME);
        }
        String nsProblem = KubernetesNames.dns1123LabelProblem(options.namespace());
        if (nsProblem != null) {
            throw new UsageException("--namespace " + options.namespace() + ": " + nsProblem);
        }
        if (options.image().isBlank()) {
            throw new UsageException("--image is empty; give the revroll image to run (built with mvn -Pimage jib:build)");
        }
        if (planText.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PLAN_BYTES) {
            throw new UsageException("the plan " + planFile + " is larger than " + MAX_PLAN_BYTES / 1024 + " KiB; a ConfigMap cannot hold it");
        }
        if (plan.spec().git().isPresent() && options.git().isEmpty()) {
            throw new UsageException("the plan records every step in Git, so the CronJob must clone the GitOps remote: give --git-url URL"
                    + " (and --git-branch BRANCH), or run manifests where the plan's clone " + plan.spec().git().get().repo() + " exists");
        }
        schedule();
        gitRepoInPod();
    }

    /** The CronJob's schedule: {@code --schedule}, else the plan's window; a plan without a window needs {@code --schedule}. */
    String schedule() {
        String cron = options.schedule().or(() -> plan.spec().window().flatMap(Plan.Window::opens).map(Plan.Opens::cron)).orElseThrow(() -> new UsageException(
                "the plan " + planFile + (plan.spec().window().isEmpty() ? " has no spec.window" : "'s spec.window has only freezes (no cron)")
                        + ", so there is no time to start the CronJob at: give --schedule CRON (5 fields, e.g. \"0 2 * * 6\"), or give the plan's window a cron and duration"));
        try {
            CronSchedule.parse(cron);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--schedule: " + e.getMessage());
        }
        String[] fields = cron.trim().split("\\s+");
        if (fields[4].matches(".*(^|[^0-9])7($|[^0-9]).*")) {
            throw new UsageException("schedule \"" + cron + "\": a Kubernetes CronJob's day-of-week is 0-6 (0 is Sunday); write 0 instead of 7"
                    + (options.schedule().isEmpty() ? " in the plan's window, or give --schedule" : ""));
        }
        return String.join(" ", fields);
    }

    private String scheduleComment() {
        if (options.schedule().isPresent()) {
            return "Runs revroll run on the plan at " + options.schedule().get() + " (--schedule); one run at a time.";
        }
        Plan.Window w = plan.spec().window().orElseThrow();
        Plan.Opens opens = w.opens().orElseThrow();
        return "Runs revroll run on the plan when its window opens (" + opens.cron() + " " + w.timeZone().getId()
                + ", for " + dev.revroll.plan.DurationText.format(opens.duration()) + "); one run at a time; a run paused at the window's end resumes at the next.";
    }

    /** Where the plan's {@code git.repo} is inside the pod; empty when the plan has no Git record. */
    Optional<String> gitRepoInPod() {
        if (plan.spec().git().isEmpty()) {
            return Optional.empty();
        }
        String raw = rawGitRepo.orElse(plan.spec().git().get().repo());
        String inPod = raw.startsWith("/") ? Path.of(raw).normalize().toString() : Path.of(PLAN_DIR).resolve(raw).normalize().toString();
        if (PLAN_DIR.startsWith(inPod)) {
            throw new UsageException("git.repo " + raw + " is " + inPod + " in the pod, which holds the plan file itself; the CronJob"
                    + " clones the GitOps remote into git.repo, so it must be another directory (e.g. ../gitops)");
        }
        return Optional.of(inPod);
    }

    // ---- objects

    private String planConfigMap() {
        return options.name() + "-plan";
    }

    /** The ConfigMap key (and file name in the pod): the plan's file name when it is a valid key. */
    String planKey() {
        String file = planFile.getFileName().toString();
        return file.matches("[-._a-zA-Z0-9]+") && file.length() <= 253 ? file : "plan.yaml";
    }

    private Map<String, Object> labels() {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("app.kubernetes.io/name", "revroll");
        l.put("app.kubernetes.io/instance", options.name());
        l.put("revroll.dev/plan", plan.name());
        return l;
    }

    private Map<String, Object> object(String apiVersion, String kind, String name, String namespace) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        meta.put("labels", labels());
        o.put("metadata", meta);
        return o;
    }

    private Map<String, Object> binding(String kind, String name, String namespace, String roleKind) {
        Map<String, Object> b = object("rbac.authorization.k8s.io/v1", kind, name, namespace);
        b.put("roleRef", map("apiGroup", "rbac.authorization.k8s.io", "kind", roleKind, "name", name));
        b.put("subjects", List.of(map("kind", "ServiceAccount", "name", options.name(), "namespace", options.namespace())));
        return b;
    }

    /** RBAC rules: one per API group and resource, verbs in the order {@link RequiredAccess} gives them, merged when repeated. */
    static List<Map<String, Object>> rbacRules(List<Rule> rules) {
        Map<String, List<String>> byResource = new LinkedHashMap<>();
        Map<String, String[]> keys = new TreeMap<>();
        for (Rule r : rules) {
            String key = r.group() + "\u0000" + r.resource();
            keys.put(key, new String[]{r.group(), r.resource()});
            List<String> verbs = byResource.computeIfAbsent(key, k -> new ArrayList<>());
            r.verbs().keySet().stream().filter(v -> !verbs.contains(v)).forEach(verbs::add);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        byResource.forEach((key, verbs) -> out.add(map("apiGroups", List.of(keys.get(key)[0]), "resources", List.of(keys.get(key)[1]),
                "verbs", List.copyOf(verbs))));
        return out;
    }

    private Map<String, Object> cronJob() {
        Map<String, Object> cj = object("batch/v1", "CronJob", options.name(), options.namespace());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("schedule", schedule());
        if (options.schedule().isEmpty()) {
            Plan.Window w = plan.spec().window().orElseThrow();
            spec.put("timeZone", w.timeZone().getId());
            // a start missed by more than the window's length (controller down) would only find the window closed
            spec.put("startingDeadlineSeconds", Math.max(60, w.opens().orElseThrow().duration().toSeconds()));
        }
        spec.put("concurrencyPolicy", "Forbid");
        spec.put("successfulJobsHistoryLimit", 3);
        spec.put("failedJobsHistoryLimit", 3);

        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("serviceAccountName", options.name());
        pod.put("restartPolicy", "Never");
        pod.put("securityContext", map("runAsNonRoot", true, "runAsUser", RUN_AS, "runAsGroup", RUN_AS, "fsGroup", RUN_AS,
                "seccompProfile", map("type", "RuntimeDefault")));
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "revroll");
        container.put("image", options.image());
        container.put("args", args());
        List<Map<String, Object>> env = new ArrayList<>();
        env.add(map("name", "HOME", "value", HOME));
        List<Map<String, Object>> mounts = new ArrayList<>();
        mounts.add(map("name", "work", "mountPath", WORK));
        mounts.add(map("name", "tmp", "mountPath", "/tmp"));
        mounts.add(map("name", "plan", "mountPath", PLAN_DIR + "/" + planKey(), "subPath", planKey(), "readOnly", true));
        List<Map<String, Object>> volumes = new ArrayList<>();
        volumes.add(map("name", "work", "emptyDir", Map.of()));
        // the root file system is read-only: the JVM's and JGit's temporary files go here
        volumes.add(map("name", "tmp", "emptyDir", Map.of()));
        volumes.add(map("name", "plan", "configMap", map("name", planConfigMap())));
        Optional<String> repo = gitRepoInPod();
        if (repo.isPresent()) {
            env.add(secretEnv("REVROLL_GIT_TOKEN", "token"));
            env.add(secretEnv("REVROLL_GIT_USERNAME", "username"));
            mounts.add(map("name", "git-credentials", "mountPath", HOME + "/.ssh", "readOnly", true));
            volumes.add(map("name", "git-credentials", "secret", map("secretName", options.gitSecret(), "optional", true, "defaultMode", 0440)));
            if (!repo.get().startsWith(WORK + "/")) {
                mounts.add(map("name", "gitops", "mountPath", repo.get()));
                volumes.add(map("name", "gitops", "emptyDir", Map.of()));
            }
        }
        container.put("env", env);
        container.put("volumeMounts", mounts);
        container.put("securityContext", map("allowPrivilegeEscalation", false, "readOnlyRootFilesystem", true,
                "capabilities", map("drop", List.of("ALL"))));
        pod.put("containers", List.of(container));
        pod.put("volumes", volumes);

        Map<String, Object> template = new LinkedHashMap<>();
        template.put("metadata", map("labels", labels()));
        template.put("spec", pod);
        // a failed run is not started again by the Job: it rolled back (exit 1) or paused (exit 5) on purpose
        spec.put("jobTemplate", map("metadata", map("labels", labels()), "spec", map("backoffLimit", 0, "template", template)));
        cj.put("spec", spec);
        return cj;
    }

    /** What the container runs: {@code revroll run} on the mounted plan, JSON event lines to the log, the clone made first. */
    List<String> args() {
        List<String> args = new ArrayList<>(List.of("run", PLAN_DIR + "/" + planKey(), "-o", "json"));
        plan.spec().cluster().context().ifPresent(c -> args.addAll(List.of("--context", c)));
        options.git().ifPresent(g -> {
            if (plan.spec().git().isPresent()) {
                args.addAll(List.of("--git-clone", g.url()));
                if (g.branch() != null) {
                    args.addAll(List.of("--git-branch", g.branch()));
                }
            }
        });
        return args;
    }

    private Map<String, Object> secretEnv(String name, String key) {
        return map("name", name, "valueFrom", map("secretKeyRef", map("name", options.gitSecret(), "key", key, "optional", true)));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
