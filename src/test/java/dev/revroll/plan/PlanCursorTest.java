package dev.revroll.plan;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanCursorTest {

    private final List<Node> read = new ArrayList<>();

    private PlanCursor root(String yaml) {
        Node document = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(yaml));
        return PlanCursor.root(document, PlanSchema.get(), read::add);
    }

    @Test
    void descendingNamesTheFieldForMessagesAndTheSchemaForDefaults() {
        PlanCursor spec = root("""
                spec:
                  waves:
                    - name: a
                      namespaces: [x, y]
                """).field("spec");
        PlanCursor wave = spec.field("waves").items().get(0);
        PlanCursor y = wave.field("namespaces").items().get(1);
        assertEquals("spec.waves[0]", wave.path());
        assertEquals("spec.waves[]", wave.pointer());
        assertEquals("spec.waves[0].namespaces[1]", y.path());
        assertEquals("spec.waves[].namespaces[]", y.pointer());
        assertEquals(Optional.of("y"), y.optionalString());
        assertEquals(4, y.line());
    }

    @Test
    void anAbsentFieldStillHasItsPathAndItsDefault() {
        PlanCursor spec = root("spec: {waves: [{name: a}]}").field("spec");
        PlanCursor timeout = spec.field("restart").field("timeout");
        assertNull(timeout.node());
        assertNull(timeout.key());
        assertTrue(timeout.isNull());
        assertEquals("spec.restart.timeout", timeout.path());
        assertEquals(Optional.empty(), timeout.optionalDuration());
        assertEquals(Duration.ofMinutes(10), timeout.duration());
        assertEquals(1, spec.field("waves").items().get(0).field("parallel").integer());
        assertTrue(spec.field("gates").field("proxySync").field("enabled").bool());
        assertEquals("istio-system", spec.field("controlPlane").field("namespace").string());
        assertEquals(List.of(), spec.field("gates").field("metrics").items());
    }

    @Test
    void aFieldWithoutASchemaDefaultReadsAsNoneOrFailsLoudly() {
        PlanCursor window = root("spec: {window: {}}").field("spec").field("window");
        assertNull(window.field("cron").string());
        assertNull(window.field("duration").duration());
        assertEquals(Optional.empty(), window.field("cron").schemaDefault());
        PlanCursor gate = root("spec: {gates: {metrics: [{}]}}").field("spec").field("gates").field("metrics").items().get(0);
        assertThrows(IllegalArgumentException.class, () -> gate.field("minRequests").integer());
    }

    @Test
    void readsEveryKindOfValue() {
        PlanCursor m = root("""
                spec:
                  bake: 1h30m
                  onFailure: rollback-all
                  restart: {surge: keep}
                  gates:
                    proxySync: {enabled: off}
                    metrics:
                      - {samples: 1_000, minRequests: 2.5, onNoData: pass}
                """).field("spec");
        PlanCursor gate = m.field("gates").field("metrics").items().get(0);
        assertEquals(Duration.ofMinutes(90), m.field("bake").duration());
        assertEquals(OnFailure.ROLLBACK_ALL, m.field("onFailure").enumValue(OnFailure.class));
        assertEquals(SurgePolicy.KEEP, m.field("restart").field("surge").enumValue(SurgePolicy.class));
        assertFalse(m.field("gates").field("proxySync").field("enabled").bool());
        assertEquals(1000, gate.field("samples").integer());
        assertEquals(Optional.of(2.5), gate.field("minRequests").optionalNumber());
        assertEquals(OnNoData.PASS, gate.field("onNoData").enumValue(OnNoData.class));
        assertEquals(Optional.of(OnNoData.PASS), gate.field("onNoData").optionalEnum(OnNoData.class));
    }

    @Test
    void aValueOfTheWrongTypeReadsAsAbsent() {
        PlanCursor spec = root("""
                spec:
                  bake: soon
                  onFailure: panic
                  restart: [timeout]
                  waves: {name: a}
                  gates: {proxySync: {enabled: maybe}, metrics: [{samples: many, minRequests: lots}]}
                  cluster:
                    context:
                """).field("spec");
        PlanCursor gate = spec.field("gates").field("metrics").items().get(0);
        assertEquals(Duration.ZERO, spec.field("bake").duration());
        assertEquals(Optional.empty(), spec.field("bake").optionalDuration());
        assertEquals(OnFailure.ROLLBACK_STEP, spec.field("onFailure").enumValue(OnFailure.class));
        assertEquals(Optional.empty(), spec.field("onFailure").optionalEnum(OnFailure.class));
        assertFalse(spec.field("restart").isMapping());
        assertEquals(Duration.ofMinutes(10), spec.field("restart").field("timeout").duration());
        assertFalse(spec.field("waves").isSequence());
        assertEquals(List.of(), spec.field("waves").items());
        assertTrue(spec.field("gates").field("proxySync").field("enabled").bool());
        assertEquals(3, gate.field("samples").integer());
        assertEquals(Optional.empty(), gate.field("minRequests").optionalNumber());
        PlanCursor context = spec.field("cluster").field("context");
        assertTrue(context.isNull());
        assertTrue(context.node() != null && context.key() != null);
        assertEquals(Optional.empty(), context.optionalString());
    }

    @Test
    void theFirstOfTwoKeysIsTheOneRead() {
        PlanCursor spec = root("spec:\n  bake: 1m\n  bake: 2m\n").field("spec");
        PlanCursor bake = spec.field("bake");
        assertEquals(Duration.ofMinutes(1), bake.duration());
        assertEquals("bake", ((ScalarNode) bake.key()).getValue());
        assertEquals(2, bake.key().getStartMark().getLine() + 1);
    }

    @Test
    void descendingCountsFieldValuesAsReadButNotListEntries() {
        PlanCursor spec = root("spec: {waves: [{name: a}], bake: 1m}").field("spec");
        spec.field("waves").items();
        spec.field("nothing");
        PlanCursor quiet = PlanCursor.root(spec.node(), PlanSchema.get());
        assertEquals(List.of(spec.node(), quiet.field("waves").node()), read);
        quiet.field("bake").duration();
        assertEquals(2, read.size());
    }
}
