package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
import dev.revroll.errors.UsageException;
import dev.revroll.plan.Plan;
import org.eclipse.jgit.api.CloneCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The plan's clone where there is none yet: a run in a fresh container (the CronJob of {@code revroll manifests},
 * docs/in-cluster.md) starts with an empty directory where the plan's {@code git.repo} points, and clones the GitOps
 * remote there first, with the same credentials as every fetch and push ({@link GitCredentials}). A clone that is
 * already there is used as it is.
 */
public final class Cloning {

    /** The clone's remote and branch, as {@code manifests} writes them into the CronJob. */
    public record Upstream(String url, String branch) {
    }

    private Cloning() {
    }

    /** The upstream (URL and branch on the remote) of the plan's local clone; empty when the clone is not there. */
    public static Optional<Upstream> upstreamOf(Plan.GitConfig config, String planName) {
        if (!Files.isDirectory(Path.of(config.repo()))) {
            return Optional.empty();
        }
        try (GitClone clone = GitClone.open(config, planName)) {
            return Optional.of(new Upstream(clone.remoteUrl(), org.eclipse.jgit.lib.Repository.shortenRefName(clone.remoteBranch())));
        }
    }

    /**
     * Clones {@code url} into the plan's {@code git.repo} when that directory is missing or empty; its branch
     * {@code branch} (else the remote's default branch) is checked out with its upstream set, as {@code git clone}
     * does. Returns true when it cloned. A directory with other content is left alone (the plan's clone checks apply).
     */
    public static boolean cloneIfMissing(Plan.GitConfig config, String url, Optional<String> branch) {
        Path dir = Path.of(config.repo());
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            return false;
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("git.repo " + dir + " is a file, not a directory to clone " + Redaction.redact(url) + " into");
        }
        CloneCommand command = Git.cloneRepository()
                .setURI(url)
                .setDirectory(dir.toFile())
                .setTimeout(GitResilience.transportTimeoutSeconds());
        branch.ifPresent(b -> command.setBranch(Constants.R_HEADS + b));
        try (Git ignored = GitCredentials.forRemote(url).apply(command).call()) {
            return true;
        } catch (Exception e) {
            throw new GitException(Reason.UNREACHABLE, "cannot clone the GitOps remote " + url
                    + branch.map(b -> " (branch " + b + ")").orElse("") + " into " + dir + ": " + GitMessages.rootMessage(e), e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UsageException("cannot read git.repo " + dir + ": " + e.getMessage());
        }
    }
}
