package dev.revroll.git;

import java.util.ArrayList;
import java.util.List;

/** How commit ids and JGit's failures appear in the Git record's messages. */
final class GitMessages {

    private GitMessages() {
    }

    /** The first 12 characters of a commit id. */
    static String abbreviate(String id) {
        return id != null && id.length() > 12 ? id.substring(0, 12) : String.valueOf(id);
    }

    /** The innermost cause's message (JGit wraps transport errors several times), redacted. */
    static String rootMessage(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && parts.stream().noneMatch(p -> p.contains(m))) {
                parts.add(m);
            }
        }
        return Redaction.redact(parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts));
    }
}
