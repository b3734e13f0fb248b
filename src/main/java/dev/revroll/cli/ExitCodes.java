package dev.revroll.cli;

import dev.revroll.errors.ClusterException;
import dev.revroll.errors.GitRecordException;
import dev.revroll.errors.LockedException;
import dev.revroll.errors.MetricsUnavailableException;
import dev.revroll.errors.PlanException;
import dev.revroll.errors.PreflightException;
import dev.revroll.errors.RecordException;
import dev.revroll.errors.UsageException;
import picocli.CommandLine;

/**
 * The one place where what happened becomes an exit code: a command's {@link CommandResult}, or the exception that
 * ended it. Adapters and the engine only say what happened; nothing else picks a code.
 */
public final class ExitCodes {

    private ExitCodes() {
    }

    static ExitCode of(CommandResult result) {
        return switch (result) {
            case DONE -> ExitCode.DONE;
            case ROLLED_BACK -> ExitCode.ROLLED_BACK;
            case PAUSED -> ExitCode.PAUSED;
            case ROLLBACK_INCOMPLETE -> ExitCode.ROLLBACK_INCOMPLETE;
            case DRIFTED -> ExitCode.DRIFTED;
            case REFUSED -> ExitCode.PREFLIGHT_REFUSED;
        };
    }

    /** The code for a failure; anything revroll did not expect is {@link ExitCode#INTERNAL_ERROR}. */
    public static ExitCode of(Throwable failure) {
        if (failure instanceof PlanException || failure instanceof UsageException || failure instanceof CommandLine.ParameterException) {
            return ExitCode.INVALID;
        }
        if (failure instanceof PreflightException) {
            return ExitCode.PREFLIGHT_REFUSED;
        }
        if (failure instanceof LockedException) {
            return ExitCode.LOCKED;
        }
        if (failure instanceof RecordException) {
            return ExitCode.ROLLBACK_INCOMPLETE;
        }
        if (failure instanceof MetricsUnavailableException) {
            return ExitCode.UNAVAILABLE;
        }
        if (failure instanceof ClusterException c) {
            // a failed read changed nothing; a failed write that escaped the engine may have
            return c.write() ? ExitCode.ROLLBACK_INCOMPLETE : ExitCode.UNAVAILABLE;
        }
        if (failure instanceof GitRecordException g) {
            return switch (g.reason()) {
                case UNREACHABLE, UNREADABLE -> ExitCode.UNAVAILABLE;
                case MANIFEST -> ExitCode.PREFLIGHT_REFUSED;
                case REJECTED, CONFLICT, NOT_ON_REMOTE, WRITE_FAILED -> ExitCode.ROLLBACK_INCOMPLETE;
            };
        }
        return ExitCode.INTERNAL_ERROR;
    }

    /** A short name of what happened, for the {@code kind} of a JSON failure document. */
    static String kind(Throwable failure) {
        if (failure instanceof PlanException) {
            return "invalid-plan";
        }
        if (failure instanceof UsageException || failure instanceof CommandLine.ParameterException) {
            return "usage";
        }
        if (failure instanceof PreflightException) {
            return "preflight-refused";
        }
        if (failure instanceof LockedException) {
            return "locked";
        }
        if (failure instanceof RecordException) {
            return "record";
        }
        if (failure instanceof MetricsUnavailableException) {
            return "metrics-unavailable";
        }
        if (failure instanceof ClusterException c) {
            return c.write() ? "cluster-write" : "cluster-read";
        }
        if (failure instanceof GitRecordException g) {
            return "git-" + g.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        return "internal-error";
    }
}
