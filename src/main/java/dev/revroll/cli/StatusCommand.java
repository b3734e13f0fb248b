package dev.revroll.cli;

import dev.revroll.engine.journal.RunRecord;
import dev.revroll.output.RunReport;
import io.micronaut.context.annotation.Prototype;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

/** {@code revroll status [RUN]}: where a run stands, from its journal in the cluster. */
@Prototype
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show where a run stands (steps done, in flight, rolled back; every gate evaluation) from its journal in the cluster.")
public class StatusCommand extends RevrollCommand {

    public StatusCommand() {
        super(ExitCode.DONE, ExitCode.INVALID, ExitCode.ROLLBACK_INCOMPLETE, ExitCode.UNAVAILABLE, ExitCode.INTERNAL_ERROR);
    }

    @Mixin
    RunSelection selection;

    @Mixin
    ReportOptions reports;

    @Override
    void prepare() {
        reports.check();
    }

    @Override
    CommandResult execute() {
        try (EngineWiring wiring = new EngineWiring(global)) {
            RunRecord record = selection.record(wiring);
            switch (global.output()) {
                case JSON -> RunReport.json(record, out());
                case MARKDOWN -> RunReport.markdown(record, out());
                case TEXT -> RunReport.text(record, out());
            }
            reports.write(record, err());
            return CommandResult.DONE;
        }
    }
}
