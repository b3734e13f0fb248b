package dev.revroll.plan;

import dev.revroll.errors.PlanException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a plan file into a {@link Plan}, or throws one {@link PlanException} listing every problem found, each with
 * file, line, column, field and what would be valid. Defaults come from the plan schema. Touches nothing but the file.
 */
public final class PlanLoader {

    /** Placeholders a {@code git.path} template may use. */
    public static final Set<String> GIT_PATH_PLACEHOLDERS = Set.of("namespace", "plan");

    private static final Pattern CONDITION = Pattern.compile(
            "\\s*(>=|<=|==|!=|>|<)\\s*([-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\\s*");

    private final Path file;
    private final PlanProblems problems;
    private final PlanSchema schema = PlanSchema.get();

    /** Every value node the builder read; a field the schema accepts but the builder never reads would be lost silently. */
    private final Set<Node> read = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private MappingNode document;

    private PlanLoader(Path file) {
        this.file = file;
        this.problems = new PlanProblems(file.toString());
    }

    /**
     * Reads and checks a plan file. Throws {@link PlanException} (exit 2) listing every problem, sorted by position;
     * a missing file, an empty file and YAML syntax errors are problems too. Never touches anything else.
     */
    public static Plan load(Path file) {
        return new PlanLoader(file).load();
    }

    private Plan load() {
        String text = read();
        Node root = compose(text);
        if (root == null) {
            throw problems.toException();
        }
        if (!(root instanceof MappingNode map)) {
            problems.add(root, "", "a plan is a mapping with apiVersion, kind, metadata and spec, found " + PlanSchema.describe(root));
            throw problems.toException();
        }
        schema.check(root, problems, Map.of(
                "dnsLabel", KubernetesNames::dns1123LabelProblem,
                "duration", PlanLoader::durationProblem));
        document = map;
        Plan plan = build(map);
        if (!problems.isEmpty()) {
            throw problems.toException();
        }
        return plan;
    }

    private String read() {
        if (!Files.exists(file)) {
            throw single("no such file");
        }
        if (Files.isDirectory(file)) {
            throw single("is a directory, not a plan file");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw single("is not UTF-8 text; a plan is a YAML file");
        } catch (IOException e) {
            throw single("cannot be read: " + e.getMessage());
        }
    }

    private PlanException single(String message) {
        problems.add((Node) null, "", message);
        return problems.toException();
    }

