package dev.revroll.errors;

/** The one exit-code policy (design.md section 5). Every command ends through {@link #code()}. */
public enum ExitCode {
    DONE(0, "done"),
    ROLLED_BACK(1, "a step failed and was rolled back cleanly"),
    INVALID(2, "bad usage or invalid plan; nothing was touched"),
    PREFLIGHT_REFUSED(3, "preflight refused; nothing was touched"),
    ROLLBACK_INCOMPLETE(4, "rollback incomplete; a person must look"),
    PAUSED(5, "paused (window closed or asked); resumable"),
    LOCKED(6, "another run holds the lock");

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

    /** The text block for {@code --help} and the README. */
    public static String table() {
        StringBuilder sb = new StringBuilder();
        for (ExitCode c : values()) {
            sb.append(String.format("  %d  %s%n", c.code, c.meaning));
        }
        return sb.toString();
    }
}
