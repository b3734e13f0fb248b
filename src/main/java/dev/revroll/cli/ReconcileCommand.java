package dev.revroll.cli;

import dev.revroll.errors.ExitCode;
import dev.revroll.git.Reconciler;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code revroll reconcile PLAN}: after {@code rollback --break-glass}, writes and pushes the revert commits Git is
 * missing, then removes each namespace's {@code revroll.dev/break-glass} mark. Safe to run again.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Bring Git back in line after 'revroll rollback --break-glass': for every namespace of the plan with a "
                + "revroll.dev/break-glass mark, push the missing revert commit, then remove the mark. Safe to run again."})
public class ReconcileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Parameters(paramLabel = "PLAN", description = "The plan file (YAML).")
    Path planFile;

    private final JsonMapper json;

    @Inject
    public ReconcileCommand(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Reconciler.Reconciled> done;
        String where;
        try (GitOpsTargets targets = GitOpsTargets.open(planFile, global, spec.commandLine().getErr())) {
            where = targets.git().describe();
            done = new Reconciler(targets.plan(), targets.kube(), targets.git()).reconcile();
        }
        switch (global.output()) {
            case JSON -> out.println(toJson(done, where));
            case MARKDOWN, TEXT -> {
                if (done.isEmpty()) {
                    out.println("nothing to reconcile: no namespace of the plan carries a revroll.dev/break-glass mark");
                }
                for (Reconciler.Reconciled r : done) {
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
        return ExitCode.DONE.code();
    }

    private String toJson(List<Reconciler.Reconciled> done, String where) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("git", where);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Reconciler.Reconciled r : done) {
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
        try {
            return json.writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
