package dev.revroll.e2e.world;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The namespaces of one test (or of one test class), handed out by {@link WorldNamespaces}: each has a unique name
 * and the label {@code revroll.dev/e2e=true}, and is deleted by the extension when its test (or class) ends.
 */
public final class TestNamespaces {

    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]{0,54}[a-z0-9])?");
    private static final String SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final WorldNamespaces.Host host;
    private final String owner;
    private final List<String> names = new CopyOnWriteArrayList<>();

    TestNamespaces(WorldNamespaces.Host host, String owner) {
        this.host = host;
        this.owner = owner;
    }

    /**
     * Creates a namespace named {@code PREFIX-xxxxxx} (six random characters) with the label
     * {@code revroll.dev/e2e=true} and the given labels; returns its name. A name that exists already is an error,
     * never adopted: a namespace handed out here is one the test may delete. A prefix such as {@code istio-system}
     * therefore never names the world's own control-plane namespace.
     */
    public String create(String prefix, Map<String, String> labels) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("namespace prefix '" + prefix + "' is not a DNS label of at most 56 characters");
        }
        StringBuilder name = new StringBuilder(prefix).append('-');
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 6; i++) {
            name.append(SUFFIX_CHARS.charAt(random.nextInt(SUFFIX_CHARS.length())));
        }
        host.createNamespace(name.toString(), labels);
        names.add(name.toString());
        return name.toString();
    }

    /** The namespaces made so far, in the order they were made. */
    public List<String> names() {
        return List.copyOf(names);
    }

    /** Clears this JVM's faults of the namespaces, then deletes them (the extension calls this once, at the end). */
    void delete() {
        List<String> all = names();
        if (all.isEmpty()) {
            return;
        }
        names.clear();
        try {
            host.clearFaults(all);
        } finally {
            try {
                host.deleteNamespaces(all);
            } catch (RuntimeException e) {
                throw new WorldException("could not delete the namespaces of " + owner + " " + all + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "namespaces of " + owner + " " + names;
    }
}
