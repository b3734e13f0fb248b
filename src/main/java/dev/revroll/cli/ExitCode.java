package dev.revroll.cli;

import java.util.List;

/**
 * The exit codes revroll returns, with what each means for the person or pipeline that ran it (docs/exit-codes.md).
 * {@link ExitCodes} is the one place that picks one; each command's {@code --help} lists the codes it can return.
 */
public enum ExitCode {
    DONE(0, "done"),
    ROLLED_BACK(1, "a step failed and was rolled back cleanly"),
    /** {@code drift} only. */
    DRIFTED(1, "drift: Git and the cluster differ, or a break-glass rollback left Git behind"),
    INVALID(2, "bad usage or invalid plan; nothing was touched"),
    PREFLIGHT_REFUSED(3, "preflight refused; nothing was touched"),
    ROLLBACK_INCOMPLETE(4, "rollback incomplete, or the run stopped half-done; a person must look"),
    PAUSED(5, "paused (maintenance window closed or frozen, the next step does not fit in it, or onFailure: pause); 'revroll run PLAN' or 'revroll resume' continues"),
    LOCKED(6, "another run holds the lock"),
    UNAVAILABLE(7, "the cluster, the Git remote or Prometheus could not be read; nothing was changed; try again"),
    INTERNAL_ERROR(70, "internal error (a bug in revroll; please report it); 'revroll status' shows where a run stands");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** The text block for {@code --help}: one entry per code, wrapped under its meaning to fit 80 columns. */
    public static String table(List<ExitCode> codes) {
        StringBuilder sb = new StringBuilder();
        for (ExitCode c : codes) {
            StringBuilder line = new StringBuilder(String.format("  %2d ", c.code));
            for (String word : c.meaning.split(" ")) {
                if (line.length() + 1 + word.length() > 78) {
                    sb.append(line).append(String.format("%n"));
                    line = new StringBuilder("     ");
                }
                line.append(' ').append(word);
            }
            sb.append(line).append(String.format("%n"));
        }
        return sb.toString();
    }
}
