package dev.revroll.cli;

import dev.revroll.engine.GitDrift;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code revroll reconcile PLAN}: after {@code rollback --break-glass}, writes and pushes the revert commits Git is
 * missing, then removes each namespace's {@code revroll.dev/break-glass} mark. Safe to run again.
 */
@Prototype
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Bring Git back in line after 'revroll rollback --break-glass': for every namespace of the plan with a "
                + "revroll.dev/break-glass mark, push the missing revert commit, then remove the mark. Safe to run again."})
public class ReconcileCommand extends RevrollCommand {

    public ReconcileCommand() {
        super(ExitCode.DONE, ExitCode.INVALID, ExitCode.PREFLIGHT_REFUSED, ExitCode.ROLLBACK_INCOMPLETE, ExitCode.UNAVAILABLE, ExitCode.INTERNAL_ERROR);
    }

    @Mixin
    PlanArgument plan;

    @Override
    CommandResult execute() {
        PrintWriter out = out();
        List<GitDrift.Reconciled> done;
        String where;
        try (GitOpsTargets targets = GitOpsTargets.open(plan, global, err())) {
            where = targets.git().describe();
            done = new GitDrift(targets.plan(), targets.kube(), targets.git()).reconcile();
        }
        switch (global.output()) {
            case JSON -> out.println(toJson(document(done, where)));
            case MARKDOWN, TEXT -> {
                if (done.isEmpty()) {
                    out.println("nothing to reconcile: no namespace of the plan carries a revroll.dev/break-glass mark");
                }
                for (GitDrift.Reconciled r : done) {
                    out.println(r.namespace() + ": " + r.note() + " (step " + r.mark().step() + ", run " + r.mark().run()
                            + "); break-glass mark removed");
                }
                if (!done.isEmpty()) {
                    out.println("Git (" + where + ") is back in line with the cluster for " + done.size() + " namespace"
                            + (done.size() == 1 ? "" : "s"));
                }
            }
        }
        out.flush();
        return CommandResult.DONE;
    }

    private static Map<String, Object> document(List<GitDrift.Reconciled> done, String where) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("git", where);
        List<Map<String, Object>> list = new ArrayList<>();
        for (GitDrift.Reconciled r : done) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", r.namespace());
            m.put("run", r.mark().run());
            m.put("step", r.mark().step());
            m.put("commit", r.mark().commit());
            m.put("revert", r.revertCommit());
            m.put("note", r.note());
            list.add(m);
        }
        doc.put("reconciled", list);
        return doc;
    }
}
