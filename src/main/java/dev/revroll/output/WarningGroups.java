package dev.revroll.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Repeated warnings read at a glance: warnings that say the same thing about different subjects (a namespace or a
 * {@code namespace/Kind/name} workload) become one group with a count, in the order each text first appeared. A
 * fleet's preview then shows "300 workloads: holdApplicationUntilProxyStarts is not set ..." once, not 300 times.
 */
public final class WarningGroups {

    /** How many subjects a text line names before "and N more". */
    static final int SHOWN = 5;

    /** A subject is the warning's first word when it names a namespace or a workload: {@code ns} or {@code ns/Kind/name}. */
    private static final Pattern SUBJECT = Pattern.compile("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(/[A-Za-z]+/[-a-z0-9.]+)?)(: | )(.+)$", Pattern.DOTALL);

    public record Group(String message, List<String> subjects, int count) {
        /** The group as one line: the text, then whom it concerns. */
        public String line() {
            if (subjects.isEmpty()) {
                return count == 1 ? message : message + " (" + count + "×)";
            }
            if (subjects.size() == 1) {
                return subjects.get(0) + ": " + message;
            }
            boolean workloads = subjects.stream().allMatch(s -> s.indexOf('/') > 0);
            String shown = String.join(", ", subjects.subList(0, Math.min(SHOWN, subjects.size())));
            return subjects.size() + " " + (workloads ? "workloads" : "namespaces") + ": " + message + " (" + shown
                    + (subjects.size() > SHOWN ? " and " + (subjects.size() - SHOWN) + " more" : "") + ")";
        }
    }

    private WarningGroups() {
    }

    /** The warnings grouped by what they say, first appearance first. */
    public static List<Group> of(List<String> warnings) {
        Map<String, List<String>> subjects = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String w : warnings) {
            Matcher m = SUBJECT.matcher(w);
            boolean subject = m.matches() && (m.group(3) != null || m.group(4).equals(": "));
            String message = subject ? m.group(5) : w;
            subjects.computeIfAbsent(message, k -> new ArrayList<>());
            if (subject) {
                subjects.get(message).add(m.group(1));
            }
            counts.merge(message, 1, Integer::sum);
        }
        List<Group> groups = new ArrayList<>();
        subjects.forEach((message, who) -> groups.add(new Group(message, List.copyOf(who), counts.get(message))));
        return groups;
    }

    /** "302 warnings (2 kinds)" — the summary a fleet's report leads with; empty when there are none. */
    public static String summary(List<String> warnings) {
        if (warnings.isEmpty()) {
            return "";
        }
        List<Group> groups = of(warnings);
        return warnings.size() + " warning" + (warnings.size() == 1 ? "" : "s")
                + (groups.size() == warnings.size() ? "" : " (" + groups.size() + " different)");
    }
}
