package dev.revroll.git;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamespaceManifestTest {

    private static Map<String, String> move(String revision) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("istio.io/rev", revision);
        m.put("istio-injection", null);
        return m;
    }

    private static String edit(String text, String ns) {
        return NamespaceManifest.parse("ns.yaml", text).withLabels(ns, move("1-28-0"));
    }

    @Test
    void replacesTheValueAndKeepsCommentsOrderAndOtherLines() {
        String before = """
                # shop namespace, owned by team shop
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: shop   # do not rename
                  labels:
                    team: shop        # owner
                    istio.io/rev: 1-27-0   # mesh revision
                    tier: "gold"
                  annotations:
                    owner: shop@example.com
                """;
        String after = edit(before, "shop");
        assertEquals(before.replace("istio.io/rev: 1-27-0   # mesh revision", "istio.io/rev: 1-28-0   # mesh revision"), after);
    }

    @Test
    void removesInjectionLabelLineAndAddsRevisionAtTheEndOfTheBlock() {
        String before = """
                apiVersion: v1
                kind: Namespace
                metadata:
                  labels:
                    istio-injection: enabled
                    team: shop
                  name: shop
                """;
        String after = edit(before, "shop");
        assertEquals("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  labels:
                    team: shop
                    istio.io/rev: 1-28-0
                  name: shop
                """, after);
    }

    @Test
    void removingTheLastEntryAndAddingOneKeepsTheBlock() {
        String before = """
                kind: Namespace
                metadata:
                  name: shop
                  labels:
                    istio-injection: enabled
                spec: {}
                """;
        assertEquals("""
                kind: Namespace
                metadata:
                  name: shop
                  labels:
                    istio.io/rev: 1-28-0
                spec: {}
                """, edit(before, "shop"));
    }

    @Test
    void keepsTheQuotingStyleOfTheValue() {
        String doubleQuoted = "kind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio.io/rev: \"1-27-0\"\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio.io/rev: \"1-28-0\"\n", edit(doubleQuoted, "a"));
        String singleQuoted = "kind: Namespace\nmetadata:\n  name: a\n  labels:\n    'istio.io/rev': '1-27-0'\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels:\n    'istio.io/rev': '1-28-0'\n", edit(singleQuoted, "a"));
    }

    @Test
    void newEntriesFollowTheQuotingOfTheirNeighbours() {
        String before = "kind: Namespace\nmetadata:\n  name: a\n  labels:\n    team: \"shop\"\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels:\n    team: \"shop\"\n    istio.io/rev: \"1-28-0\"\n", edit(before, "a"));
    }

    @Test
    void plainValuesThatWouldNotReadBackAsStringsAreQuoted() {
        String before = "kind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio.io/rev: old\n";
        String after = NamespaceManifest.parse("f", before).withLabels("a", Map.of("istio.io/rev", "1.0"));
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio.io/rev: \"1.0\"\n", after);
        assertEquals("1.0", NamespaceManifest.parse("f", after).labels("a").orElseThrow().get("istio.io/rev"));
    }

    @Test
    void editsFlowStyleLabelsInPlace() {
        String before = "kind: Namespace\nmetadata:\n  name: a\n  labels: {team: shop, istio-injection: enabled}  # flow\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels: {team: shop, istio.io/rev: 1-28-0}  # flow\n", edit(before, "a"));

        String spaced = "kind: Namespace\nmetadata:\n  name: a\n  labels: { \"istio.io/rev\": \"1-27-0\", team: shop }\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels: { \"istio.io/rev\": \"1-28-0\", team: shop }\n", edit(spaced, "a"));

        String empty = "kind: Namespace\nmetadata:\n  name: a\n  labels: {}\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels: {istio.io/rev: 1-28-0}\n", edit(empty, "a"));
    }

    @Test
    void createsTheLabelsBlockWhenMissing() {
        String before = """
                apiVersion: v1
                kind: Namespace
                metadata:
                    name: shop
                    annotations:
                        a: b
                # trailing comment
                """;
        assertEquals("""
                apiVersion: v1
                kind: Namespace
                metadata:
                    name: shop
                    annotations:
                        a: b
                    labels:
                        istio.io/rev: 1-28-0
                # trailing comment
                """, edit(before, "shop"));
    }

    @Test
    void fillsAnEmptyLabelsKey() {
        String before = "kind: Namespace\nmetadata:\n  name: a\n  labels:\nspec: {}\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio.io/rev: 1-28-0\nspec: {}\n", edit(before, "a"));
        String tilde = "kind: Namespace\nmetadata:\n  name: a\n  labels: ~\n";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio.io/rev: 1-28-0\n", edit(tilde, "a"));
    }

    @Test
    void fileWithoutTrailingNewlineGetsOneOnlyWhereItAddsALine() {
        String before = "kind: Namespace\nmetadata:\n  name: a\n  labels:\n    team: x";
        assertEquals("kind: Namespace\nmetadata:\n  name: a\n  labels:\n    team: x\n    istio.io/rev: 1-28-0", edit(before, "a"));
    }

    @Test
    void editsOnlyTheNamedNamespaceInAMultiDocumentFile() {
        String before = """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: other
                  labels:
                    istio-injection: enabled
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: shop
                  labels:
                    istio-injection: enabled
                ---
                # the one
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: shop
                  labels:
                    istio-injection: enabled
                    team: shop
                """;
        String after = edit(before, "shop");
        assertEquals(before.substring(0, before.lastIndexOf("    istio-injection: enabled\n    team: shop\n"))
                + "    team: shop\n    istio.io/rev: 1-28-0\n", after);
        NamespaceManifest m = NamespaceManifest.parse("f", after);
        assertEquals(Map.of("istio-injection", "enabled"), m.labels("other").orElseThrow());
        assertEquals(Map.of("team", "shop", "istio.io/rev", "1-28-0"), m.labels("shop").orElseThrow());
    }

    @Test
    void keepsCrlfLineEndings() {
        String before = "kind: Namespace\r\nmetadata:\r\n  name: a # x\r\n  labels:\r\n    istio-injection: enabled\r\n    team: t\r\n";
        String after = edit(before, "a");
        assertEquals("kind: Namespace\r\nmetadata:\r\n  name: a # x\r\n  labels:\r\n    team: t\r\n    istio.io/rev: 1-28-0\r\n", after);
        String missing = "kind: Namespace\r\nmetadata:\r\n  name: a\r\n";
        assertEquals("kind: Namespace\r\nmetadata:\r\n  name: a\r\n  labels:\r\n    istio.io/rev: 1-28-0\r\n", edit(missing, "a"));
    }

    @Test
    void positionsSurviveNonAsciiText() {
        String before = "# équipe boutique ✓\nkind: Namespace\nmetadata:\n  name: a\n  annotations: {note: \"café ✓\"}\n  labels: {team: \"é\", istio.io/rev: x}\n";
        assertEquals(before.replace("istio.io/rev: x", "istio.io/rev: 1-28-0"), edit(before, "a"));
    }

    @Test
    void unchangedWhenAlreadyThere() {
        String before = "kind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio.io/rev: 1-28-0 # keep\n";
        assertEquals(before, edit(before, "a"));
    }

    @Test
    void readsLabelsAndFindsNamespaces() {
        NamespaceManifest m = NamespaceManifest.parse("f", "kind: Namespace\nmetadata:\n  name: a\n");
        assertTrue(m.hasNamespace("a"));
        assertFalse(m.hasNamespace("b"));
        assertEquals(Map.of(), m.labels("a").orElseThrow());
        assertTrue(m.labels("b").isEmpty());
    }

    @Test
    void reportsWhereTheYamlIsBroken() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> NamespaceManifest.parse("clusters/ns/a.yaml", "kind: Namespace\nmetadata:\n  name: [a\n"));
        assertTrue(e.getMessage().startsWith("clusters/ns/a.yaml:"), e.getMessage());
        ManifestException missing = assertThrows(ManifestException.class,
                () -> NamespaceManifest.parse("f.yaml", "kind: ConfigMap\nmetadata:\n  name: a\n").withLabels("a", move("x")));
        assertTrue(missing.getMessage().contains("no 'kind: Namespace' document named 'a'"), missing.getMessage());
    }
}
