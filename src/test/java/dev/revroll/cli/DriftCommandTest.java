package dev.revroll.cli;

import dev.revroll.engine.journal.ClusterRecords.BreakGlassMark;
import dev.revroll.engine.GitDrift;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.json.JsonMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How drift results read (text, markdown, JSON); the comparison itself is proven against the world in DriftIT. */
@MicronautTest(application = Revroll.class, environments = Environment.CLI, startApplication = false)
class DriftCommandTest {

    @Inject
    ApplicationContext context;

    private static GitDrift.Report report() {
        return new GitDrift.Report("mesh", "git://h/r.git branch main", "ctx", List.of(
                new GitDrift.NamespaceDrift("shop", Optional.of(Map.of("istio.io/rev", "1-28-0")),
                        Optional.of(Map.of("istio.io/rev", "1-28-0")), Optional.empty(), List.of()),
                new GitDrift.NamespaceDrift("pay", Optional.of(Map.of("istio.io/rev", "1-28-0")), Optional.of(Map.of()),
                        Optional.of(new BreakGlassMark("r1", "s2", "0123456789abcdef", "2026-11-25T12:00:00Z")),
                        List.of("istio.io/rev: Git 1-28-0, cluster (absent)", "break-glass ...")),
                new GitDrift.NamespaceDrift("gone", Optional.empty(), Optional.empty(), Optional.empty(),
                        List.of("no Namespace manifest in Git"))));
    }

    @Test
    void textListsEachDifferenceAndASummary() {
        String text = DriftCommand.text(report());
        assertTrue(text.contains("  shop  in line istio.io/rev=1-28-0\n"), text);
        assertTrue(text.contains("  pay   DRIFT istio.io/rev: Git 1-28-0, cluster (absent)\n        DRIFT break-glass ...\n"), text);
        assertTrue(text.endsWith("3 namespaces compared; 2 differ\n"), text);
    }

    @Test
    void jsonCarriesNullsForMissingSidesAndTheBreakGlassMark() throws Exception {
        String json = context.getBean(JsonMapper.class).writeValueAsString(DriftCommand.document(report()));
        assertTrue(json.contains("\"drifted\":true"), json);
        assertTrue(json.contains("\"breakGlass\":{\"run\":\"r1\",\"step\":\"s2\",\"commit\":\"0123456789abcdef\""), json);
        assertTrue(json.contains("\"namespace\":\"gone\""), json);
    }

    @Test
    void aPlanWithoutGitIsAUsageError() throws Exception {
        java.nio.file.Path plan = java.nio.file.Files.createTempFile("plan", ".yaml");
        java.nio.file.Files.writeString(plan, """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: no-git
                spec:
                  revision:
                    to: 1-28-0
                  waves:
                    - name: w
                      namespaces: [a]
                """);
        StringWriter err = new StringWriter();
        picocli.CommandLine cmd = Revroll.commandLine(context);
        cmd.setErr(new PrintWriter(err, true));
        assertEquals(2, cmd.execute("drift", plan.toString()));
        assertTrue(err.toString().contains("the plan has no spec.git section"), err.toString());
    }
}
