package dev.revroll.engine;

import dev.revroll.errors.MetricsUnavailableException;
import dev.revroll.errors.UsageException;
import dev.revroll.gates.Backtest;
import dev.revroll.plan.Condition;
import dev.revroll.plan.MaintenanceWindow;
import dev.revroll.plan.OnFailure;
import dev.revroll.plan.OnNoData;
import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;
import dev.revroll.ports.MetricsHistory;
import dev.revroll.ports.MetricsProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code preview --backtest} in the engine: every namespace step's gates replayed with that step's own placeholders,
 * the window filter as the run's window gate would allow a step, nothing written, and the refusals before anything.
 */
class PreviewBacktestTest {

    static final String OLD = "1-27-0";
    static final String NEW = "1-28-0";
    static final Instant UNTIL = Instant.parse("2026-11-30T00:00:00Z");

    FakeCluster cluster;
    final List<String> asked = new ArrayList<>();

    /** 0.2 for namespace b from 02:00 to 02:59, 0.01 otherwise; nothing at all for c before 06:00. */
    final MetricsHistory history = (promql, start, end, step, maxSeries) -> {
        asked.add(promql);
        List<Long> times = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (long t = start.toEpochMilli(); t <= end.toEpochMilli(); t += step.toMillis()) {
            int hour = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).getHour();
            if (promql.contains("\"c\"") && hour < 6) {
                continue;
            }
            times.add(t);
            values.add(promql.contains("\"b\"") && hour == 2 ? 0.2 : 0.01);
        }
        return new MetricsHistory.RangeResult(times.isEmpty() ? List.of() : List.of(new MetricsHistory.Series(Map.of(),
                times.stream().mapToLong(Long::longValue).toArray(), values.stream().mapToDouble(Double::doubleValue).toArray())), Optional.empty());
    };

    @BeforeEach
    void world() {
        cluster = FakeCluster.twoRevisions(OLD, NEW);
        for (String ns : List.of("a", "b", "c")) {
            cluster.addNamespace(ns, Map.of("istio.io/rev", OLD));
            cluster.addDeployment(ns, "web", 1, null, null);
        }
    }

    static Plan plan(Optional<Plan.Window> window, List<Plan.MetricGateSpec> gates) {
        Plan p = Fakes.plan(OLD, NEW, List.of(Fakes.wave("all", List.of("a", "b", "c"))), SurgePolicy.ENFORCE, OnFailure.ROLLBACK_STEP, gates);
        Plan.Spec s = p.spec();
        return new Plan(p.source(), p.apiVersion(), p.kind(), p.metadata(), new Plan.Spec(s.cluster(), s.controlPlane(), s.revision(), s.waves(),
                s.restart(), s.gates(), Duration.ZERO, s.onFailure(), s.prometheus(), s.git(), window));
    }

    static Plan.MetricGateSpec gate() {
        return new Plan.MetricGateSpec("error-rate", "errors{ns=\"{{namespace}}\",wave=\"{{wave}}\"}", new Condition(Condition.Operator.GT, 0.05),
                Duration.ofMinutes(1), 10, 0, OnNoData.FAIL, Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void everyNamespaceIsReplayedWithItsOwnPlaceholdersAndNothingIsWritten() {
        Preview p = Fakes.engine(cluster, new Fakes.Journal(), new Fakes.Lock(), new Fakes.Gates(), RunWindow.ALWAYS)
                .preview(plan(Optional.empty(), List.of(gate())), Optional.of(new BacktestRequest(history, Duration.ofDays(2), UNTIL, false)));

        assertTrue(cluster.writes.isEmpty(), cluster.writes.toString());
        Backtest.GateBacktest g = p.backtest().orElseThrow().gates().get(0);
        assertEquals(List.of("a", "b", "c"), g.namespaces().stream().map(Backtest.NamespaceResult::namespace).toList());
        assertTrue(asked.contains("errors{ns=\"b\",wave=\"all\"}"), asked.toString());
        // two days of 10-minute steps: 288; b fails the steps that reach into 02:00-02:59 (6 + the one ending 02:00) each day
        Backtest.NamespaceResult a = g.namespaces().get(0);
        Backtest.NamespaceResult b = g.namespaces().get(1);
        Backtest.NamespaceResult c = g.namespaces().get(2);
        assertEquals(288, a.steps());
        assertEquals(288, a.passed());
        assertEquals(2 * 7, b.failed());
        // c: no data from 00:00 to 05:59: the steps starting 23:50 to 05:50 (37 a night; the first night has no 23:50
        // before it, and the last start, 23:50 of the second day, reaches 00:00 of the third)
        assertEquals(2 * 37, c.noData());
        assertFalse(g.fit());
        assertEquals(3 * 288, g.steps());

        // what a person and a pipeline see
        java.io.StringWriter text = new java.io.StringWriter();
        dev.revroll.output.PreviewReport.text(p, new java.io.PrintWriter(text));
        assertTrue(text.toString().contains("backtest: 2d of history, 2026-11-28T00:00:00Z → 2026-11-30T00:00:00Z, simulated steps starting any time\n"
                + "  gate error-rate (fails when > 0.05, 10 samples every 1m: 10m per simulated step)\n"
                + "    a: 288 simulated steps: 288 passed, 0 failed, 0 inconclusive, 0 no data; worst 0.01 at 2026-11-28T00:01:00Z; p99 0.01 → suggested > 0.012\n"), text.toString());
        assertTrue(text.toString().contains("\n  error-rate: NOT FIT — no data in 26% of simulated steps in c (74 of 288, started at 00-05, 23 UTC); "
                + "would have failed 2% of simulated steps (14 of 864; b 14 of 288): too tight"), text.toString());
        assertTrue(text.toString().contains("backtest: 1 of 1 gate(s) NOT FIT (see above); nothing was written\n"), text.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) dev.revroll.output.PreviewReport.document(p).get("backtest");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) ((List<Object>) doc.get("gates")).get(0);
        assertEquals(false, json.get("fit"));
        assertEquals(g.summary(), json.get("summary"));
        @SuppressWarnings("unchecked")
        Map<String, Object> bJson = (Map<String, Object>) ((List<Object>) json.get("namespaces")).get(1);
        assertEquals("b", bJson.get("namespace"));
        assertEquals(14, bJson.get("failed"));
        assertEquals(274, bJson.get("passed"));
        assertEquals(List.of(Map.of("hourUtc", 1, "steps", 12, "failed", 2, "noData", 0), Map.of("hourUtc", 2, "steps", 12, "failed", 12, "noData", 0)),
                ((List<?>) bJson.get("byHour")).subList(1, 3));
        // the gate's history, hour by hour, worst over the namespaces: 0.2 in each day's 02:00 hour, 0.01 elsewhere
        @SuppressWarnings("unchecked")
        List<Double> history = (List<Double>) ((Map<String, Object>) json.get("history")).get("worst");
        assertEquals(48, history.size());
        for (int h = 0; h < 48; h++) {
            assertEquals(h % 24 == 2 ? 0.2 : 0.01, history.get(h), 1e-12, "hour " + h);
        }

        java.io.StringWriter md = new java.io.StringWriter();
        dev.revroll.output.PreviewReport.markdown(p, new java.io.PrintWriter(md));
        assertTrue(md.toString().contains("| error-rate (> 0.05) | ⚠ no | 864 | 776 | 14 | 0 | 74 | 0.2 (b) | > 0.012 |"), md.toString());
        assertTrue(md.toString().contains("- " + g.summary()), md.toString());

        // the HTML page draws that history against the threshold: 2 points over it (red), 46 under, the threshold line
        String html = dev.revroll.output.report.BacktestHtml.render(p.backtest().orElseThrow());
        assertEquals(2, html.split("<circle class=\"sample over\"", -1).length - 1);
        assertEquals(46, html.split("<circle class=\"sample\"", -1).length - 1);
        assertTrue(html.contains("<line class=\"threshold\""), html);
        assertTrue(html.contains("<title>2026-11-28T02:00:00Z: worst 0.2</title>"), html);
        assertTrue(html.contains("<td>b</td><td>288</td><td>274</td><td>14</td>") && html.contains("<td>c</td>") && !html.contains("<td>a</td>"), html);
        assertTrue(html.contains(g.summary().replace(">", "&gt;").replace("'", "'")), html);
    }

    @Test
    void atWindowStartsOnlyWhereTheWindowLetsAStepStartAndFinish() {
        // opens 01:00 for 2 h: 10-minute steps may start 01:00 .. 02:50 (the last ends at 03:00, when it closes)
        Plan.Window window = new Plan.Window("0 1 * * *", Duration.ofHours(2), ZoneOffset.UTC);
        Plan plan = plan(Optional.of(window), List.of(gate()));
        Preview p = Fakes.engine(cluster, new Fakes.Journal(), new Fakes.Lock(), new Fakes.Gates(), RunWindow.of(MaintenanceWindow.of(window)))
                .preview(plan, Optional.of(new BacktestRequest(history, Duration.ofDays(2), UNTIL, true)));

        Backtest.Report r = p.backtest().orElseThrow();
        assertTrue(r.windowOnly());
        Backtest.GateBacktest g = r.gates().get(0);
        Backtest.NamespaceResult a = g.namespaces().get(0);
        assertEquals(2 * 12, a.steps());
        assertEquals(List.of(1, 2), java.util.stream.IntStream.range(0, 24).filter(h -> a.stepsByHour()[h] > 0).boxed().toList());
        // b: the steps reaching into 02:00-02:59: 01:50 and 02:00 .. 02:50, each day
        assertEquals(2 * 7, g.namespaces().get(1).failed());
        assertEquals(2 * 12, g.namespaces().get(2).noData());
        assertTrue(g.summary().contains("never any data at window hours in c (1 of 3 namespaces)"), g.summary());
    }

    @Test
    void refusedBeforeAnythingIsReadWhenThePlanCannotBeBacktested() {
        RolloutEngine engine = Fakes.engine(cluster, new Fakes.Journal(), new Fakes.Lock(), new Fakes.Gates(), RunWindow.ALWAYS);
        BacktestRequest request = new BacktestRequest(history, Duration.ofDays(1), UNTIL, false);
        UsageException none = assertThrows(UsageException.class, () -> engine.preview(plan(Optional.empty(), List.of()), Optional.of(request)));
        assertTrue(none.getMessage().startsWith("--backtest replays the plan's metric gates, and plan.yaml has none (spec.gates.metrics)"), none.getMessage());
        UsageException noWindow = assertThrows(UsageException.class, () -> engine.preview(plan(Optional.empty(), List.of(gate())),
                Optional.of(new BacktestRequest(history, Duration.ofDays(1), UNTIL, true))));
        assertTrue(noWindow.getMessage().contains("has no spec.window; drop --at-window or add a window"), noWindow.getMessage());

        Plan.MetricGateSpec fast = new Plan.MetricGateSpec("fast", "x", new Condition(Condition.Operator.GT, 1), Duration.ofMillis(10), 3, 0,
                OnNoData.FAIL, Optional.empty(), Optional.empty(), Optional.empty());
        UsageException tooMany = assertThrows(UsageException.class, () -> engine.preview(plan(Optional.empty(), List.of(gate(), fast)), Optional.of(request)));
        assertEquals("--backtest 24h at gate fast's interval 10ms is 8640000 evaluations per namespace; a backtest replays at most 1000000: give a shorter --backtest",
                tooMany.getMessage());

        MetricsProvider down = new MetricsProvider() {
            @Override
            public QueryResult query(String promql, Instant at) {
                return QueryResult.failed("cannot query http://prom: Connection refused (3 attempts)");
            }

            @Override
            public boolean reachable() {
                return false;
            }

            @Override
            public Optional<String> whyUnreachable() {
                return query("vector(1)", Instant.now()).error();
            }

            @Override
            public String describe() {
                return "Prometheus at http://prom";
            }
        };
        RolloutEngine offline = new RolloutEngine(new RolloutEngine.Ports(cluster, new Fakes.Journal(), new Fakes.Lock(), new NoGitRecord(),
                Optional.of(down), new Fakes.Gates(), RunWindow.ALWAYS, Clock.systemUTC(), Duration.ofMillis(5), Duration.ofSeconds(30)));
        MetricsUnavailableException unreachable = assertThrows(MetricsUnavailableException.class,
                () -> offline.preview(plan(Optional.empty(), List.of(gate())), Optional.of(request)));
        assertEquals("--backtest needs the history in Prometheus at http://prom, which cannot be queried: cannot query http://prom: Connection refused "
                + "(3 attempts); nothing was read from the cluster or written. Try again, or check spec.prometheus (docs/prometheus-access.md)", unreachable.getMessage());
        assertTrue(asked.isEmpty());
        assertEquals(dev.revroll.cli.ExitCode.UNAVAILABLE, dev.revroll.cli.ExitCodes.of(unreachable));
    }
}
