package dev.revroll.cli;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.errors.ExitCode;
import dev.revroll.output.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code revroll status [RUN]}: where a run stands, from its journal in the cluster. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show where a run stands (steps done, in flight, rolled back; every gate evaluation) from its journal in the cluster.")
public class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Mixin
    RunSelection selection;

    @Override
    public Integer call() {
        try (EngineWiring wiring = new EngineWiring(global)) {
            RunRecord record = selection.record(wiring);
            switch (global.output()) {
                case JSON -> RunReport.json(record, spec.commandLine().getOut());
                case MARKDOWN -> RunReport.markdown(record, spec.commandLine().getOut());
                case TEXT -> RunReport.text(record, spec.commandLine().getOut());
            }
            return ExitCode.DONE.code();
        }
    }
}
