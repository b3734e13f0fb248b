package dev.revroll.cli;

import dev.revroll.engine.GitDrift;
import dev.revroll.engine.GitDrift.NamespaceDrift;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code revroll drift PLAN}: for every namespace the plan touches, the injection labels in Git (at the remote's head)
 * against the cluster. Exit 0 when they agree everywhere, 1 when any differ or a break-glass rollback left Git behind.
 */
@Prototype
@Command(name = "drift", mixinStandardHelpOptions = true,
        description = {"Compare istio.io/rev and istio-injection in Git (at the remote's head) with the cluster, for every "
                + "namespace the plan touches.",
                "Exit 0: Git and cluster agree. Exit 1: they differ, or a break-glass rollback left Git behind (run 'revroll reconcile PLAN')."})
public class DriftCommand extends RevrollCommand {

    public DriftCommand() {
        super(ExitCode.DONE, ExitCode.DRIFTED, ExitCode.INVALID, ExitCode.PREFLIGHT_REFUSED, ExitCode.UNAVAILABLE, ExitCode.INTERNAL_ERROR);
    }

    @Mixin
    PlanArgument plan;

    @Override
    CommandResult execute() {
        PrintWriter out = out();
        GitDrift.Report report;
        try (GitOpsTargets targets = GitOpsTargets.open(plan, global, err())) {
            report = new GitDrift(targets.plan(), targets.kube(), targets.git()).check();
        }
        switch (global.output()) {
            case JSON -> out.println(toJson(document(report)));
            case MARKDOWN -> out.print(markdown(report));
            case TEXT -> out.print(text(report));
        }
        out.flush();
        return report.drifted() ? CommandResult.DRIFTED : CommandResult.DONE;
    }

    static String text(GitDrift.Report report) {
        StringBuilder sb = new StringBuilder();
        sb.append("plan ").append(report.planName()).append(": Git ").append(report.gitRemote())
                .append(" against cluster context ").append(report.kubeContext()).append('\n');
        int width = report.namespaces().stream().mapToInt(n -> n.namespace().length()).max().orElse(0);
        for (NamespaceDrift n : report.namespaces()) {
            String name = String.format("  %-" + width + "s  ", n.namespace());
            if (!n.drifted()) {
                sb.append(name).append("in line ").append(labels(n.git().orElse(Map.of()))).append('\n');
            } else {
                for (String d : n.differences()) {
                    sb.append(name).append("DRIFT ").append(d).append('\n');
                    name = " ".repeat(name.length());
                }
            }
        }
        int drifted = report.drifts().size();
        sb.append(report.namespaces().size()).append(" namespace").append(report.namespaces().size() == 1 ? "" : "s")
                .append(" compared; ").append(drifted == 0 ? "Git and cluster agree" : drifted + " differ").append('\n');
        return sb.toString();
    }

    static String markdown(GitDrift.Report report) {
        StringBuilder sb = new StringBuilder("### Drift of plan `").append(report.planName()).append("`\n\n")
                .append("Git `").append(report.gitRemote()).append("` against cluster context `").append(report.kubeContext())
                .append("`.\n\n| namespace | Git | cluster | differences |\n|---|---|---|---|\n");
        for (NamespaceDrift n : report.namespaces()) {
            sb.append("| ").append(n.namespace()).append(" | ").append(n.git().map(DriftCommand::labels).orElse("(no manifest)"))
                    .append(" | ").append(n.cluster().map(DriftCommand::labels).orElse("(no namespace)"))
                    .append(" | ").append(n.drifted() ? String.join("; ", n.differences()) : "none").append(" |\n");
        }
        return sb.toString();
    }

    static Map<String, Object> document(GitDrift.Report report) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("plan", report.planName());
        doc.put("git", report.gitRemote());
        doc.put("context", report.kubeContext());
        doc.put("drifted", report.drifted());
        List<Map<String, Object>> namespaces = new ArrayList<>();
        for (NamespaceDrift n : report.namespaces()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", n.namespace());
            m.put("drifted", n.drifted());
            m.put("git", n.git().orElse(null));
            m.put("cluster", n.cluster().orElse(null));
            n.breakGlass().ifPresent(b -> {
                Map<String, Object> bg = new LinkedHashMap<>();
                bg.put("run", b.run());
                bg.put("step", b.step());
                bg.put("commit", b.commit());
                bg.put("at", b.at());
                m.put("breakGlass", bg);
            });
            m.put("differences", n.differences());
            namespaces.add(m);
        }
        doc.put("namespaces", namespaces);
        return doc;
    }

    private static String labels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "(no injection labels)";
        }
        List<String> parts = new ArrayList<>();
        labels.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }
}
