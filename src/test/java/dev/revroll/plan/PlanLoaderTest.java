package dev.revroll.plan;

import dev.revroll.errors.PlanException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanLoaderTest {

    @TempDir
    Path dir;

    private static final String HEAD = PlanFiles.HEAD;

    private Path write(String name, String yaml) throws IOException {
        return PlanFiles.write(dir, name, yaml);
    }

    /** The lines a user sees, with the file name as {@code F}. */
    private List<String> problems(String yaml) throws IOException {
        return PlanFiles.problems(dir, yaml);
    }

    @Test
    void minimalPlanGetsEveryDefault() throws IOException {
        Plan plan = PlanLoader.load(write("plan.yaml", HEAD + """
                  waves:
                    - name: all
                      namespaces: [demo]
                """));
        Plan.Spec s = plan.spec();
        assertEquals("p", plan.name());
        assertEquals("revroll.dev/v1alpha1", plan.apiVersion());
        assertEquals("RolloutPlan", plan.kind());
        assertEquals(Optional.empty(), s.cluster().context());
        assertEquals("istio-system", s.controlPlane().namespace());
        assertEquals(new Plan.Revision(Optional.empty(), "1-28-0"), s.revision());
        assertEquals(List.of(new Plan.Wave("all", List.of("demo"), Optional.empty(), List.of(), 1)), s.waves());
        assertEquals(new Plan.Restart(List.of(WorkloadKind.Deployment, WorkloadKind.StatefulSet, WorkloadKind.DaemonSet),
                SurgePolicy.ENFORCE, Duration.ofMinutes(10)), s.restart());
        assertEquals(new Plan.Gates(new Plan.ProxySyncGateSpec(true, Duration.ofMinutes(2)), List.of()), s.gates());
        assertEquals(Duration.ZERO, s.bake());
        assertEquals(OnFailure.ROLLBACK_STEP, s.onFailure());
        assertEquals(Optional.empty(), s.prometheus());
        assertEquals(Optional.empty(), s.git());
        assertEquals(Optional.empty(), s.window());
    }

    @Test
    void gateGitPrometheusAndWindowDefaults() throws IOException {
        Plan plan = PlanLoader.load(write("plan.yaml", HEAD + """
                  waves:
                    - name: all
                      selector: team=shop
                  gates:
                    metrics:
                      - name: errors
                        query: sum(rate(istio_requests_total{destination_workload_namespace="{{ namespace }}"}[1m]))
                        failWhen: ">= 5e-2"
                  prometheus:
                    url: http://127.0.0.1:9090
                  git:
                    repo: ../gitops
                    path: ns/{{namespace}}.yaml
                  window:
                    cron: "0 22 * * 1-4"
                    duration: 4h
                """));
        Plan.MetricGateSpec g = plan.spec().gates().metrics().get(0);
        assertEquals(new Condition(Condition.Operator.GE, 0.05), g.failWhen());
        assertEquals(Duration.ofSeconds(30), g.interval());
        assertEquals(3, g.samples());
        assertEquals(0, g.failureLimit());
        assertEquals(OnNoData.FAIL, g.onNoData());
        assertEquals(Optional.empty(), g.minRequests());
        assertEquals(new Plan.PrometheusConfig("http://127.0.0.1:9090", Duration.ofSeconds(10)), plan.spec().prometheus().orElseThrow());
        Plan.GitConfig git = plan.spec().git().orElseThrow();
        assertEquals(dir.toAbsolutePath().getParent().resolve("gitops").toString(), git.repo());
        assertTrue(git.push());
        assertEquals(new Plan.Window("0 22 * * 1-4", Duration.ofHours(4), ZoneId.of("UTC")), plan.spec().window().orElseThrow());
    }

    @Test
    void readsEveryFieldOfTheDesignExample() {
        Plan plan = PlanLoader.load(Path.of("plans/mesh-1-24.yaml"));
        Plan.Spec s = plan.spec();
        assertEquals(Optional.of("prod-eu-1"), s.cluster().context());
        assertEquals(new Plan.Revision(Optional.of("1-23-4"), "1-24-1"), s.revision());
        assertEquals(new Plan.Wave("shop", List.of(), Optional.of("team=shop"), List.of("shop-legacy"), 2), s.waves().get(1));
        Plan.MetricGateSpec g = s.gates().metrics().get(0);
        assertEquals("error-rate", g.name());
        assertEquals(new Condition(Condition.Operator.GT, 0.01), g.failWhen());
        assertEquals(4, g.samples());
        assertEquals(1, g.failureLimit());
        assertTrue(g.query().startsWith("(sum(rate(istio_requests_total{reporter=\"destination\""), g.query());
        assertEquals(Duration.ofMinutes(2), s.bake());
        assertEquals(Path.of("plans/mesh-1-24.yaml").toAbsolutePath().getParent().getParent().resolve("gitops").toString(),
                s.git().orElseThrow().repo());
        assertEquals(new Plan.Window("0 22 * * 1-4", Duration.ofHours(4), ZoneId.of("Europe/Oslo")), s.window().orElseThrow());
    }

    @Test
    void selectorWavesExampleReadsBaselineVolumeAndAuthor() {
        Plan plan = PlanLoader.load(Path.of("plans/selector-waves.yaml"));
        Plan.MetricGateSpec g = plan.spec().gates().metrics().get(0);
        assertEquals(Optional.of(50.0), g.minRequests());
        assertTrue(g.volumeQuery().orElseThrow().startsWith("sum(increase("));
        assertEquals(1.5, g.baseline().orElseThrow().maxRatio());
        assertEquals(OnNoData.PASS, plan.spec().gates().metrics().get(1).onNoData());
        Plan.GitConfig git = plan.spec().git().orElseThrow();
        assertEquals(Optional.of("revroll"), git.authorName());
        assertEquals(Optional.of("revroll@example.org"), git.authorEmail());
        assertEquals(false, git.push());
        assertEquals(List.of(WorkloadKind.Deployment, WorkloadKind.StatefulSet), plan.spec().restart().kinds());
        assertEquals(OnFailure.ROLLBACK_WAVE, plan.spec().onFailure());
    }

    @Test
    void unknownFieldSuggestsTheClosestName() throws IOException {
        assertEquals(List.of(
                "F:5:1: spec.waves: required field is missing",
                "F:8:3: spec.wavez: unknown field, did you mean 'waves'?"),
                problems(HEAD + "  wavez:\n    - name: a\n      namespaces: [x]\n"));
    }

    @Test
    void unknownFieldWithoutNearNameListsTheValidOnes() throws IOException {
        assertEquals(List.of("F:5:3: metadata.owner: unknown field; valid fields: name"),
                problems(HEAD.replace("  name: p\n", "  name: p\n  owner: me\n") + "  waves: [{name: a, namespaces: [x]}]\n"));
    }

    @Test
    void wrongTypesSayWhatWasFound() throws IOException {
        assertEquals(List.of(
                "F:10:19: spec.waves[0].namespaces: must be a list, found 'shop'",
                "F:11:17: spec.waves[0].parallel: must be a whole number, found 'two'",
                "F:14:16: spec.gates.proxySync: must be a mapping of fields, found 'yes please'"),
                problems(HEAD + """
                          waves:
                            - name: a
                              namespaces: shop
                              parallel: two
                          gates:
                            metrics: []
                            proxySync: yes please
                        """));
    }

    @Test
    void badDurationsSayWhatIsValid() throws IOException {
        assertEquals(List.of(
                "F:10:14: spec.restart.timeout: '10' is not a duration (a unit is required: 10s?); write numbers with units ms, s, m, h, such as 500ms, 30s, 2m, 1h30m",
                "F:11:9: spec.bake: '2 minutes' is not a duration; write numbers with units ms, s, m, h, such as 500ms, 30s, 2m, 1h30m",
                "F:14:16: spec.gates.proxySync.timeout: must be longer than 0s; write numbers with units ms, s, m, h, such as 500ms, 30s, 2m, 1h30m"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          restart:
                            timeout: 10
                          bake: 2 minutes
                          gates:
                            proxySync:
                              timeout: 0s
                        """));
    }

    @Test
    void durationsOfEveryUnitParse() throws IOException {
        Plan plan = PlanLoader.load(write("plan.yaml", HEAD + """
                  waves: [{name: a, namespaces: [x]}]
                  restart: {timeout: 1h30m}
                  bake: 500ms
                  gates: {proxySync: {timeout: 90s, enabled: false}, none: "durations only"}
                """));
        assertEquals(Duration.ofMinutes(90), plan.spec().restart().timeout());
        assertEquals(Duration.ofMillis(500), plan.spec().bake());
        assertEquals(new Plan.ProxySyncGateSpec(false, Duration.ofSeconds(90)), plan.spec().gates().proxySync());
    }

    @Test
    void badSelectorsSayWhatIsWrong() throws IOException {
        assertEquals(List.of(
                "F:10:17: spec.waves[0].selector: invalid label selector 'team in shop': 'in' needs a list in parentheses, e.g. team in (a,b)",
                "F:12:17: spec.waves[1].selector: invalid label selector 'team=shop,,x': expected a label key at character 11, found ',x'",
                "F:14:17: spec.waves[2].selector: invalid label selector 'team~shop': expected =, ==, !=, in or notin after 'team' at character 5, found '~shop'",
                "F:16:17: spec.waves[3].selector: invalid label selector 'tier notin (a,b': the list after 'tier notin' is not closed with ')'"),
                problems(HEAD + """
                          waves:
                            - name: a
                              selector: team in shop
                            - name: b
                              selector: team=shop,,x
                            - name: c
                              selector: team~shop
                            - name: d
                              selector: tier notin (a,b
                        """));
    }

    @Test
    void promqlTemplatesAreChecked() throws IOException {
        assertEquals(List.of(
                "F:13:16: spec.gates.metrics[0].query: unknown placeholder {{namespce}}, did you mean {{namespace}}? known: namespace, revision, fromRevision, workload, wave, plan, interval",
                "F:13:16: spec.gates.metrics[0].query: PromQL: '(' at character 4 is never closed",
                "F:16:16: spec.gates.metrics[1].query: PromQL: unterminated string starting with \" at character 5",
                "F:18:22: spec.gates.metrics[1].volumeQuery: unknown placeholder {{team}}; known: namespace, revision, fromRevision, workload, wave, plan, interval",
                "F:21:18: spec.gates.metrics[1].baseline.query: malformed placeholder '{{ name space }}' at character 2; write {{ name }} with one of: namespace, revision, fromRevision, workload, wave, plan, interval"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          prometheus: {url: http://p:9090}
                          gates:
                            metrics:
                              - name: e
                                query: sum(rate(x{ns="{{namespce}}"}[1m])
                                failWhen: "> 0.01"
                              - name: f
                                query: 'x{a="b}'
                                failWhen: "< 0.99"
                                volumeQuery: x{t="{{team}}"}
                                baseline:
                                  maxRatio: 2
                                  query: a{{ name space }}
                        """));
    }

    @Test
    void failWhenSyntax() throws IOException {
        assertEquals(List.of(
                "F:14:19: spec.gates.metrics[0].failWhen: '=> 0.01' is not a condition; write an operator (>, >=, <, <=, ==, !=) and a number, e.g. \"> 0.01\"",
                "F:17:19: spec.gates.metrics[1].failWhen: '> lots' is not a condition; write an operator (>, >=, <, <=, ==, !=) and a number, e.g. \"> 0.01\""),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          prometheus: {url: http://p:9090}
                          gates:
                            metrics:
                              - name: e
                                query: up
                                failWhen: "=> 0.01"
                              - name: f
                                query: up
                                failWhen: "> lots"
                        """));
    }

    @Test
    void everyConditionOperatorParses() throws IOException {
        String[][] cases = {{"> 0.01", "GT", "0.01"}, {">= 500", "GE", "500"}, {"< 0.99", "LT", "0.99"}, {"<=1", "LE", "1"},
                {"== 0", "EQ", "0"}, {"!= -1.5", "NE", "-1.5"}};
        for (String[] c : cases) {
            Plan plan = PlanLoader.load(write("plan.yaml", HEAD + """
                      waves: [{name: a, namespaces: [x]}]
                      prometheus: {url: http://p:9090}
                      gates: {metrics: [{name: e, query: up, failWhen: "%s"}]}
                    """.formatted(c[0])));
            assertEquals(new Condition(Condition.Operator.valueOf(c[1]), Double.parseDouble(c[2])),
                    plan.spec().gates().metrics().get(0).failWhen(), c[0]);
        }
    }

    @Test
    void unquotedConditionGetsAHint() throws IOException {
        assertEquals(List.of("F:12:21: YAML syntax error: expected a comment or a line break, but found 0 (while scanning a block scalar); quote the condition, e.g. failWhen: \"> 0.01\""),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          gates:
                            metrics:
                              - name: e
                                failWhen: > 0.01
                        """));
    }

    @Test
    void wavesNeedTargetsUniqueNamesAndDisjointNamespaces() throws IOException {
        assertEquals(List.of(
                "F:9:7: spec.waves[0]: a wave needs namespaces or a selector (or both)",
                "F:12:13: spec.waves[2].name: duplicate wave name 'b' (first at line 11)",
                "F:13:23: spec.waves[2].namespaces[1]: 'x' is listed twice in this wave (first at line 13)",
                "F:15:20: spec.waves[3].namespaces[0]: 'y' is already in wave 'b' (spec.waves[1], line 11); a namespace belongs to one wave"),
                problems(HEAD + """
                          waves:
                            - name: a
                              parallel: 2
                            - {name: b, namespaces: [y]}
                            - name: b
                              namespaces: [x, x]
                            - name: c
                              namespaces: [y]
                        """));
    }

    @Test
    void protectedNamespacesAreNeverTargets() throws IOException {
        assertEquals(List.of(
                "F:12:20: spec.waves[0].namespaces[0]: 'kube-system' is a Kubernetes system namespace and is never a target",
                "F:12:33: spec.waves[0].namespaces[1]: 'kube-public' is a Kubernetes system namespace and is never a target",
                "F:12:46: spec.waves[0].namespaces[2]: 'kube-node-lease' is a Kubernetes system namespace and is never a target",
                "F:12:63: spec.waves[0].namespaces[3]: 'mesh-cp' is the control-plane namespace (spec.controlPlane.namespace) and is never a target"),
                problems(HEAD + """
                          controlPlane:
                            namespace: mesh-cp
                          waves:
                            - name: a
                              namespaces: [kube-system, kube-public, kube-node-lease, mesh-cp, istio-system]
                        """));
    }

    @Test
    void defaultControlPlaneNamespaceIsProtected() throws IOException {
        assertEquals(List.of("F:8:34: spec.waves[0].namespaces[0]: 'istio-system' is the control-plane namespace (spec.controlPlane.namespace) and is never a target"),
                problems(HEAD + "  waves: [{name: a, namespaces: [istio-system]}]\n"));
    }

    @Test
    void namesMustBeDns1123Labels() throws IOException {
        String long64 = "a".repeat(64);
        assertEquals(List.of(
                "F:4:9: metadata.name: 'My_Plan' is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)",
                "F:7:9: spec.revision.to: '1.24' is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)",
                "F:9:13: spec.waves[0].name: 'Canary' is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)",
                "F:10:20: spec.waves[0].namespaces[0]: '-shop' is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)",
                "F:10:27: spec.waves[0].namespaces[1]: '" + long64 + "' is 64 characters long; a name has at most 63 (DNS-1123 label)"),
                problems(HEAD.replace("name: p", "name: My_Plan").replace("to: 1-28-0", "to: 1.24") + """
                          waves:
                            - name: Canary
                              namespaces: [-shop, %s]
                        """.formatted(long64)));
    }

    @Test
    void apiVersionKindAndRequiredFields() throws IOException {
        assertEquals(List.of(
                "F:1:13: apiVersion: must be revroll.dev/v1alpha1, found 'revroll.dev/v1'",
                "F:2:7: kind: must be RolloutPlan, found 'Plan'",
                "F:3:1: metadata.name: required field is missing",
                "F:4:1: spec.revision: required field is missing",
                "F:5:3: spec.waves: required field has no value"),
                problems("""
                        apiVersion: revroll.dev/v1
                        kind: Plan
                        metadata: {}
                        spec:
                          waves:
                        """));
    }

    @Test
    void missingRevisionTo() throws IOException {
        assertEquals(List.of("F:6:3: spec.revision.to: required field is missing"),
                problems(HEAD.replace("    to: 1-28-0\n", "    from: 1-27-0\n") + "  waves: [{name: a, namespaces: [x]}]\n"));
    }

    @Test
    void enumsListTheValidValues() throws IOException {
        assertEquals(List.of(
                "F:10:25: spec.restart.kinds[1]: 'Pod' is not valid; valid values: Deployment, StatefulSet, DaemonSet",
                "F:11:12: spec.restart.surge: 'enforse' is not valid; did you mean 'enforce'? valid values: enforce, require, keep",
                "F:12:14: spec.onFailure: 'rollback' is not valid; valid values: rollback-step, rollback-wave, rollback-all, pause",
                "F:15:63: spec.gates.metrics[0].onNoData: 'skip' is not valid; valid values: fail, pass, wait"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          restart:
                            kinds: [Deployment, Pod]
                            surge: enforse
                          onFailure: rollback
                          prometheus: {url: http://p:9090}
                          gates:
                            metrics: [{name: e, query: up, failWhen: "> 1", onNoData: skip}]
                        """));
    }

    @Test
    void windowCronDurationAndZone() throws IOException {
        assertEquals(List.of(
                "F:10:11: spec.window.cron: cron '0 25 * * *': '25' is not a valid hour (0-23)",
                "F:11:15: spec.window.duration: must be longer than 0s; write numbers with units ms, s, m, h, such as 500ms, 30s, 2m, 1h30m",
                "F:12:15: spec.window.timeZone: 'Europe/Olso' is not a time zone; did you mean 'Europe/Oslo'? use an IANA name such as Europe/Oslo or UTC"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          window:
                            cron: "0 25 * * *"
                            duration: 0s
                            timeZone: Europe/Olso
                        """));
        assertEquals(List.of(
                "F:9:3: spec.window.duration: required with cron: the window opens at each time its cron names and stays open for its duration "
                        + "(e.g. cron: \"0 22 * * 1-4\", duration: 4h); for a window that is always open but for its freezes, give neither",
                "F:10:11: spec.window.cron: '0 22 * *' has 4 fields; a cron has 5: minute hour day-of-month month day-of-week, e.g. \"0 22 * * 1-4\""),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          window:
                            cron: "0 22 * *"
                        """));
        assertEquals(List.of("F:10:11: spec.window.cron: '0 0 31 2 *' never opens (no such date)"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          window:
                            cron: "0 0 31 2 *"
                            duration: 1h
                        """));
    }

    @Test
    void windowFreezesInEachForm() throws IOException {
        Path f = write("plan.yaml", HEAD + """
                  waves: [{name: a, namespaces: [x]}]
                  window:
                    cron: "0 22 * * *"
                    duration: 4h
                    timeZone: Europe/Oslo
                    freeze:
                      - dates: 2026-12-20..2027-01-04
                        reason: year end
                      - dates: 2026-05-17
                      - from: 2026-11-26T18:00:00-05:00
                        to: "2026-11-30T06:00[America/New_York]"
                      - from: 2026-12-31T20:00
                        to: 2026-12-31T23:00
                      - cron: "0 0 1 * *"
                        duration: 1h
                """);
        Plan.Window w = PlanLoader.load(f).spec().window().orElseThrow();
        assertEquals(List.of(
                new Plan.Freeze.Dates(java.time.LocalDate.of(2026, 12, 20), java.time.LocalDate.of(2027, 1, 4), Optional.of("year end")),
                new Plan.Freeze.Dates(java.time.LocalDate.of(2026, 5, 17), java.time.LocalDate.of(2026, 5, 17), Optional.empty()),
                new Plan.Freeze.Period(java.time.ZonedDateTime.parse("2026-11-26T18:00:00-05:00"),
                        java.time.ZonedDateTime.parse("2026-11-30T06:00-05:00[America/New_York]"), Optional.empty()),
                new Plan.Freeze.Period(java.time.ZonedDateTime.parse("2026-12-31T20:00+01:00[Europe/Oslo]"),
                        java.time.ZonedDateTime.parse("2026-12-31T23:00+01:00[Europe/Oslo]"), Optional.empty()),
                new Plan.Freeze.Recurring("0 0 1 * *", Duration.ofHours(1), Optional.empty())), w.freezes());
        assertEquals(new Plan.SourcePosition(f.toString(), 11, 15, "spec.window.duration"), w.durationAt().orElseThrow());
    }

    @Test
    void aWindowOfFreezesOnlyIsOpenButForThemAndAnEmptyWindowIsRefused() throws IOException {
        Path f = write("plan.yaml", HEAD + """
                  waves: [{name: a, namespaces: [x]}]
                  window:
                    timeZone: Europe/Oslo
                    freeze:
                      - dates: 2026-12-20..2027-01-04
                        reason: year end
                """);
        Plan.Window w = PlanLoader.load(f).spec().window().orElseThrow();
        assertEquals(Optional.empty(), w.opens());
        assertEquals(ZoneId.of("Europe/Oslo"), w.timeZone());
        assertEquals(1, w.freezes().size());
        assertEquals(List.of("F:9:3: spec.window: says neither when it opens (cron and duration) nor when nothing may start (freeze); give either, or both"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          window:
                            timeZone: UTC
                        """));
        assertEquals(List.of("F:9:3: spec.window.cron: required with duration: the window opens at each time its cron names and stays open for its duration "
                        + "(e.g. cron: \"0 22 * * 1-4\", duration: 4h); for a window that is always open but for its freezes, give neither"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          window:
                            duration: 1h
                            freeze: [{dates: 2026-12-24}]
                        """));
    }

    @Test
    void badFreezesSayWhereAndWhatIsValid() throws IOException {
        assertEquals(List.of(
                "F:13:16: spec.window.freeze[0].dates: '2027-01-04..2026-12-20' ends before it begins; write the earlier date first, e.g. 2026-12-20..2027-01-04",
                "F:14:16: spec.window.freeze[1].dates: 'christmas' is not a date or a range of dates; write 2026-12-24 or 2026-12-20..2027-01-04 (both days included)",
                "F:15:15: spec.window.freeze[2].from: 'tomorrow' is not a time; write an ISO-8601 date and time with an offset or a zone, "
                        + "e.g. 2026-12-20T18:00:00+01:00 or 2026-12-20T18:00[Europe/Oslo] (without one it is read in the window's time zone)",
                "F:18:13: spec.window.freeze[3].to: must be after from (2026-12-02T10:00:00Z)",
                "F:19:9: spec.window.freeze[4]: a freeze with from needs to too",
                "F:20:9: spec.window.freeze[5]: mixes forms; a freeze is one of: dates: 2026-12-20..2027-01-04 (whole days in the window's time zone), "
                        + "from: and to: (times such as 2026-12-20T18:00:00+01:00), or cron: and duration: (e.g. cron: \"0 0 * * 5\", duration: 24h)",
                "F:22:9: spec.window.freeze[6]: a freeze with cron needs duration too (each time the cron names, for that long)",
                "F:23:15: spec.window.freeze[7].cron: '0 0 30 2 *' never happens (no such date)",
                "F:25:9: spec.window.freeze[8]: says no period; a freeze is one of: dates: 2026-12-20..2027-01-04 (whole days in the window's time zone), "
                        + "from: and to: (times such as 2026-12-20T18:00:00+01:00), or cron: and duration: (e.g. cron: \"0 0 * * 5\", duration: 24h)"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          window:
                            cron: "0 22 * * *"
                            duration: 4h
                            freeze:
                              - dates: 2027-01-04..2026-12-20
                              - dates: christmas
                              - from: tomorrow
                                to: 2026-12-02T10:00:00Z
                              - from: 2026-12-02T10:00:00Z
                                to: 2026-12-02T09:00:00Z
                              - from: 2026-12-02T10:00:00Z
                              - dates: 2026-12-24
                                cron: "0 0 * * *"
                              - cron: "0 0 * * *"
                              - cron: "0 0 30 2 *"
                                duration: 1h
                              - reason: no idea
                        """));
    }

    @Test
    void prometheusRequiredForMetricGatesAndUrlChecked() throws IOException {
        assertEquals(List.of("F:10:5: spec.prometheus: required when there are metric gates (spec.gates.metrics); add prometheus: {url: http://...}"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          gates:
                            metrics: [{name: e, query: up, failWhen: "> 1"}]
                        """));
        assertEquals(List.of("F:10:10: spec.prometheus.url: 'prometheus:9090' is not an http(s) URL; write e.g. http://prometheus.istio-system:9090"),
                problems(HEAD + """
                          waves: [{name: a, namespaces: [x]}]
                          prometheus:
                            url: prometheus:9090
                        """));
    }

    @Test
    void duplicateGateNamesKeysAndSameRevision() throws IOException {
        assertEquals(List.of(
                "F:8:9: spec.revision.to: is the same as spec.revision.from ('1-28-0'); nothing would move",
                "F:10:3: spec.waves: duplicate field (first at line 9)",
                "F:15:16: spec.gates.metrics[1].name: duplicate gate name 'e' (first at line 14)"),
                problems(HEAD.replace("    to: 1-28-0\n", "    from: 1-28-0\n    to: 1-28-0\n") + """
                          waves: [{name: a, namespaces: [x]}]
                          waves: [{name: b, namespaces: [y]}]
                          prometheus: {url: http://p:9090}
                          gates:
                            metrics:
                              - {name: e, query: up, failWhen: "> 1"}
                              - {name: e, query: up, failWhen: "> 2"}
                        """));
    }

    @Test
    void emptyFileMissingFileAndYamlErrors() throws IOException {
        assertEquals(List.of("F:1:1: the file is empty; a plan needs apiVersion: revroll.dev/v1alpha1, kind: RolloutPlan, metadata and spec (see plans/minimal.yaml)"),
                problems("# nothing here\n"));
        Path missing = dir.resolve("nope.yaml");
        PlanException e = assertThrows(PlanException.class, () -> PlanLoader.load(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        assertEquals(List.of("F:2:4: YAML syntax error: mapping values are not allowed here"), problems("a: b\n  c: d\n"));
        assertEquals(List.of("F:1:1: a plan is a mapping with apiVersion, kind, metadata and spec, found a list (a, b)"), problems("- a\n- b\n"));
        assertEquals(List.of("F:2:1: YAML syntax error: expected a single document in the stream, but found another document"),
                problems("a: 1\n---\nb: 2\n"));
    }

    @Test
    void collectsEveryProblemInFileOrder() throws IOException {
        List<String> all = problems("""
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata: {name: p}
                spec:
                  revision: {to: x}
                  waves: [{name: a, namespaces: [kube-system]}]
                  bake: forever
                  onFailure: panic
                """);
        assertEquals(3, all.size(), all.toString());
        assertTrue(all.get(0).startsWith("F:6:"), all.toString());
        assertTrue(all.get(2).startsWith("F:8:"), all.toString());
    }

    @Test
    void gitPathPlaceholdersAndExcludedListedNamespaces() throws IOException {
        assertEquals(List.of(
                "F:11:17: spec.waves[0].exclude[0]: 'x' is both listed in namespaces and excluded in this wave; remove one",
                "F:21:11: spec.git.path: unknown placeholder {{cluster}}; known: namespace, plan (a namespace has one manifest, whatever the wave or revision)"),
                problems(HEAD + """
                          waves:
                            - name: a
                              namespaces: [x, y]
                              exclude: [x]
                          prometheus: {url: http://p:9090}
                          gates:
                            metrics:
                              - name: e
                                minRequests: 10
                                query: up
                                failWhen: "> 1"
                          git:
                            repo: /srv/gitops
                            path: "{{cluster}}/{{namespace}}.yaml"
                        """));
    }

    @Test
    void yamlBooleansInEveryForm() throws IOException {
        for (String[] c : new String[][] {{"no", "false"}, {"off", "false"}, {"False", "false"}, {"yes", "true"}, {"ON", "true"}, {"true", "true"}}) {
            Plan plan = PlanLoader.load(write("plan.yaml", HEAD + """
                      waves: [{name: a, namespaces: [x]}]
                      gates: {proxySync: {enabled: %s}%s}
                      git: {repo: r, path: p, push: %s}
                    """.formatted(c[0], c[1].equals("false") ? ", none: booleans only" : "", c[0])));
            assertEquals(Boolean.parseBoolean(c[1]), plan.spec().gates().proxySync().enabled(), c[0]);
            assertEquals(Boolean.parseBoolean(c[1]), plan.spec().git().orElseThrow().push(), c[0]);
        }
    }
}
