package dev.revroll.plan;

import java.util.regex.Pattern;

/** Kubernetes' DNS-1123 label rule, used for namespaces, revisions, waves, gates and the plan's name. */
public final class KubernetesNames {

    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private KubernetesNames() {
    }

    public static boolean isDns1123Label(String s) {
        return s.length() <= 63 && DNS_1123_LABEL.matcher(s).matches();
    }

    /** {@code null} when valid, else what is wrong and what is valid. */
    public static String dns1123LabelProblem(String s) {
        if (isDns1123Label(s)) {
            return null;
        }
        if (s.length() > 63) {
            return "'" + s + "' is " + s.length() + " characters long; a name has at most 63 (DNS-1123 label)";
        }
        return "'" + s + "' is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)";
    }
}
