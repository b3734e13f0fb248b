package dev.revroll.e2e;

import dev.revroll.e2e.world.SandboxWorld;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The world's kubectl runs revroll as its plugin: bin/kubectl-revroll and bin/kubectl_complete-revroll linked into a
 * directory on the PATH (as the README says), {@code kubectl revroll preview} reaches the world, usage and error
 * hints say {@code kubectl revroll}, kubectl's plugin completion offers revroll's words, and kubectl refuses its own
 * flags before the plugin name (README "kubectl plugin", docs/kubeconfig.md).
 */
@ExtendWith(WorldNamespaces.class)
class KubectlPluginIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void kubectlRunsRevrollAsAPlugin() throws IOException {
        SandboxWorld world = mesh.world;
        String ns = mesh.namespace("plugin", Map.of("istio.io/rev", world.oldRevision()));
        Path plan = mesh.plan("e2e-plugin", "- name: only\n  namespaces: [" + ns + "]\n", "");
        Path onPath = Files.createTempDirectory("revroll-plugin-path");
        for (String name : List.of("kubectl-revroll", "kubectl_complete-revroll")) {
            Files.createSymbolicLink(onPath.resolve(name), world.checkout().resolve("bin").resolve(name).toAbsolutePath());
        }
        // the jar the other tests run; no AOT training run (a JDK 25 on this machine would start one)
        Map<String, String> env = Map.of("PATH", onPath + File.pathSeparator + System.getenv("PATH"),
                "REVROLL_JAR", RevrollProcess.jar(world).toString(), "REVROLL_AOT", "off");

        assertTrue(kubectl(env, "plugin", "list").out().contains(onPath.resolve("kubectl-revroll").toString()));

        RevrollProcess.Result preview = kubectl(env, "revroll", "preview", plan.toString(),
                "--kubeconfig", world.kubeconfig().toString(), "--context", world.context());
        assertEquals(0, preview.exitCode(), preview.toString());
        assertTrue(preview.out().contains(ns), preview.toString());

        RevrollProcess.Result help = kubectl(env, "revroll", "status", "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().startsWith("Usage: kubectl revroll status "), help.toString());
        RevrollProcess.Result bad = kubectl(env, "revroll", "status", "--bogus");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("Try 'kubectl revroll status --help' for usage."), bad.toString());

        assertEquals(List.of("preview", ":0"), kubectl(env, "__complete", "revroll", "pre").out().lines().toList());
        assertEquals(List.of("text", "json", "markdown", ":0"), kubectl(env, "__complete", "revroll", "status", "-o", "").out().lines().toList());

        RevrollProcess.Result flagFirst = kubectl(env, "--context", world.context(), "revroll", "status");
        assertNotEquals(0, flagFirst.exitCode(), flagFirst.toString());
        assertTrue(flagFirst.err().contains("flags cannot be placed before plugin name"), flagFirst.toString());
    }

    private RevrollProcess.Result kubectl(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(mesh.world.bin().resolve("kubectl").toString()));
        cmd.addAll(List.of(args));
        return RevrollProcess.runProgram(cmd, env);
    }
}
