package dev.revroll.plan;

import dev.revroll.errors.PlanException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a plan file into a {@link Plan}, or throws one {@link PlanException} listing every problem found, each with
 * file, line, column, field and what would be valid. Defaults come from the plan schema. Touches nothing but the file.
 * <p>
 * Three passes over the YAML nodes: the schema check (known fields, types, required fields, enum values, minimums),
 * the builder below (defaults, and checks of single values), then {@link PlanRules} (one field against another).
 */
public final class PlanLoader {

    /** Placeholders a {@code git.path} template may use. */
    public static final Set<String> GIT_PATH_PLACEHOLDERS = Set.of("namespace", "plan");

    private static final Pattern CONDITION = Pattern.compile(
            "\\s*(>=|<=|==|!=|>|<)\\s*([-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\\s*");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    private final Path file;
    private final PlanProblems problems;
    private final PlanSchema schema = PlanSchema.get();

    /** Every value node the builder read; a field the schema accepts but the builder never reads would be lost silently. */
    private final Set<Node> read = Collections.newSetFromMap(new IdentityHashMap<>());
    private MappingNode document;
    /** The file's text, for positions inside multi-line values. */
    private String source;

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
        source = text;
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
        Plan plan = build(PlanCursor.root(map, schema, read::add));
        PlanRules.check(PlanCursor.root(map, schema), problems);
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
            long size = Files.size(file);
            if (size > PlanLimits.MAX_FILE_BYTES) {
                throw single("is " + size + " bytes; a plan file may have at most " + PlanLimits.MAX_FILE_BYTES
                        + " bytes (4 MiB; a plan of 20000 listed namespaces is about 330 KB) — is this the plan file?");
            }
            byte[] bytes;
            try (java.io.InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(PlanLimits.MAX_FILE_BYTES + 1); // the file may grow after the size check
            }
            if (bytes.length > PlanLimits.MAX_FILE_BYTES) {
                throw single("has more than " + PlanLimits.MAX_FILE_BYTES + " bytes (4 MiB), the most a plan file may have");
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
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
        Yaml yaml = new Yaml(new SafeConstructor(PlanLimits.loaderOptions()));
        try {
            if (!PlanLimits.checkEvents(yaml.parse(new StringReader(text)), problems)) {
                return null;
            }
            Node root = yaml.compose(new StringReader(text));
            if (root != null && !PlanLimits.checkExpandedSize(root, problems)) {
                return null;
            }
            if (root == null) {
                problems.add(new Mark("", 0, 0, 0, new int[0], 0), "",
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
    // Defaults are applied and single-field values checked here (selectors, PromQL templates, conditions, URLs, time
    // zones, zero durations); rules relating one field to another are checked afterwards by PlanRules.

    private Plan build(PlanCursor root) {
        PlanCursor spec = root.field("spec");
        PlanCursor revision = spec.field("revision");
        Plan.Spec s = new Plan.Spec(
                new Plan.Cluster(spec.field("cluster").field("context").optionalString()),
                new Plan.ControlPlane(spec.field("controlPlane").field("namespace").string()),
                new Plan.Revision(revision.field("from").optionalString(), revision.field("to").string()),
                waves(spec.field("waves")),
                restart(spec.field("restart")),
                gates(spec.field("gates")),
                spec.field("bake").duration(),
                spec.field("onFailure").enumValue(OnFailure.class),
                prometheus(spec.field("prometheus")),
                git(spec.field("git")),
                window(spec.field("window")));
        return new Plan(file, root.field("apiVersion").string(), root.field("kind").string(),
                new Plan.Metadata(root.field("metadata").field("name").string()), s);
    }

    private List<Plan.Wave> waves(PlanCursor waves) {
        List<Plan.Wave> out = new ArrayList<>();
        for (PlanCursor w : waves.items()) {
            if (w.isMapping()) {
                PlanCursor selector = w.field("selector");
                parsed(selector, NamespaceSelector::parse);
                out.add(new Plan.Wave(w.field("name").string(), strings(w.field("namespaces")), selector.optionalString(),
                        strings(w.field("exclude")), w.field("parallel").integer()));
            }
        }
        return List.copyOf(out);
    }

    /** The texts of the list's entries that have one. */
    private static List<String> strings(PlanCursor list) {
        return list.items().stream().map(PlanCursor::optionalString).flatMap(Optional::stream).toList();
    }

    private Plan.Restart restart(PlanCursor restart) {
        // the schema check reported a value that is no whole number in range; absent: no cap
        java.util.OptionalInt cap = restart.field("maxConcurrentRestarts").optionalString()
                .map(text -> YamlNumbers.read(text, true)).filter(YamlNumbers.Read::ok)
                .map(r -> java.util.OptionalInt.of(r.value().intValue())).orElse(java.util.OptionalInt.empty());
        return new Plan.Restart(kinds(restart.field("kinds")), restart.field("surge").enumValue(SurgePolicy.class),
                nonZero(restart.field("timeout")).duration(), cap, restart.field("requireMakeBeforeBreak").bool());
    }

    /** The kinds listed, each once, in order; the schema default when the field is not a list. */
    private static List<WorkloadKind> kinds(PlanCursor kinds) {
        Stream<Optional<WorkloadKind>> listed = kinds.isSequence()
                ? kinds.items().stream().map(k -> k.optionalEnum(WorkloadKind.class))
                : ((List<?>) kinds.schemaDefault().orElseThrow()).stream().map(k -> YamlEnum.fromYaml(WorkloadKind.class, (String) k));
        return listed.flatMap(Optional::stream).distinct().toList();
    }

    private Plan.Gates gates(PlanCursor gates) {
        PlanCursor proxySync = gates.field("proxySync");
        Plan.ProxySyncGateSpec sync = new Plan.ProxySyncGateSpec(proxySync.field("enabled").bool(),
                nonZero(proxySync.field("timeout")).duration());
        List<Plan.MetricGateSpec> metrics = gates.field("metrics").items().stream()
                .filter(PlanCursor::isMapping).map(this::metricGate).toList();
        return new Plan.Gates(sync, metrics, gates.field("none").optionalString());
    }

    private Plan.MetricGateSpec metricGate(PlanCursor g) {
        PlanCursor query = g.field("query");
        checkQuery(query);
        PlanCursor volumeQuery = g.field("volumeQuery");
        checkQuery(volumeQuery);
        Optional<Plan.Baseline> baseline = Optional.empty();
        PlanCursor b = g.field("baseline");
        if (b.isMapping()) {
            PlanCursor baselineQuery = b.field("query");
            checkQuery(baselineQuery);
            Optional<Double> ratio = b.field("maxRatio").optionalNumber();
            if (baselineQuery.string() != null && ratio.isPresent()) {
                baseline = Optional.of(new Plan.Baseline(baselineQuery.string(), ratio.get()));
            }
        }
        return new Plan.MetricGateSpec(g.field("name").string(), query.string(), condition(g.field("failWhen")),
                nonZero(g.field("interval")).duration(), g.field("samples").integer(), g.field("failureLimit").integer(),
                g.field("onNoData").enumValue(OnNoData.class), g.field("minRequests").optionalNumber(),
                volumeQuery.optionalString(), baseline, g.field("series").enumValue(SeriesRule.class));
    }

    /** A query's problems, each at the line and column of the offending text (inside a multi-line query too). */
    private void checkQuery(PlanCursor query) {
        Optional<String> text = query.optionalString();
        if (text.isEmpty()) {
            return;
        }
        QueryTemplate t;
        try {
            t = QueryTemplate.of(text.get());
        } catch (QueryTemplate.MalformedPlaceholderException e) {
            problems.add(at(query, e.offset()), query.path(), e.getMessage());
            return;
        }
        for (String unknown : t.unknownPlaceholders()) {
            String suggestion = DidYouMean.closest(unknown, QueryTemplate.KNOWN_PLACEHOLDERS).map(k -> ", did you mean {{" + k + "}}?").orElse(";");
            problems.add(at(query, t.offsetOf(unknown)), query.path(),
                    "unknown placeholder {{" + unknown + "}}" + suggestion + " known: " + String.join(", ", QueryTemplate.KNOWN_PLACEHOLDERS));
        }
        for (QueryTemplate.Problem syntax : t.syntaxProblemsAt()) {
            problems.add(at(query, syntax.offset()), query.path(), "PromQL: " + syntax.message());
        }
    }

    /** Where character {@code offset} of the field's value is in the file. */
    private Mark at(PlanCursor field, int offset) {
        return field.node() instanceof ScalarNode s && (s.getStartMark().getLine() != s.getEndMark().getLine()
                || s.getScalarStyle() == org.yaml.snakeyaml.DumperOptions.ScalarStyle.LITERAL
                || s.getScalarStyle() == org.yaml.snakeyaml.DumperOptions.ScalarStyle.FOLDED)
                ? ScalarPositions.mark(s, source, offset) : field.node().getStartMark();
    }

    /** {@code null} when absent or not a condition (then reported). */
    private Condition condition(PlanCursor failWhen) {
        Optional<String> text = failWhen.optionalString();
        if (text.isEmpty()) {
            return null;
        }
        Matcher m = CONDITION.matcher(text.get());
        if (!m.matches()) {
            problems.add(failWhen, "'" + text.get() + "' is not a condition; write an operator (>, >=, <, <=, ==, !=) and a number, e.g. \"> 0.01\"");
            return null;
        }
        double threshold = Double.parseDouble(m.group(2));
        if (!Double.isFinite(threshold)) {
            problems.add(failWhen, "the threshold " + m.group(2) + " is out of range for a number");
            return null;
        }
        return new Condition(operator(m.group(1)), threshold);
    }

    private static Condition.Operator operator(String symbol) {
        for (Condition.Operator o : Condition.Operator.values()) {
            if (o.symbol().equals(symbol)) {
                return o;
            }
        }
        throw new IllegalStateException(symbol);
    }

    private Optional<Plan.PrometheusConfig> prometheus(PlanCursor p) {
        if (!p.isMapping()) {
            return Optional.empty();
        }
        PlanCursor url = p.field("url");
        url.optionalString().map(PlanLoader::httpUrlProblem).ifPresent(problem -> problems.add(url, problem));
        PlanCursor tls = p.field("tls");
        Optional<Plan.PrometheusTls> tlsConfig = tls.isMapping() ? Optional.of(new Plan.PrometheusTls(planPath(tls.field("caFile")),
                planPath(tls.field("certFile")), planPath(tls.field("keyFile")), tls.field("serverName").optionalString(),
                tls.field("insecureSkipVerify").bool())) : Optional.empty();
        PlanCursor basic = p.field("basicAuth");
        Optional<Plan.BasicAuth> basicAuth = Optional.empty();
        if (basic.isMapping()) {
            PlanCursor user = basic.field("username");
            user.optionalString().filter(u -> u.contains(":")).ifPresent(u -> problems.add(user, "a basic auth user name cannot hold ':'"));
            PlanCursor env = basic.field("passwordEnv");
            env.optionalString().filter(name -> !ENV_NAME.matcher(name).matches()).ifPresent(name -> problems.add(env,
                    "'" + name + "' is not an environment variable name; write the variable's name (letters, digits, _), not its value"));
            basicAuth = Optional.of(new Plan.BasicAuth(user.string(), planPath(basic.field("passwordFile")),
                    env.optionalString()));
        }
        return Optional.of(new Plan.PrometheusConfig(url.string(), nonZero(p.field("timeout")).duration(), tlsConfig,
                headers(p.field("headers")), planPath(p.field("bearerTokenFile")), basicAuth));
    }

    /**
     * Headers sent with every query. A name must be an HTTP token, a value one line; {@code Authorization} is refused
     * (its value would be a secret in the plan: bearerTokenFile and basicAuth read it from elsewhere), and so is a
     * name given twice in another case (HTTP names are case-insensitive).
     */
    private Map<String, String> headers(PlanCursor headers) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        Map<String, String> seen = new java.util.HashMap<>();
        for (String name : headers.names()) {
            PlanCursor value = headers.field(name);
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches()) {
                problems.add(value.key(), value.path(), "'" + name + "' is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)");
            } else if (lower.equals("authorization") || lower.equals("proxy-authorization")) {
                problems.add(value.key(), value.path(), "a credential never stands in the plan; use bearerTokenFile (a file holding the token, "
                        + "re-read when it changes) or basicAuth with passwordFile or passwordEnv, not an " + name + " header");
            } else if (seen.putIfAbsent(lower, name) != null) {
                problems.add(value.key(), value.path(), "the same header as " + seen.get(lower) + " (header names ignore case); give it once");
            } else if (value.optionalString().filter(v -> v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)).isPresent()) {
                problems.add(value, "a header value must be one line without control characters");
            } else {
                value.optionalString().ifPresent(v -> out.put(name, v.strip()));
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A path the plan gives, relative to the plan file's directory (as git.repo is); empty when not given. */
    private Optional<Path> planPath(PlanCursor field) {
        return field.optionalString().map(text -> file.toAbsolutePath().getParent().resolve(text).normalize());
    }

    /** {@code null} when the URL is an http(s) URL with a host. */
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

    private Optional<Plan.GitConfig> git(PlanCursor g) {
        if (!g.isMapping()) {
            return Optional.empty();
        }
        PlanCursor path = g.field("path");
        parsed(path, QueryTemplate::of).ifPresent(t -> {
            for (String unknown : t.placeholders()) {
                if (!GIT_PATH_PLACEHOLDERS.contains(unknown)) {
                    problems.add(path, "unknown placeholder {{" + unknown + "}}; known: namespace, plan (a namespace has one manifest, whatever the wave or revision)");
                }
            }
        });
        String resolvedRepo = planPath(g.field("repo")).map(Path::toString).orElse(null);
        PlanCursor author = g.field("author");
        return Optional.of(new Plan.GitConfig(resolvedRepo, path.string(), g.field("push").bool(),
                author.field("name").optionalString(), author.field("email").optionalString()));
    }

    private Optional<Plan.Window> window(PlanCursor w) {
        if (!w.isMapping()) {
            return Optional.empty();
        }
        PlanCursor cron = w.field("cron");
        PlanCursor durationField = nonZero(w.field("duration"));
        Duration duration = durationField.duration();
        ZoneId zone = zone(w.field("timeZone"));
        parsed(cron, CronSchedule::parse); // whether it ever opens is a rule (PlanRules)
        List<Plan.Freeze> freezes = freezes(w.field("freeze"), zone == null ? ZoneId.of("UTC") : zone);
        boolean hasCron = !cron.isNull();
        boolean hasDuration = !durationField.isNull();
        if (hasCron != hasDuration) {
            PlanCursor missing = hasCron ? durationField : cron;
            problems.add(w.key() == null ? w.node() : w.key(), missing.path(), "required with " + (hasCron ? "cron" : "duration")
                    + ": the window opens at each time its cron names and stays open for its duration (e.g. cron: \"0 22 * * 1-4\", duration: 4h); "
                    + "for a window that is always open but for its freezes, give neither");
            return Optional.empty();
        }
        if (!hasCron && w.field("freeze").items().isEmpty()) {
            problems.add(w.key() == null ? w.node() : w.key(), w.path(),
                    "says neither when it opens (cron and duration) nor when nothing may start (freeze); give either, or both");
            return Optional.empty();
        }
        if ((hasCron && (cron.string() == null || duration == null)) || zone == null) {
            return Optional.empty();
        }
        if (!hasCron) {
            return Optional.of(new Plan.Window(Optional.empty(), zone, freezes, Optional.empty()));
        }
        Node at = durationField.node();
        Optional<Plan.SourcePosition> position = at == null ? Optional.empty() : Optional.of(new Plan.SourcePosition(file.toString(),
                at.getStartMark().getLine() + 1, at.getStartMark().getColumn() + 1, durationField.path()));
        return Optional.of(new Plan.Window(cron.string(), duration, zone, freezes, position));
    }

    private static final Pattern DATES = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})(?:\\s*\\.\\.\\s*(\\d{4}-\\d{2}-\\d{2}))?");
    private static final String FREEZE_FORMS = "a freeze is one of: dates: 2026-12-20..2027-01-04 (whole days in the window's time zone), "
            + "from: and to: (times such as 2026-12-20T18:00:00+01:00), or cron: and duration: (e.g. cron: \"0 0 * * 5\", duration: 24h)";

    /** The window's freeze periods (docs/maintenance-windows.md); each entry is one of three forms. */
    private List<Plan.Freeze> freezes(PlanCursor list, ZoneId zone) {
        List<Plan.Freeze> out = new ArrayList<>();
        for (PlanCursor f : list.items()) {
            if (!f.isMapping()) {
                continue;
            }
            Optional<String> reason = f.field("reason").optionalString();
            boolean dates = !f.field("dates").isNull();
            boolean period = !f.field("from").isNull() || !f.field("to").isNull();
            boolean recurring = !f.field("cron").isNull() || !f.field("duration").isNull();
            int forms = (dates ? 1 : 0) + (period ? 1 : 0) + (recurring ? 1 : 0);
            if (forms != 1) {
                problems.add(f, (forms == 0 ? "says no period; " : "mixes forms; ") + FREEZE_FORMS);
                continue;
            }
            if (dates) {
                freezeDates(f.field("dates"), reason).ifPresent(out::add);
            } else if (period) {
                PlanCursor from = f.field("from");
                PlanCursor to = f.field("to");
                if (from.isNull() || to.isNull()) {
                    problems.add(f, "a freeze with " + (from.isNull() ? "to" : "from") + " needs " + (from.isNull() ? "from" : "to") + " too");
                    continue;
                }
                Optional<ZonedDateTime> a = time(from, zone);
                Optional<ZonedDateTime> b = time(to, zone);
                if (a.isPresent() && b.isPresent()) {
                    if (!b.get().toInstant().isAfter(a.get().toInstant())) {
                        problems.add(to, "must be after from (" + from.string() + ")");
                    } else {
                        out.add(new Plan.Freeze.Period(a.get(), b.get(), reason));
                    }
                }
            } else {
                PlanCursor cron = f.field("cron");
                PlanCursor duration = nonZero(f.field("duration"));
                if (cron.isNull() || duration.isNull()) {
                    problems.add(f, "a freeze with " + (cron.isNull() ? "duration" : "cron") + " needs " + (cron.isNull() ? "cron" : "duration")
                            + " too (each time the cron names, for that long)");
                    continue;
                }
                Optional<CronSchedule> schedule = parsed(cron, CronSchedule::parse);
                Duration d = duration.optionalDuration().orElse(null);
                if (schedule.isPresent() && !schedule.get().everMatches()) {
                    problems.add(cron, "'" + cron.string() + "' never happens (no such date)");
                } else if (schedule.isPresent() && d != null && !d.isZero()) {
                    out.add(new Plan.Freeze.Recurring(cron.string(), d, reason));
                }
            }
        }
        return List.copyOf(out);
    }

    private Optional<Plan.Freeze> freezeDates(PlanCursor dates, Optional<String> reason) {
        String text = dates.optionalString().orElse("");
        Matcher m = DATES.matcher(text.trim());
        try {
            if (m.matches()) {
                java.time.LocalDate from = java.time.LocalDate.parse(m.group(1));
                java.time.LocalDate to = m.group(2) == null ? from : java.time.LocalDate.parse(m.group(2));
                if (to.isBefore(from)) {
                    problems.add(dates, "'" + text + "' ends before it begins; write the earlier date first, e.g. 2026-12-20..2027-01-04");
                    return Optional.empty();
                }
                return Optional.of(new Plan.Freeze.Dates(from, to, reason));
            }
        } catch (DateTimeException e) {
            problems.add(dates, "'" + text + "' is not a date: " + e.getMessage());
            return Optional.empty();
        }
        problems.add(dates, "'" + text + "' is not a date or a range of dates; write 2026-12-24 or 2026-12-20..2027-01-04 (both days included)");
        return Optional.empty();
    }

    /** An ISO-8601 time with offset or zone ({@code 2026-12-20T18:00:00+01:00}, {@code 2026-12-20T18:00[Europe/Oslo]}); without one, in {@code zone}. */
    private Optional<ZonedDateTime> time(PlanCursor field, ZoneId zone) {
        String text = field.optionalString().orElse("").trim();
        try {
            String main = text;
            ZoneId named = null;
            int bracket = text.indexOf('[');
            if (bracket > 0 && text.endsWith("]")) {
                named = ZoneId.of(text.substring(bracket + 1, text.length() - 1));
                main = text.substring(0, bracket);
            }
            java.time.temporal.TemporalAccessor t = java.time.format.DateTimeFormatter.ISO_DATE_TIME.parse(main);
            java.time.LocalDateTime local = java.time.LocalDateTime.from(t);
            java.time.ZoneOffset offset = t.isSupported(java.time.temporal.ChronoField.OFFSET_SECONDS) ? java.time.ZoneOffset.from(t) : null;
            if (named != null) {
                return Optional.of(offset == null ? ZonedDateTime.of(local, named) : ZonedDateTime.ofLocal(local, named, offset));
            }
            return Optional.of(ZonedDateTime.of(local, offset != null ? offset : zone));
        } catch (DateTimeException e) {
            problems.add(field, "'" + text + "' is not a time; write an ISO-8601 date and time with an offset or a zone, "
                    + "e.g. 2026-12-20T18:00:00+01:00 or 2026-12-20T18:00[Europe/Oslo] (without one it is read in the window's time zone)");
            return Optional.empty();
        }
    }

    /** {@code null} when the text names no time zone (then reported, with the closest name). */
    private ZoneId zone(PlanCursor timeZone) {
        String text = timeZone.string();
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            String suggestion = DidYouMean.closest(text, ZoneId.getAvailableZoneIds()).map(z -> "did you mean '" + z + "'? ").orElse("");
            problems.add(timeZone, "'" + text + "' is not a time zone; " + suggestion + "use an IANA name such as Europe/Oslo or UTC");
            return null;
        }
    }

    /** The field's text parsed; when the parser throws {@link IllegalArgumentException}, its message is reported. */
    private <T> Optional<T> parsed(PlanCursor field, Function<String, T> parser) {
        Optional<String> text = field.optionalString();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text.get()));
        } catch (IllegalArgumentException e) {
            problems.add(field, e.getMessage());
            return Optional.empty();
        }
    }

    /** Reports a zero duration the file gives where only a longer one makes sense (timeouts, intervals, the window). */
    private PlanCursor nonZero(PlanCursor duration) {
        if (duration.optionalDuration().filter(Duration::isZero).isPresent()) {
            problems.add(duration, "must be longer than 0s; write " + DurationText.VALID);
        }
        return duration;
    }

    // ---------------------------------------------------------------- the safety check: no schema field is forgotten

    /**
     * For tests: loads a valid plan and returns the paths of fields present in the file that the builder did not
     * read (none, unless a schema field is forgotten in the loader), and all field paths present (array items as []).
     */
    static FieldUse fieldUse(Path file) {
        PlanLoader loader = new PlanLoader(file);
        loader.load();
        FieldUse use = new FieldUse(new TreeSet<>(), new TreeSet<>());
        loader.collect(loader.document, "", use);
        return use;
    }

    record FieldUse(Set<String> present, Set<String> ignored) {
    }

    private void collect(Node node, String path, FieldUse use) {
        if (node instanceof MappingNode m) {
            boolean values = !path.isEmpty() && schema.isMapOfValues(path.replace("[]", ".[]").split("\\."));
            for (NodeTuple t : m.getValue()) {
                String field = (path.isEmpty() ? "" : path + ".") + ((ScalarNode) t.getKeyNode()).getValue();
                if (values) { // its keys are names the plan chooses, not fields of the schema
                    if (!read.contains(t.getValueNode())) {
                        use.ignored().add(field);
                    }
                    continue;
                }
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
}