    /** The document's node tree, or {@code null} after recording why there is none. */
    private Node compose(String text) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try {
            Node root = yaml.compose(new java.io.StringReader(text));
            if (root == null) {
                problems.add(new org.yaml.snakeyaml.error.Mark("", 0, 0, 0, new int[0], 0), "",
                        "the file is empty; a plan needs apiVersion: revroll.dev/v1alpha1, kind: RolloutPlan, metadata and spec (see plans/minimal.yaml)");
            }
            return root;
        } catch (MarkedYAMLException e) {
            String context = e.getContext();
            String what = context == null ? e.getProblem()
                    : context.startsWith("while") ? e.getProblem() + " (" + context + ")"
                    : context + ", " + e.getProblem();
            String message = "YAML syntax error: " + what + conditionHint(text, e);
            problems.add(e.getProblemMark(), "", message.replaceAll("\\(\\d+\\)", "").replaceAll("\\s+", " ").trim());
            return null;
        } catch (YAMLException e) {
            problems.add((Node) null, "", "YAML syntax error: " + e.getMessage());
            return null;
        }
    }

    /** {@code failWhen: > 0.01} unquoted reads as a YAML folded block; say so. */
    private static String conditionHint(String text, MarkedYAMLException e) {
        if (e.getProblemMark() == null) {
            return "";
        }
        String[] lines = text.split("\n", -1);
        int line = e.getProblemMark().getLine();
        if (line < lines.length && lines[line].matches("\\s*(-\\s+)?failWhen:\\s*[<>].*")) {
            return "; quote the condition, e.g. failWhen: \"> 0.01\"";
        }
        return "";
    }

    private static String durationProblem(String text) {
        try {
            DurationText.parse(text);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    // ---------------------------------------------------------------- building the records

    private Plan build(MappingNode root) {
        MappingNode metadata = map(root, "metadata");
        MappingNode spec = map(root, "spec");

        String controlPlaneNamespace = string(map(spec, "controlPlane"), "namespace", "spec", "controlPlane", "namespace");
        Plan.Spec s = new Plan.Spec(
                new Plan.Cluster(optionalString(map(spec, "cluster"), "context")),
                new Plan.ControlPlane(controlPlaneNamespace),
                revision(map(spec, "revision")),
                waves(spec, controlPlaneNamespace),
                restart(map(spec, "restart")),
                gates(spec),
                duration(spec, "bake", "spec.bake", false, "spec", "bake"),
                enumValue(OnFailure.class, spec, "onFailure", "spec", "onFailure"),
                prometheus(map(spec, "prometheus")),
                git(map(spec, "git")),
                window(map(spec, "window")));
        return new Plan(file, text(root, "apiVersion"), text(root, "kind"),
                new Plan.Metadata(text(metadata, "name")), s);
    }

    private Plan.Revision revision(MappingNode revision) {
        Optional<String> from = optionalString(revision, "from");
        String to = text(revision, "to");
        if (to != null && from.isPresent() && from.get().equals(to)) {
            problems.add(value(revision, "to"), "spec.revision.to", "is the same as spec.revision.from ('" + to + "'); nothing would move");
        }
        return new Plan.Revision(from, to);
    }

    private record Listed(int waveIndex, String wave, Node node) {
    }

    private List<Plan.Wave> waves(MappingNode spec, String controlPlaneNamespace) {
        List<Plan.Wave> waves = new ArrayList<>();
        Map<String, Node> waveNames = new HashMap<>();
        Map<String, Listed> listed = new HashMap<>();
        List<Node> items = items(spec, "waves");
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof MappingNode w)) {
                continue;
            }
            String path = "spec.waves[" + i + "]";
            String name = text(w, "name");
            if (name != null) {
                Node first = waveNames.putIfAbsent(name, value(w, "name"));
                if (first != null) {
                    problems.add(value(w, "name"), path + ".name",
                            "duplicate wave name '" + name + "' (first at line " + line(first) + ")");
                }
            }
            List<String> namespaces = new ArrayList<>();
            List<Node> nsNodes = items(w, "namespaces");
            for (int j = 0; j < nsNodes.size(); j++) {
                if (!(nsNodes.get(j) instanceof ScalarNode n) || PlanSchema.isNull(n)) {
                    continue;
                }
                String ns = n.getValue();
                String field = path + ".namespaces[" + j + "]";
                String protectedReason = ProtectedNamespaces.reason(ns, controlPlaneNamespace);
                if (protectedReason != null) {
                    problems.add(n, field, protectedReason);
                }
                Listed before = listed.putIfAbsent(ns, new Listed(i, name, n));
                if (before != null) {
                    boolean sameWave = before.waveIndex() == i;
                    problems.add(n, field, sameWave
                            ? "'" + ns + "' is listed twice in this wave (first at line " + line(before.node()) + ")"
                            : "'" + ns + "' is already in wave '" + before.wave() + "' (spec.waves[" + before.waveIndex() + "], line " + line(before.node()) + "); a namespace belongs to one wave");
                }
                namespaces.add(ns);
            }
            Optional<String> selector = optionalString(w, "selector");
            if (selector.isPresent()) {
                try {
                    NamespaceSelector.parse(selector.get());
                } catch (IllegalArgumentException e) {
                    problems.add(value(w, "selector"), path + ".selector", e.getMessage());
                }
            }
            Node nsField = value(w, "namespaces");
            boolean noNamespaces = PlanSchema.isNull(nsField) || (nsField instanceof SequenceNode seq && seq.getValue().isEmpty());
            boolean selectorGiven = !PlanSchema.isNull(value(w, "selector"));
            if (noNamespaces && !selectorGiven) {
                problems.add(w, path, "a wave needs namespaces or a selector (or both)");
            }
            List<String> exclude = new ArrayList<>();
            List<Node> excludeNodes = items(w, "exclude");
            for (int j = 0; j < excludeNodes.size(); j++) {
                if (excludeNodes.get(j) instanceof ScalarNode sn && !PlanSchema.isNull(sn)) {
                    if (namespaces.contains(sn.getValue())) {
                        problems.add(sn, path + ".exclude[" + j + "]", "'" + sn.getValue()
                                + "' is both listed in namespaces and excluded in this wave; remove one");
                    }
                    exclude.add(sn.getValue());
                }
            }
            int parallel = integer(w, "parallel", "spec", "waves", "[]", "parallel");
            waves.add(new Plan.Wave(name, List.copyOf(namespaces), selector, List.copyOf(exclude), parallel));
        }
        return List.copyOf(waves);
    }

    private Plan.Restart restart(MappingNode restart) {
        List<WorkloadKind> kinds = new ArrayList<>();
        Node kindsNode = restart == null ? null : value(restart, "kinds");
        if (kindsNode instanceof SequenceNode seq) {
            for (Node n : seq.getValue()) {
                if (n instanceof ScalarNode s) {
                    YamlEnum.fromYaml(WorkloadKind.class, s.getValue()).filter(k -> !kinds.contains(k)).ifPresent(kinds::add);
                }
            }
        } else {
            for (Object k : (List<?>) schema.defaultAt("spec", "restart", "kinds")) {
                kinds.add(YamlEnum.fromYaml(WorkloadKind.class, (String) k).orElseThrow());
            }
        }
        SurgePolicy surge = enumValue(SurgePolicy.class, restart, "surge", "spec", "restart", "surge");
        return new Plan.Restart(List.copyOf(kinds), surge, duration(restart, "timeout", "spec.restart.timeout", true, "spec", "restart", "timeout"));
    }

    private Plan.Gates gates(MappingNode spec) {
        MappingNode gates = map(spec, "gates");
        MappingNode proxySync = map(gates, "proxySync");
        Plan.ProxySyncGateSpec sync = new Plan.ProxySyncGateSpec(
                bool(proxySync, "enabled", "spec", "gates", "proxySync", "enabled"),
                duration(proxySync, "timeout", "spec.gates.proxySync.timeout", true, "spec", "gates", "proxySync", "timeout"));
        List<Plan.MetricGateSpec> metrics = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        List<Node> items = items(gates, "metrics");
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof MappingNode g) {
                metrics.add(metricGate(g, "spec.gates.metrics[" + i + "]", names));
            }
        }
        if (!metrics.isEmpty() && map(spec, "prometheus") == null) {
            Node metricsKey = keyOf(gates, "metrics");
            problems.add(metricsKey, "spec.prometheus", "required when there are metric gates (spec.gates.metrics); add prometheus: {url: http://...}");
        }
        return new Plan.Gates(sync, List.copyOf(metrics));
    }

    private Plan.MetricGateSpec metricGate(MappingNode g, String path, Map<String, Node> names) {
        String name = text(g, "name");
        if (name != null) {
            Node first = names.putIfAbsent(name, value(g, "name"));
            if (first != null) {
                problems.add(value(g, "name"), path + ".name", "duplicate gate name '" + name + "' (first at line " + line(first) + ")");
            }
        }
        String query = text(g, "query");
        checkQuery(g, "query", path);
        Optional<String> volumeQuery = optionalString(g, "volumeQuery");
        checkQuery(g, "volumeQuery", path);
        Optional<Plan.Baseline> baseline = Optional.empty();
        MappingNode b = map(g, "baseline");
        if (b != null) {
            checkQuery(b, "query", path + ".baseline");
            String bq = text(b, "query");
            Double ratio = number(b, "maxRatio");
            if (bq != null && ratio != null) {
                baseline = Optional.of(new Plan.Baseline(bq, ratio));
            }
        }
        Condition failWhen = null;
        Node fw = value(g, "failWhen");
        if (fw instanceof ScalarNode s && !PlanSchema.isNull(s)) {
            Matcher m = CONDITION.matcher(s.getValue());
            if (m.matches()) {
                failWhen = new Condition(operator(m.group(1)), Double.parseDouble(m.group(2)));
            } else {
                problems.add(s, path + ".failWhen", "'" + s.getValue() + "' is not a condition; write an operator (>, >=, <, <=, ==, !=) and a number, e.g. \"> 0.01\"");
            }
        }
        OnNoData onNoData = enumValue(OnNoData.class, g, "onNoData", "spec", "gates", "metrics", "[]", "onNoData");
        return new Plan.MetricGateSpec(name, query, failWhen,
                duration(g, "interval", path + ".interval", true, "spec", "gates", "metrics", "[]", "interval"),
                integer(g, "samples", "spec", "gates", "metrics", "[]", "samples"),
                integer(g, "failureLimit", "spec", "gates", "metrics", "[]", "failureLimit"),
                onNoData, Optional.ofNullable(number(g, "minRequests")), volumeQuery, baseline);
    }

    private void checkQuery(MappingNode owner, String key, String path) {
        Node n = value(owner, key);
        if (!(n instanceof ScalarNode s) || PlanSchema.isNull(s)) {
            return;
        }
        String field = path + "." + key;
        QueryTemplate t;
        try {
            t = QueryTemplate.of(s.getValue());
        } catch (IllegalArgumentException e) {
            problems.add(s, field, e.getMessage());
            return;
        }
        for (String unknown : t.unknownPlaceholders()) {
            String suggestion = DidYouMean.closest(unknown, QueryTemplate.KNOWN_PLACEHOLDERS).map(k -> ", did you mean {{" + k + "}}?").orElse(";");
            problems.add(s, field, "unknown placeholder {{" + unknown + "}}" + suggestion + " known: " + String.join(", ", QueryTemplate.KNOWN_PLACEHOLDERS));
        }
        for (String syntax : t.syntaxProblems()) {
            problems.add(s, field, "PromQL: " + syntax);
        }
    }

    private static Condition.Operator operator(String symbol) {
        for (Condition.Operator o : Condition.Operator.values()) {
            if (o.symbol().equals(symbol)) {
                return o;
            }
        }
        throw new IllegalStateException(symbol);
    }

    private Optional<Plan.PrometheusConfig> prometheus(MappingNode p) {
        if (p == null) {
            return Optional.empty();
        }
        String url = text(p, "url");
        if (url != null) {
            String problem = httpUrlProblem(url);
            if (problem != null) {
                problems.add(value(p, "url"), "spec.prometheus.url", problem);
            }
        }
        return Optional.of(new Plan.PrometheusConfig(url, duration(p, "timeout", "spec.prometheus.timeout", true, "spec", "prometheus", "timeout")));
    }

    private static String httpUrlProblem(String url) {
        try {
            URI u = new URI(url);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return null;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        return "'" + url + "' is not an http(s) URL; write e.g. http://prometheus.istio-system:9090";
    }

    private Optional<Plan.GitConfig> git(MappingNode g) {
        if (g == null) {
            return Optional.empty();
        }
        String repo = text(g, "repo");
        String path = text(g, "path");
        if (path != null) {
            Node n = value(g, "path");
            try {
                QueryTemplate t = QueryTemplate.of(path);
                for (String unknown : t.placeholders()) {
                    if (!GIT_PATH_PLACEHOLDERS.contains(unknown)) {
                        problems.add(n, "spec.git.path", "unknown placeholder {{" + unknown + "}}; known: namespace, plan (a namespace has one manifest, whatever the wave or revision)");
                    }
                }
            } catch (IllegalArgumentException e) {
                problems.add(n, "spec.git.path", e.getMessage());
            }
        }
        String resolvedRepo = null;
        if (repo != null) {
            Path dir = file.toAbsolutePath().getParent();
            resolvedRepo = dir.resolve(repo).normalize().toString();
        }
        MappingNode author = map(g, "author");
        return Optional.of(new Plan.GitConfig(resolvedRepo, path, bool(g, "push", "spec", "git", "push"),
                optionalString(author, "name"), optionalString(author, "email")));
    }

    private Optional<Plan.Window> window(MappingNode w) {
        if (w == null) {
            return Optional.empty();
        }
        String cron = text(w, "cron");
        Duration duration = duration(w, "duration", "spec.window.duration", true, (String[]) null);
        String zoneText = string(w, "timeZone", "spec", "window", "timeZone");
        ZoneId zone = null;
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            String suggestion = DidYouMean.closest(zoneText, ZoneId.getAvailableZoneIds()).map(z -> "did you mean '" + z + "'? ").orElse("");
            problems.add(value(w, "timeZone"), "spec.window.timeZone",
                    "'" + zoneText + "' is not a time zone; " + suggestion + "use an IANA name such as Europe/Oslo or UTC");
        }
        CronSchedule schedule = null;
        if (cron != null) {
            try {
                schedule = CronSchedule.parse(cron);
            } catch (IllegalArgumentException e) {
                problems.add(value(w, "cron"), "spec.window.cron", e.getMessage());
            }
        }
        if (schedule != null && !schedule.everMatches()) {
            problems.add(value(w, "cron"), "spec.window.cron", "'" + cron + "' never opens (no such date)");
        }
        if (cron == null || duration == null || zone == null) {
            return Optional.empty();
        }
        return Optional.of(new Plan.Window(cron, duration, zone));
    }

    // ---------------------------------------------------------------- lenient accessors (types were checked by the schema)

    private Node value(MappingNode parent, String key) {
        Node n = parent == null ? null : PlanSchema.valueOf(parent, key);
        if (n != null) {
            read.add(n);
        }
        return n;
    }

    /**
     * For tests: loads a valid plan and returns the paths of fields present in the file that the builder did not
     * read (none, unless a schema field is forgotten in the loader), and all field paths present (array items as []).
     */
    static FieldUse fieldUse(Path file) {
        PlanLoader loader = new PlanLoader(file);
        loader.load();
        FieldUse use = new FieldUse(new java.util.TreeSet<>(), new java.util.TreeSet<>());
        loader.collect(loader.document, "", use);
        return use;
    }

    record FieldUse(Set<String> present, Set<String> ignored) {
    }

    private void collect(Node node, String path, FieldUse use) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String field = (path.isEmpty() ? "" : path + ".") + ((ScalarNode) t.getKeyNode()).getValue();
                use.present().add(field);
                if (!read.contains(t.getValueNode())) {
                    use.ignored().add(field);
                }
                collect(t.getValueNode(), field, use);
            }
        } else if (node instanceof SequenceNode s) {
            s.getValue().forEach(item -> collect(item, path + "[]", use));
        }
    }

    private MappingNode map(MappingNode parent, String key) {
        return parent != null && value(parent, key) instanceof MappingNode m ? m : null;
    }

    private List<Node> items(MappingNode parent, String key) {
        return parent != null && value(parent, key) instanceof SequenceNode s ? s.getValue() : List.of();
    }

    private static Node keyOf(MappingNode parent, String key) {
        if (parent != null) {
            for (NodeTuple t : parent.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return t.getKeyNode();
                }
            }
        }
        return null;
    }

    private Optional<String> optionalString(MappingNode parent, String key) {
        Node n = parent == null ? null : value(parent, key);
        return n instanceof ScalarNode s && !PlanSchema.isNull(s) ? Optional.of(s.getValue()) : Optional.empty();
    }

    private String text(MappingNode parent, String key) {
        return optionalString(parent, key).orElse(null);
    }

    /** The field's text, else the schema default at {@code defaultPath} (none: {@code null}). */
    private String string(MappingNode parent, String key, String... defaultPath) {
        return optionalString(parent, key).orElseGet(() -> defaultPath == null ? null : (String) schema.defaultAt(defaultPath));
    }

    /** The constant the field spells, else the schema default's (an invalid spelling was reported by the schema check). */
    private <E extends Enum<E> & YamlEnum> E enumValue(Class<E> type, MappingNode parent, String key, String... defaultPath) {
        return optionalString(parent, key).flatMap(text -> YamlEnum.fromYaml(type, text))
                .orElseGet(() -> YamlEnum.fromYaml(type, (String) schema.defaultAt(defaultPath)).orElseThrow());
    }

    private int integer(MappingNode parent, String key, String... defaultPath) {
        Node n = parent == null ? null : value(parent, key);
        if (n instanceof ScalarNode s && !PlanSchema.isNull(s)) {
            try {
                return Integer.parseInt(s.getValue().replace("_", ""));
            } catch (NumberFormatException e) {
                // reported by the schema check
            }
        }
        return ((Number) schema.defaultAt(defaultPath)).intValue();
    }

    private Double number(MappingNode parent, String key) {
        Node n = parent == null ? null : value(parent, key);
        if (n instanceof ScalarNode s && !PlanSchema.isNull(s)) {
            try {
                return Double.parseDouble(s.getValue().replace("_", ""));
            } catch (NumberFormatException e) {
                return null; // reported by the schema check
            }
        }
        return null;
    }

    private boolean bool(MappingNode parent, String key, String... defaultPath) {
        Node n = parent == null ? null : value(parent, key);
        if (n instanceof ScalarNode s && s.getTag().equals(org.yaml.snakeyaml.nodes.Tag.BOOL)) {
            // YAML 1.1 booleans (snakeyaml's resolver): true, yes, on are true; false, no, off are false.
            return Set.of("true", "yes", "on").contains(s.getValue().toLowerCase(Locale.ROOT));
        }
        return (Boolean) schema.defaultAt(defaultPath);
    }

    /**
     * The field's duration, else the schema default; {@code null} when absent without a default. {@code positive}:
     * zero is reported (syntax errors were reported by the schema check).
     */
    private Duration duration(MappingNode parent, String key, String field, boolean positive, String... defaultPath) {
        Node n = parent == null ? null : value(parent, key);
        if (n instanceof ScalarNode s && !PlanSchema.isNull(s)) {
            try {
                Duration d = DurationText.parse(s.getValue());
                if (positive && d.isZero()) {
                    problems.add(s, field, "must be longer than 0s; write " + DurationText.VALID);
                }
                return d;
            } catch (IllegalArgumentException e) {
                // reported by the schema check
            }
        }
        return defaultPath == null ? null : DurationText.parse((String) schema.defaultAt(defaultPath));
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }
}
