package dev.revroll.e2e;

import dev.revroll.git.GitException;
import dev.revroll.git.JGitOpsRepository;
import dev.revroll.plan.Plan;
import dev.revroll.ports.GitOpsRepository.StepChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.revroll.e2e.GitDaemonRemote.git;
import static dev.revroll.e2e.world.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A smart-HTTP remote ({@code git http-backend} behind basic auth): credentials from the remote URL are used to push
 * and never appear in what revroll prints.
 */
class GitHttpCredentialsIT {

    private static final String TOKEN = "s3cret-tok3n-42";

    @TempDir
    Path tmp;

    private GitDaemonRemote remote;
    private Process http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.destroy();
            http.waitFor(10, TimeUnit.SECONDS);
        }
        if (remote != null) {
            remote.close();
        }
    }

    @Test
    void pushesWithTheUrlsCredentialsAndNeverPrintsThem() throws Exception {
        remote = GitDaemonRemote.start(tmp, Map.of("ns/shop.yaml", "kind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio-injection: enabled\n"));
        int port = GitDaemonRemote.freePort();
        http = new ProcessBuilder("python3", Path.of("k3s-tests/git/smart-http.py").toAbsolutePath().toString(),
                Integer.toString(port), remote.bare().getParent().toString(), "revroll", TOKEN)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("smart-http.log").toFile()).start();
        await("smart-http listening on 127.0.0.1:" + port, Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> GitDaemonRemote.listens(port));
        String url = "http://revroll:" + TOKEN + "@127.0.0.1:" + port + "/gitops.git";
        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", url, clone.toString());
        Plan.GitConfig config = new Plan.GitConfig(clone.toString(), "ns/{{namespace}}.yaml", true, Optional.empty(), Optional.empty());
        StepChange step = new StepChange("p", "run-h", "s1", "shop", "1-28-0", Map.of());

        try (JGitOpsRepository repo = JGitOpsRepository.open(config, "p")) {
            assertEquals("http://***@127.0.0.1:" + port + "/gitops.git branch main (clone " + clone + ", files ns/{{namespace}}.yaml)",
                    repo.describe());
            assertEquals(List.of(), repo.preflight(List.of("shop")));
            String id = repo.commit(step);
            assertEquals(id, git(remote.bare(), "rev-parse", "main").strip());
            assertEquals("kind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio.io/rev: 1-28-0\n",
                    git(remote.bare(), "show", "main:ns/shop.yaml"));
        }

        String wrong = "wr0ng-passw0rd";
        git(clone, "remote", "set-url", "origin", "http://revroll:" + wrong + "@127.0.0.1:" + port + "/gitops.git");
        try (JGitOpsRepository repo = JGitOpsRepository.open(config, "p")) {
            List<String> problems = repo.preflight(List.of("shop"));
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).contains("http://***@127.0.0.1:" + port + "/gitops.git"), problems.get(0));
            assertTrue(problems.get(0).toLowerCase().contains("not authorized"), problems.get(0));
            assertFalse(problems.get(0).contains(wrong), problems.get(0));
            GitException e = assertThrows(GitException.class, () -> repo.commit(new StepChange("p", "run-h", "s2", "shop", "1-29-0", Map.of())));
            assertFalse(e.getMessage().contains(wrong), e.getMessage());
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains(wrong), t.getMessage());
            }
        }
    }
}
