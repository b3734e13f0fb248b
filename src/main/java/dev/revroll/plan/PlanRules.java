package dev.revroll.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules that relate one field of a plan to another, checked after the records are built: the revision moves,
 * wave and gate names are unique, a namespace is a target at most once and never a protected one, a wave has targets,
 * metric gates have a Prometheus, and the window opens. Single-field value checks stay with the builder.
 * <p>
 * The rules read through a cursor that counts nothing as read, so the check that the builder reads every field of the
 * schema is not fooled by a field only a rule looks at.
 */
final class PlanRules {

    private final PlanProblems problems;

    private PlanRules(PlanProblems problems) {
        this.problems = problems;
    }

    static void check(PlanCursor root, PlanProblems problems) {
        PlanCursor spec = root.field("spec");
        PlanRules rules = new PlanRules(problems);
        rules.revisionMoves(spec.field("revision"));
        rules.waves(spec.field("waves"), spec.field("controlPlane").field("namespace").string());
        rules.gates(spec.field("gates").field("metrics"), spec.field("prometheus"));
        rules.someGateOrReason(spec.field("gates"));
        rules.windowOpens(spec.field("window").field("cron"));
        rules.prometheusAccess(spec.field("prometheus"));
    }

    /** One credential, a client certificate with its key, a password from one place, TLS fields only for https (docs/prometheus-access.md). */
    private void prometheusAccess(PlanCursor prometheus) {
        PlanCursor token = prometheus.field("bearerTokenFile");
        PlanCursor basic = prometheus.field("basicAuth");
        String url = prometheus.field("url").optionalString().orElse("");
        if (!token.isNull() && !basic.isNull()) {
            problems.add(basic.key(), basic.path(), "give one credential: " + token.path() + " or " + basic.path() + ", not both");
        }
        if ((!token.isNull() || !basic.isNull()) && url.matches("(?i)https?://[^/]*@.*")) {
            PlanCursor credential = token.isNull() ? basic : token;
            problems.add(credential.key(), credential.path(), "the URL has user info too; remove it from " + prometheus.path() + ".url");
        }
        if (basic.isMapping()) {
            PlanCursor file = basic.field("passwordFile");
            PlanCursor env = basic.field("passwordEnv");
            if (file.isNull() == env.isNull()) {
                problems.add(basic.key(), basic.path(), file.isNull()
                        ? "needs the password's source: passwordFile (a file holding it) or passwordEnv (an environment variable holding it)"
                        : "give passwordFile or passwordEnv, not both");
            }
        }
        PlanCursor tls = prometheus.field("tls");
        if (!tls.isMapping()) {
            return;
        }
        PlanCursor cert = tls.field("certFile");
        PlanCursor key = tls.field("keyFile");
        if (cert.isNull() != key.isNull()) {
            PlanCursor given = cert.isNull() ? key : cert;
            problems.add(given.key(), given.path(), "a client certificate needs both certFile and keyFile; add "
                    + (cert.isNull() ? "certFile" : "keyFile"));
        }
        PlanCursor insecure = tls.field("insecureSkipVerify");
        if (insecure.optionalString().filter("true"::equalsIgnoreCase).isPresent()) {
            for (String name : List.of("caFile", "serverName")) {
                PlanCursor f = tls.field(name);
                if (!f.isNull()) {
                    problems.add(f.key(), f.path(), "has no effect with insecureSkipVerify: true (nothing is verified); remove one of them");
                }
            }
        }
        if (!url.isEmpty() && !url.regionMatches(true, 0, "https://", 0, 8)) {
            problems.add(tls.key(), tls.path(), "applies to an https:// URL only; " + prometheus.path() + ".url is not one");
        }
    }

    private void revisionMoves(PlanCursor revision) {
        PlanCursor from = revision.field("from");
        PlanCursor to = revision.field("to");
        to.optionalString().filter(name -> from.optionalString().equals(Optional.of(name))).ifPresent(name ->
                problems.add(to, "is the same as " + from.path() + " ('" + name + "'); nothing would move"));
    }

    /** Where a namespace is first listed. */
    private record Listed(PlanCursor wave, String waveName, PlanCursor at) {
    }

