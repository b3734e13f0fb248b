package dev.revroll.git;

import dev.revroll.errors.PreflightException;
import dev.revroll.plan.Plan;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.BranchConfig;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local clone the plan names, opened and checked: its current branch, that branch's upstream (remote, branch on
 * the remote, remote-tracking ref), the remote's URL, and the plan's manifest path template ({@code git.path}).
 *
 * @param remoteBranch the upstream branch as a full ref on the remote ({@code refs/heads/main})
 * @param trackingRef  the local remote-tracking ref of that branch ({@code refs/remotes/origin/main})
 */
record GitClone(Plan.GitConfig config, String planName, Git git, String branch, String remote, String remoteBranch,
                String trackingRef, String remoteUrl) implements AutoCloseable {

    private static final Pattern NAMESPACE_PLACEHOLDER = Pattern.compile("\\{\\{\\s*namespace\\s*}}");
    private static final Pattern PLAN_PLACEHOLDER = Pattern.compile("\\{\\{\\s*plan\\s*}}");
    private static final Pattern OTHER_PLACEHOLDER = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    /** Opens the clone named by the plan, or refuses with a {@link PreflightException} that says what to fix. */
    static GitClone open(Plan.GitConfig config, String planName) {
        Path dir = Path.of(config.repo());
        Matcher other = OTHER_PLACEHOLDER.matcher(config.path());
        while (other.find()) {
            if (!other.group(1).equals("namespace") && !other.group(1).equals("plan")) {
                throw refused("git.path " + config.path() + ": the placeholder {{" + other.group(1)
                        + "}} is not supported for manifest paths; use {{namespace}} (and {{plan}})");
            }
        }
        if (!Files.isDirectory(dir)) {
            throw refused("git.repo " + dir + " does not exist; clone the GitOps repository there first");
        }
        Git git;
        try {
            git = Git.open(dir.toFile());
        } catch (RepositoryNotFoundException e) {
            throw refused("git.repo " + dir + " is not a Git clone");
        } catch (IOException e) {
            throw refused("git.repo " + dir + " cannot be opened: " + e.getMessage());
        }
        try {
            Repository repo = git.getRepository();
            String full = repo.getFullBranch();
            if (full == null || !full.startsWith(Constants.R_HEADS)) {
                throw refused("the clone " + dir + " is on a detached HEAD; check out the branch revroll should write to");
            }
            String branch = Repository.shortenRefName(full);
            BranchConfig bc = new BranchConfig(repo.getConfig(), branch);
            String remote = bc.getRemote();
            String merge = bc.getMerge();
            if (remote == null || merge == null || bc.isRemoteLocal()) {
                throw refused("branch " + branch + " of the clone " + dir
                        + " has no upstream; run: git -C " + dir + " branch --set-upstream-to=origin/" + branch);
            }
            String tracking = bc.getRemoteTrackingBranch();
            if (tracking == null) {
                tracking = Constants.R_REMOTES + remote + "/" + Repository.shortenRefName(merge);
            }
            String url = repo.getConfig().getString("remote", remote, "url");
            if (url == null) {
                throw refused("remote " + remote + " of the clone " + dir + " has no url");
            }
            return new GitClone(config, planName, git, branch, remote, merge, tracking, url);
        } catch (IOException e) {
            git.close();
            throw refused("the clone " + dir + " cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            git.close();
            throw e;
        }
    }

    private static PreflightException refused(String reason) {
        return new PreflightException(List.of(Redaction.redact(reason)));
    }

    Repository repo() {
        return git.getRepository();
    }

    /** The manifest path of a namespace, from the plan's template. */
    String pathOf(String namespace) {
        String path = NAMESPACE_PLACEHOLDER.matcher(config.path()).replaceAll(Matcher.quoteReplacement(namespace));
        path = PLAN_PLACEHOLDER.matcher(path).replaceAll(Matcher.quoteReplacement(planName));
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path;
    }

    /** The upstream as people write it: {@code origin/main}. */
    String remoteName() {
        return remote + "/" + Repository.shortenRefName(remoteBranch);
    }

    /** Where the record lives, for messages (credentials redacted). */
    String describe() {
        return Redaction.redact(remoteUrl + " branch " + Repository.shortenRefName(remoteBranch) + " (clone " + config.repo()
                + ", files " + config.path() + ")");
    }

    /** The commit a ref or id names in the clone, or null when it names none or cannot be read. */
    ObjectId resolveOrNull(String rev) {
        try {
            return repo().resolve(rev);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
