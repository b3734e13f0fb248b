package dev.revroll.cli;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.json.JsonMapper;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@MicronautTest(application = Revroll.class, environments = Environment.CLI, startApplication = false)
class ValidateCommandTest {

    @Inject
    ApplicationContext context;

    record Result(int exitCode, String out, String err) {
    }

    private Result revroll(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Revroll.commandLine(context);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void validPlanPrintsOneSummaryLine() {
        Result r = revroll("validate", "plans/mesh-1-24.yaml");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("plans/mesh-1-24.yaml: valid plan mesh-1-24: revision 1-24-1 (from 1-23-4), 2 waves, 1 listed namespace, 1 selector, gates: proxySync, error-rate, p99-per-workload\n",
                r.out());
        assertEquals("", r.err());
    }

    @Test
    void validPlanAsJson() throws IOException {
        Result r = revroll("validate", "-o", "json", "plans/minimal.yaml");
        assertEquals(0, r.exitCode(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = context.getBean(JsonMapper.class).readValue(r.out(), Map.class);
        assertEquals(true, doc.get("valid"));
        assertEquals("minimal", doc.get("name"));
        assertEquals(Map.of("to", "1-28-0"), doc.get("revision"));
        assertEquals(List.of("proxySync"), doc.get("gates"));
    }

    @Test
    void validPlanAsMarkdown() {
        Result r = revroll("validate", "plans/tag.yaml", "--output=markdown");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("### Plan `stable-tag` is valid\n"), r.out());
        assertTrue(r.out().contains("| rest |  | `istio.io/rev in (stable,default),env=prod` | payments-legacy | 3 |"), r.out());
    }

    @Test
    void invalidPlanListsEveryProblemOnStderrAndExits2(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("bad.yaml");
        Files.writeString(plan, """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: bad
                spec:
                  revision:
                    to: 1-28-0
                  wavez:
                    - name: a
                  waves:
                    - name: a
                      namespaces: [kube-system]
                """);
        Result r = revroll("validate", plan.toString());
        assertEquals(2, r.exitCode());
        assertEquals("", r.out());
        assertEquals(plan + ":8:3: spec.wavez: unknown field, did you mean 'waves'?\n"
                + plan + ":12:20: spec.waves[0].namespaces[0]: 'kube-system' is a Kubernetes system namespace and is never a target\n"
                + "revroll: " + plan + " is not a valid plan (2 problems); nothing was touched\n", r.err());
        assertFalse(r.err().contains("Exception"));
    }

    @Test
    void invalidPlanAsJsonGoesToStdout(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("bad.yaml");
        Files.writeString(plan, "apiVersion: revroll.dev/v1alpha1\nkind: RolloutPlan\nmetadata: {name: x}\nspec:\n  revision: {to: a}\n  waves: [{name: w, selector: 'a in b'}]\n");
        Result r = revroll("validate", "-o", "json", plan.toString());
        assertEquals(2, r.exitCode());
        assertEquals("", r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = context.getBean(JsonMapper.class).readValue(r.out(), Map.class);
        assertEquals(false, doc.get("valid"));
        assertEquals(List.of(Map.of("file", plan.toString(), "line", 6, "column", 31, "field", "spec.waves[0].selector",
                "message", "invalid label selector 'a in b': 'in' needs a list in parentheses, e.g. a in (a,b)")), doc.get("problems"));
    }

    @Test
    void missingFileAndYamlErrorsHaveNoStackTrace(@TempDir Path dir) throws IOException {
        Result missing = revroll("validate", dir.resolve("nope.yaml").toString());
        assertEquals(2, missing.exitCode());
        assertEquals(dir.resolve("nope.yaml") + ": no such file\nrevroll: " + dir.resolve("nope.yaml")
                + " is not a valid plan (1 problem); nothing was touched\n", missing.err());
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "spec:\n  waves: [a, b\n");
        Result r = revroll("validate", broken.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith(broken + ":3:1: YAML syntax error: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void badOutputFormatAndMissingArgumentAreUsageErrors() {
        Result r = revroll("validate", "-o", "yaml", "plans/minimal.yaml");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("'yaml' is not an output format; valid: text, json, markdown"), r.err());
        Result none = revroll("validate");
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("Missing required parameter: 'PLAN'"), none.err());
    }

    @Test
    void globalOptionsAreAccepted() {
        Result r = revroll("validate", "--kubeconfig", "/nonexistent", "--context", "x", "--verbose", "plans/minimal.yaml");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(revroll("validate", "--help").out().contains("--kubeconfig=PATH"));
        assertTrue(revroll("--help").out().contains("validate"));
    }

    @Test
    void aPlanWhoseStepCanNeverFitInItsWindowIsInvalidAtTheWindowsDuration(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("tight.yaml");
        Files.writeString(plan, """
                apiVersion: revroll.dev/v1alpha1
                kind: RolloutPlan
                metadata:
                  name: tight
                spec:
                  revision:
                    to: 1-28-0
                  waves: [{name: a, namespaces: [x]}]
                  window:
                    cron: "0 22 * * *"
                    duration: 20s
                """);
        Result r = revroll("validate", plan.toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains(plan + ":11:15: spec.window.duration: the plan's estimate of one step (25s: no metric gates + rollout of 1 replica ~25s"
                + " (the plan's estimate)) is longer than the window is ever open (20s), so no step could ever start"), r.err());
    }
}
