package dev.revroll.plan;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamespaceSelectorTest {

    @Test
    void everyOperatorMatchesLikeKubernetes() {
        Map<String, String> shop = Map.of("team", "shop", "tier", "low", "istio.io/rev", "1-27-0");
        assertTrue(NamespaceSelector.parse("team=shop").matches(shop));
        assertTrue(NamespaceSelector.parse("team==shop").matches(shop));
        assertFalse(NamespaceSelector.parse("team!=shop").matches(shop));
        assertTrue(NamespaceSelector.parse("owner!=shop").matches(shop)); // absent key satisfies !=
        assertTrue(NamespaceSelector.parse("tier in (low, medium)").matches(shop));
        assertFalse(NamespaceSelector.parse("tier notin (low)").matches(shop));
        assertTrue(NamespaceSelector.parse("istio.io/rev").matches(shop));
        assertFalse(NamespaceSelector.parse("!istio.io/rev").matches(shop));
        assertTrue(NamespaceSelector.parse(" team = shop , !revroll.dev/skip ,tier in(low)").matches(shop));
        assertFalse(NamespaceSelector.parse("team=shop,tier=high").matches(shop));
    }

    @Test
    void printsTheCanonicalApiForm() {
        assertEquals("team=shop,tier in (low,medium),x!=y,a,!b,c notin (d)",
                NamespaceSelector.parse("team==shop, tier in ( low ,medium ),x != y,a,! b,c notin(d)").toString());
        NamespaceSelector s = NamespaceSelector.parse("team=shop,tier in (low,medium)");
        assertEquals(s, NamespaceSelector.parse(s.toString()));
    }

    @Test
    void rejectsWhatKubernetesRejects() {
        assertEquals("invalid label selector '': the selector is empty; write e.g. team=shop",
                assertThrows(IllegalArgumentException.class, () -> NamespaceSelector.parse("")).getMessage());
        assertEquals("invalid label selector 'Team_=x': 'Team_' is not a valid label key: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
                assertThrows(IllegalArgumentException.class, () -> NamespaceSelector.parse("Team_=x")).getMessage());
        assertEquals("invalid label selector 'Istio.IO/rev': 'Istio.IO/rev' is not a valid label key: its prefix must be a DNS subdomain such as istio.io",
                assertThrows(IllegalArgumentException.class, () -> NamespaceSelector.parse("Istio.IO/rev")).getMessage());
        assertEquals("invalid label selector 'a=-b': '-b' is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
                assertThrows(IllegalArgumentException.class, () -> NamespaceSelector.parse("a=-b")).getMessage());
        assertEquals("invalid label selector 'a b': expected =, ==, !=, in or notin after 'a' at character 3, found 'b'",
                assertThrows(IllegalArgumentException.class, () -> NamespaceSelector.parse("a b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NamespaceSelector.parse("a>1"));
        assertThrows(IllegalArgumentException.class, () -> NamespaceSelector.parse("a=b,"));
    }
}
