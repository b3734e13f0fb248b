package dev.revroll.cli;

import dev.revroll.errors.RevrollException;
import dev.revroll.errors.UsageException;
import dev.revroll.git.Cloning;
import dev.revroll.plan.Plan;
import dev.revroll.plan.PlanLoader;
import io.micronaut.context.annotation.Prototype;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code revroll manifests --plan PLAN --image IMAGE}: prints what to apply so that the cluster runs the plan by
 * itself at its window's start (docs/in-cluster.md). Reads no cluster; reads the plan's local Git clone only for its
 * remote's URL and branch when {@code --git-url} is not given.
 */
@Prototype
@Command(name = "manifests", mixinStandardHelpOptions = true,
        description = {"Print the Kubernetes objects that run the plan inside the cluster: a ServiceAccount, a ClusterRole and "
                + "a Role with exactly the permissions revroll uses, their bindings, a ConfigMap with the plan and a CronJob "
                + "(concurrencyPolicy Forbid) that runs 'revroll run' at the start of the plan's window.",
                "Apply with: revroll manifests --plan PLAN --image IMAGE | kubectl apply -f -   (docs/in-cluster.md)"})
public class ManifestsCommand extends RevrollCommand {

    public ManifestsCommand() {
        super(ExitCode.DONE, ExitCode.INVALID, ExitCode.INTERNAL_ERROR);
    }

    @Option(names = "--plan", paramLabel = "PLAN", required = true, description = "The plan file the CronJob runs.")
    Path planFile;

    @Option(names = "--image", paramLabel = "IMAGE", required = true,
            description = "The revroll container image (built with 'mvn -Pimage jib:build' or jib:buildTar; see the README).")
    String image;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "revroll",
            description = "Namespace of the ServiceAccount, the plan ConfigMap and the CronJob (default: ${DEFAULT-VALUE}; it must exist).")
    String namespace;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Name of every object (default: revroll-<plan name>; the ConfigMap is NAME-plan).")
    String name;

    @Option(names = "--schedule", paramLabel = "CRON",
            description = "When the CronJob starts (5-field cron, in the cluster's time zone). Default: the plan's window "
                    + "(its cron and timeZone); required when the plan has no window.")
    String schedule;

    @Option(names = "--git-secret", paramLabel = "SECRET",
            description = "The Secret (in --namespace, created by you) with the Git credentials: key 'token' (and 'username') "
                    + "for HTTPS, or SSH keys and 'known_hosts' (mounted as ~/.ssh). Default: NAME-git.")
    String gitSecret;

    @Option(names = "--git-url", paramLabel = "URL",
            description = "The GitOps remote the CronJob clones (default: the upstream of the plan's local clone).")
    String gitUrl;

    @Option(names = "--git-branch", paramLabel = "BRANCH",
            description = "Its branch (default: the local clone's upstream branch, else the remote's default branch).")
    String gitBranch;

    @Override
    CommandResult execute() {
        Plan plan = PlanLoader.load(planFile);
        String text;
        try {
            text = Files.readString(planFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("cannot read " + planFile + ": " + e.getMessage());
        }
        String objectName = name != null ? name : InClusterManifests.defaultName(plan);
        InClusterManifests manifests = new InClusterManifests(plan, planFile, text, rawGitRepo(text), new InClusterManifests.Options(
                image, namespace, objectName, Optional.ofNullable(schedule), gitSecret != null ? gitSecret : objectName + "-git",
                upstream(plan)));
        PrintWriter out = out();
        if (global.output() == OutputFormat.JSON) {
            Map<String, Object> list = new LinkedHashMap<>();
            list.put("apiVersion", "v1");
            list.put("kind", "List");
            list.put("items", manifests.documents().stream().map(InClusterManifests.Document::object).toList());
            out.println(toJson(list));
        } else {
            out.print(manifests.yaml());
        }
        out.flush();
        return CommandResult.DONE;
    }

    private Optional<Cloning.Upstream> upstream(Plan plan) {
        if (plan.spec().git().isEmpty()) {
            return Optional.empty();
        }
        if (gitUrl != null) {
            return Optional.of(new Cloning.Upstream(gitUrl, gitBranch));
        }
        try {
            return Cloning.upstreamOf(plan.spec().git().get(), plan.name())
                    .map(u -> gitBranch == null ? u : new Cloning.Upstream(u.url(), gitBranch));
        } catch (RevrollException e) {
            throw new UsageException("the plan's clone " + plan.spec().git().get().repo() + " does not say which remote the CronJob should clone ("
                    + e.getMessage() + "); give --git-url URL");
        }
    }

    /** {@code spec.git.repo} as written in the file (the loader resolves it; the pod needs it as written). */
    @SuppressWarnings("unchecked")
    static Optional<String> rawGitRepo(String text) {
        try {
            Object doc = new Yaml().load(text);
            if (doc instanceof Map<?, ?> m && m.get("spec") instanceof Map<?, ?> spec && spec.get("git") instanceof Map<?, ?> git
                    && git.get("repo") instanceof String repo) {
                return Optional.of(repo);
            }
        } catch (RuntimeException e) {
            // the loader has read the file already; nothing new to say
        }
        return Optional.empty();
    }
}
