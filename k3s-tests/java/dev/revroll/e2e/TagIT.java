package dev.revroll.e2e;

import dev.revroll.e2e.world.Needs;
import dev.revroll.e2e.world.WorldFeature;
import dev.revroll.e2e.world.TestNamespaces;
import dev.revroll.e2e.world.WorldNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code revision.to} names a tag: namespaces get the tag as their label; gates check the revision it points at. */
@ExtendWith(WorldNamespaces.class)
@Needs(WorldFeature.PODS_OF_ANY_IMAGE)
class TagIT {

    MeshFixture mesh;

    @BeforeEach
    void mesh(TestNamespaces namespaces) {
        mesh = new MeshFixture(namespaces);
    }

    @Test
    void movesANamespaceOntoATag() {
        String tag = "e2e-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        mesh.world.istioctl("tag", "set", tag, "--revision", mesh.world.newRevision(), "-y");
        try {
            await("tag webhook istio-revision-tag-" + tag + " to call the local istiod", Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(RuntimeException.class).until(() -> {
                        String got = mesh.world.kubectl("get", "mutatingwebhookconfiguration", "istio-revision-tag-" + tag, "-o",
                                "jsonpath={range .webhooks[*]}{.clientConfig.url}|{.clientConfig.caBundle}{\"\\n\"}{end}");
                        return !got.isBlank() && got.lines().allMatch(l -> l.matches("https://127\\.0\\.0\\.1:\\d+/.+\\|.+"));
                    });
            String ns = mesh.meshedNamespace("tag", Map.of(), "web");
            Path plan = mesh.plan("e2e-tag", "- name: only\n  namespaces: [" + ns + "]\n", RunIT.gates())
                    ;
            PreflightIT.writeString(plan, PreflightIT.readString(plan).replace("to: " + mesh.world.newRevision(), "to: " + tag));

            RevrollProcess.Result run = RevrollProcess.run(mesh.world, "run", plan.toString());

            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(tag, mesh.labels(ns).get("istio.io/rev"));
            mesh.podRevisions(ns).forEach((pod, rev) -> assertEquals(mesh.world.newRevision(), rev, pod));
            assertTrue(run.out().contains("/debug/syncz of istiod " + mesh.world.newRevision()), run.out());
        } finally {
            mesh.world.istioctl("tag", "remove", tag, "-y");
        }
    }
}
