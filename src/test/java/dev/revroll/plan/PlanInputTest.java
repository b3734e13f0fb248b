package dev.revroll.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plan that validates behaves as validated: every YAML number form is read as written or refused with its line and
 * column, input is bounded (size, depth, aliases), a problem inside a multi-line query is reported at its own line,
 * and a plan with every gate off needs {@code gates.none}.
 */
class PlanInputTest {

    @TempDir
    Path dir;

    private static final String HEAD = PlanFiles.HEAD + """
              waves:
                - name: all
                  namespaces: [demo]
            """;

    private static final String GATE = HEAD + """
              prometheus: {url: "http://prom:9090"}
              gates:
                metrics:
                  - name: g
                    query: up
                    failWhen: "> 1"
            """;

    private Path write(String yaml) throws IOException {
        return PlanFiles.write(dir, "plan.yaml", yaml);
    }

    private List<String> problems(String yaml) throws IOException {
        return PlanFiles.problems(dir, yaml);
    }

    @ParameterizedTest(name = "parallel: {0} reads as {1}")
    @CsvSource(delimiter = '|', value = {"7|7", "1_000|1000", "+3|3", "2147483647|2147483647"})
    void decimalWholeNumbersAreReadAsWritten(String text, int expected) throws IOException {
        Plan plan = PlanLoader.load(write(HEAD.replace("namespaces: [demo]", "namespaces: [demo]\n      parallel: " + text)));
        assertEquals(expected, plan.spec().waves().get(0).parallel());
    }

    @ParameterizedTest(name = "parallel: {0}")
    @CsvSource(delimiter = '|', value = {
            "0x10|'0x10' is hexadecimal; write the number in decimal (it means 16)",
            "017|'017' has a leading zero, which YAML 1.1 reads as octal (it means 15) and YAML 1.2 as decimal; write it without the leading zero",
            "0o17|must be a whole number, found '0o17'",
            "0b101|'0b101' is binary; write the number in decimal (it means 5)",
            "1:30|'1:30' is read by YAML as a base-60 number (it means 90); write the number in decimal (a duration field takes units: 1m30s)",
            ".inf|must be a whole number, found '.inf'",
            ".nan|must be a whole number, found '.nan'",
            "1e3|must be a whole number, found '1e3'",
            "2.5|must be a whole number, found '2.5'",
            "99999999999|'99999999999' is out of range; at most 2147483647",
            "-1|must be at least 1, found -1",
            "0|must be at least 1, found 0"})
    void otherWholeNumberFormsAreRefusedWhereTheyAre(String text, String message) throws IOException {
        assertEquals(List.of("F:11:17: spec.waves[0].parallel: " + message),
                problems(HEAD.replace("namespaces: [demo]", "namespaces: [demo]\n      parallel: " + text)));
    }

    @ParameterizedTest(name = "minRequests: {0} reads as {1}")
    @CsvSource(delimiter = '|', value = {"1e3|1000", "1.5e-1|0.15", "1_000.5|1000.5", ".5|0.5", "12|12"})
    void decimalNumbersAreReadAsWritten(String text, double expected) throws IOException {
        Plan plan = PlanLoader.load(write(GATE + "        minRequests: " + text + "\n"));
        assertEquals(Optional.of(expected), plan.spec().gates().metrics().get(0).minRequests());
    }

    @ParameterizedTest(name = "minRequests: {0}")
    @CsvSource(delimiter = '|', value = {
            ".inf|'.inf' is not a finite number; write a decimal number such as 10 or 0.5",
            "-.inf|'-.inf' is not a finite number; write a decimal number such as 10 or 0.5",
            ".NaN|'.NaN' is not a finite number; write a decimal number such as 10 or 0.5",
            "1e400|'1e400' is out of range for a number",
            "0x1F|'0x1F' is hexadecimal; write the number in decimal (it means 31)",
            "1:00|'1:00' is read by YAML as a base-60 number (it means 60); write the number in decimal (a duration field takes units: 1m30s)"})
    void otherNumberFormsAreRefusedWhereTheyAre(String text, String message) throws IOException {
        assertEquals(List.of("F:17:22: spec.gates.metrics[0].minRequests: " + message), problems(GATE + "        minRequests: " + text + "\n"));
    }

    @Test
    void maxRatioAndThresholdMustBeFinite() throws IOException {
        assertEquals(List.of("F:16:19: spec.gates.metrics[0].failWhen: the threshold 1e999 is out of range for a number",
                        "F:17:41: spec.gates.metrics[0].baseline.maxRatio: '.nan' is not a finite number; write a decimal number such as 10 or 0.5"),
                problems(GATE.replace("\"> 1\"", "\"> 1e999\"") + "        baseline: {query: up, maxRatio: .nan}\n"));
    }