    private void waves(PlanCursor waves, String controlPlaneNamespace) {
        Map<String, PlanCursor> names = new HashMap<>();
        Map<String, Listed> listed = new HashMap<>();
        for (PlanCursor w : waves.items()) {
            if (!w.isMapping()) {
                continue;
            }
            PlanCursor name = w.field("name");
            unique(name, names, "wave");
            PlanCursor namespacesField = w.field("namespaces");
            List<String> namespaces = new ArrayList<>();
            for (PlanCursor n : namespacesField.items()) {
                n.optionalString().ifPresent(ns -> {
                    String protectedReason = ProtectedNamespaces.reason(ns, controlPlaneNamespace);
                    if (protectedReason != null) {
                        problems.add(n, protectedReason);
                    }
                    Listed before = listed.putIfAbsent(ns, new Listed(w, name.string(), n));
                    if (before != null) {
                        problems.add(n, before.wave().path().equals(w.path())
                                ? "'" + ns + "' is listed twice in this wave (first at line " + before.at().line() + ")"
                                : "'" + ns + "' is already in wave '" + before.waveName() + "' (" + before.wave().path()
                                + ", line " + before.at().line() + "); a namespace belongs to one wave");
                    }
                    namespaces.add(ns);
                });
            }
            boolean noNamespaces = namespacesField.isNull() || (namespacesField.isSequence() && namespacesField.items().isEmpty());
            if (noNamespaces && w.field("selector").isNull()) {
                problems.add(w, "a wave needs namespaces or a selector (or both)");
            }
            for (PlanCursor x : w.field("exclude").items()) {
                x.optionalString().filter(namespaces::contains).ifPresent(ns ->
                        problems.add(x, "'" + ns + "' is both listed in namespaces and excluded in this wave; remove one"));
            }
        }
    }

    private void gates(PlanCursor metrics, PlanCursor prometheus) {
        Map<String, PlanCursor> names = new HashMap<>();
        boolean any = false;
        for (PlanCursor g : metrics.items()) {
            if (g.isMapping()) {
                any = true;
                unique(g.field("name"), names, "gate");
            }
        }
        if (any && !prometheus.isMapping()) {
            problems.add(metrics.key(), prometheus.path(),
                    "required when there are metric gates (" + metrics.path() + "); add prometheus: {url: http://...}");
        }
    }

    /**
     * A plan with every gate switched off moves namespaces with nothing checking that their workloads came back
     * healthy; it must say so, with a reason, in {@code gates.none}. A reason next to gates that are on is a
     * contradiction and refused too.
     */
    private void someGateOrReason(PlanCursor gates) {
        PlanCursor enabled = gates.field("proxySync").field("enabled");
        boolean proxySyncOff = enabled.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode s
                && s.getTag().equals(org.yaml.snakeyaml.nodes.Tag.BOOL) && !enabled.bool();
        boolean metrics = gates.field("metrics").items().stream().anyMatch(g -> !g.isNull());
        PlanCursor none = gates.field("none");
        if (proxySyncOff && !metrics && none.isNull()) {
            problems.add(enabled, "every gate is switched off (no metric gates either), so nothing would check that moved workloads "
                    + "came back injected, in sync and healthy; turn a gate on, or opt in explicitly with "
                    + none.path() + ": \"<why this plan needs no gates>\"");
        } else if (!none.isNull() && (!proxySyncOff || metrics)) {
            problems.add(none, "says the plan has no gates, but " + (metrics ? "it has metric gates" : "the proxy-sync gate is on (gates.proxySync.enabled)")
                    + "; remove " + none.path() + " or switch the gates off");
        }
    }

    /** A second wave or gate of the same name is reported. */
    private void unique(PlanCursor name, Map<String, PlanCursor> seen, String what) {
        name.optionalString().ifPresent(text -> {
            PlanCursor first = seen.putIfAbsent(text, name);
            if (first != null) {
                problems.add(name, "duplicate " + what + " name '" + text + "' (first at line " + first.line() + ")");
            }
        });
    }

    private void windowOpens(PlanCursor cron) {
        cron.optionalString().ifPresent(text -> {
            CronSchedule schedule;
            try {
                schedule = CronSchedule.parse(text);
            } catch (IllegalArgumentException e) {
                return; // reported by the builder
            }
            if (!schedule.everMatches()) {
                problems.add(cron, "'" + text + "' never opens (no such date)");
            }
        });
    }
}
