package dev.revroll.plan;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryTemplateTest {

    @Test
    void findsPlaceholdersWithAndWithoutSpaces() {
        QueryTemplate t = QueryTemplate.of("sum(rate(x{ns=\"{{namespace}}\",rev=\"{{ revision }}\"}[{{  interval}}])) / {{namespace }}");
        assertEquals(List.of("namespace", "revision", "interval"), List.copyOf(t.placeholders()));
        assertEquals(List.of(), t.unknownPlaceholders());
        assertEquals(List.of(), t.syntaxProblems());
    }

    @Test
    void rendersEveryOccurrence() {
        QueryTemplate t = QueryTemplate.of("a{ns=\"{{namespace}}\"} + b{ns=\"{{ namespace }}\",r=\"{{revision}}\"}");
        assertEquals("a{ns=\"shop\"} + b{ns=\"shop\",r=\"1-24-1\"}", t.render(Map.of("namespace", "shop", "revision", "1-24-1")));
    }

    @Test
    void renderNamesMissingValues() {
        QueryTemplate t = QueryTemplate.of("x{a=\"{{workload}}\",b=\"{{wave}}\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("namespace", "n")));
        assertTrue(e.getMessage().startsWith("no value for placeholders workload, wave"), e.getMessage());
    }

    @Test
    void reportsUnknownPlaceholdersByName() {
        QueryTemplate t = QueryTemplate.of("x{a=\"{{namespce}}\",b=\"{{ revision }}\",c=\"{{team}}\"}");
        assertEquals(List.of("namespce", "team"), t.unknownPlaceholders());
    }

    @Test
    void rejectsMalformedPlaceholder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueryTemplate.of("x{a=\"{{ name space }}\"}"));
        assertTrue(e.getMessage().startsWith("malformed placeholder '{{ name space }}' at character 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QueryTemplate.of("x{a=\"{{namespace\"}"));
    }

    @Test
    void findsUnbalancedBracketsAndQuotes() {
        assertEquals(List.of("'(' at character 4 is never closed"), QueryTemplate.of("sum(rate(x[1m])").syntaxProblems());
        assertEquals(List.of("'[' at character 7 is closed by ')' at character 10"), QueryTemplate.of("rate(x[1m)]").syntaxProblems());
        assertEquals(List.of("')' at character 2 closes nothing"), QueryTemplate.of("x)").syntaxProblems());
        assertEquals(List.of("unterminated string starting with \" at character 5"), QueryTemplate.of("x{a=\"b}").syntaxProblems());
        assertEquals(List.of(), QueryTemplate.of("x{a=\"(\\\"[\"} # comment (").syntaxProblems());
    }

    @Test
    void problemsCarryTheirOffsetInTheOriginalText() {
        QueryTemplate t = QueryTemplate.of("sum({{namespace}}{{workload}}(x)");
        assertEquals(List.of(new QueryTemplate.Problem(3, "'(' at character 4 is never closed")), t.syntaxProblemsAt());
        assertEquals(17, t.offsetOf("workload"));
        assertEquals(-1, t.offsetOf("wave"));
        QueryTemplate.MalformedPlaceholderException e = assertThrows(QueryTemplate.MalformedPlaceholderException.class,
                () -> QueryTemplate.of("up + {{ x y }}"));
        assertEquals(5, e.offset());
    }
}
