package dev.revroll.engine;

import dev.revroll.ports.ClusterModel.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The annotations a person puts on a workload to steer its restart (docs/kubernetes-rollouts.md#per-workload-control):
 * {@code revroll.dev/skip: "true"} (never restarted, left behind and reported) and {@code revroll.dev/order: "<n>"}
 * (restart order inside the namespace: lower first, equal together; absent is 0). A value revroll cannot read is a
 * preflight refusal, never a guess.
 */
public final class WorkloadControl {

    public static final String SKIP = "revroll.dev/skip";
    public static final String ORDER = "revroll.dev/order";
    /** Orders a person may write: a whole number in this range. */
    static final int MAX_ORDER = 1_000_000;

    private WorkloadControl() {
    }

    /** {@code revroll.dev/skip} is {@code "true"} (any case). */
    public static boolean skipped(Workload w) {
        return "true".equalsIgnoreCase(value(w, SKIP));
    }

    /** {@code revroll.dev/order}, 0 when absent or unreadable (an unreadable one is refused by {@link #problems}). */
    public static int order(Workload w) {
        String v = value(w, ORDER);
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.trim());
            return Math.abs(n) <= MAX_ORDER ? n : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** What is wrong with the workload's annotations, each naming the workload, the value and what is valid. */
    public static List<String> problems(String namespace, Workload w) {
        List<String> out = new ArrayList<>();
        String id = namespace + "/" + WorkloadPlan.key(w);
        String skip = value(w, SKIP);
        if (skip != null && !skip.equalsIgnoreCase("true") && !skip.equalsIgnoreCase("false")) {
            out.add(id + ": annotation " + SKIP + "=\"" + skip + "\" is neither \"true\" nor \"false\"; "
                    + "write \"true\" to leave the workload alone, or remove the annotation");
        }
        String order = value(w, ORDER);
        if (order != null) {
            Optional<Integer> n;
            try {
                n = Optional.of(Integer.parseInt(order.trim())).filter(v -> Math.abs(v) <= MAX_ORDER);
            } catch (NumberFormatException e) {
                n = Optional.empty();
            }
            if (n.isEmpty()) {
                out.add(id + ": annotation " + ORDER + "=\"" + order + "\" is not a whole number between -" + MAX_ORDER + " and "
                        + MAX_ORDER + "; write e.g. \"10\" (lower orders restart first, equal ones together, absent is 0)");
            }
        }
        return out;
    }

    /** One restart group of a namespace step: the workloads of one order, in the step's order. */
    public record Group(int order, List<String> workloads) {
    }

    /**
     * The step's workloads ({@code Kind/name}, in the journal's order) in groups by order, lowest first; {@code orders}
     * holds the non-zero orders only. One group when no workload has an order.
     */
    public static List<Group> groups(List<String> workloads, Map<String, Integer> orders) {
        TreeMap<Integer, List<String>> byOrder = new TreeMap<>();
        for (String w : workloads) {
            byOrder.computeIfAbsent(orders.getOrDefault(w, 0), k -> new ArrayList<>()).add(w);
        }
        List<Group> out = new ArrayList<>();
        byOrder.forEach((order, list) -> out.add(new Group(order, List.copyOf(list))));
        return List.copyOf(out);
    }

    private static String value(Workload w, String key) {
        return w.annotations() == null ? null : w.annotations().get(key);
    }
}