    @Test
    void aFileOverTheSizeCapIsRefusedBeforeItIsRead() throws IOException {
        String big = HEAD + "#" + "x".repeat(PlanLimits.MAX_FILE_BYTES) + "\n";
        List<String> p = problems(big);
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("F: is " + big.length() + " bytes; a plan file may have at most 4194304 bytes"), p.get(0));
    }

    @Test
    void nestingDeeperThanTheLimitIsRefusedWhereItGetsTooDeep() throws IOException {
        assertEquals(List.of("F:11:54: nested more than 50 levels deep; a plan needs a handful"),
                problems(HEAD + "  x: " + "[".repeat(200) + "]".repeat(200) + "\n"));
    }

    @Test
    void tooManyAliasesAreRefusedAtTheFirstOneTooMany() throws IOException {
        String aliases = String.join(", ", java.util.Collections.nCopies(PlanLimits.MAX_ALIASES + 5, "*a"));
        assertEquals(List.of("F:2:" + (5 + 4 * PlanLimits.MAX_ALIASES) + ": more than 1000 aliases (*name) in one plan"),
                problems("a: &a [1]\nb: [" + aliases + "]\n" + HEAD));
    }

    @Test
    void aBillionLaughsIsRefusedAtTheCollectionThatIsTooLarge() throws IOException {
        StringBuilder lol = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            lol.append("a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, "*a" + (i - 1)))).append("]\n");
        }
        assertEquals(List.of("F:7:5: with its aliases expanded this stands for more than 1000000 values; share less through anchors and aliases"),
                problems(lol + HEAD));
    }

    @Test
    void aRecursiveAliasIsRefused() throws IOException {
        assertEquals(List.of("F:11:13: alias *r refers to a collection from inside itself; a plan cannot be recursive"),
                problems(HEAD + "  x: &r [1, *r]\n"));
    }

    @Test
    void anchorsAndAliasesStillShareValues() throws IOException {
        Plan plan = PlanLoader.load(write(HEAD.replace("namespaces: [demo]", "namespaces: [demo]\n      exclude: &skip [legacy]")
                + "    - name: two\n      selector: team=x\n      exclude: *skip\n"));
        assertEquals(List.of("legacy"), plan.spec().waves().get(1).exclude());
    }

    @Test
    void aProblemInsideALiteralBlockQueryIsReportedAtItsOwnLine() throws IOException {
        assertEquals(List.of(
                        "F:18:14: spec.gates.metrics[0].query: PromQL: '(' at character 44 is never closed",
                        "F:18:25: spec.gates.metrics[0].query: unknown placeholder {{namspace}}, did you mean {{namespace}}? known: namespace, revision, fromRevision, workload, wave, plan, interval"),
                problems(GATE.replace("query: up", """
                        query: |
                                  sum(rate(x{a="{{namespace}}"}[1m]))
                                    /
                                  sum(rate(x{b="{{namspace}}"}[1m])""")));
    }

    @Test
    void aProblemInsideAFoldedOrPlainMultiLineQueryIsReportedAtItsOwnLine() throws IOException {
        assertEquals(List.of("F:17:27: spec.gates.metrics[0].query: malformed placeholder '{{ bad one }}' at character 53; "
                        + "write {{ name }} with one of: namespace, revision, fromRevision, workload, wave, plan, interval"),
                problems(GATE.replace("query: up", """
                        query: >
                                  sum(rate(x{a="{{namespace}}"}[1m]))
                                  / sum(rate(x{b="{{ bad one }}"}[1m]))""")));
        assertEquals(List.of("F:16:34: spec.gates.metrics[0].query: PromQL: '(' at character 47 is closed by ']' at character 60"),
                problems(GATE.replace("query: up", """
                        query: sum(rate(x{a="{{namespace}}"}[1m]))
                                  / sum(rate(x{b="y"}[1m]]))""")));
    }

    @Test
    void everyGateOffNeedsGatesNone() throws IOException {
        String off = HEAD + "  gates:\n    proxySync: {enabled: false}\n";
        assertEquals(List.of("F:12:26: spec.gates.proxySync.enabled: every gate is switched off (no metric gates either), so nothing would check "
                + "that moved workloads came back injected, in sync and healthy; turn a gate on, or opt in explicitly with "
                + "spec.gates.none: \"<why this plan needs no gates>\""), problems(off));
        Plan plan = PlanLoader.load(write(off + "    none: labels only, the namespaces run no workloads\n"));
        assertEquals(Optional.of("labels only, the namespaces run no workloads"), plan.spec().gates().none());
        assertTrue(plan.spec().gates().allOff());
    }

    @Test
    void gatesNoneNextToGatesThatAreOnIsAContradiction() throws IOException {
        assertEquals(List.of("F:12:11: spec.gates.none: says the plan has no gates, but the proxy-sync gate is on (gates.proxySync.enabled); "
                + "remove spec.gates.none or switch the gates off"), problems(HEAD + "  gates:\n    none: because\n"));
        assertEquals(List.of("F:18:11: spec.gates.none: says the plan has no gates, but it has metric gates; remove spec.gates.none or switch the gates off"),
                problems(GATE.replace("gates:\n", "gates:\n    proxySync: {enabled: false}\n") + "    none: because\n"));
    }
}
