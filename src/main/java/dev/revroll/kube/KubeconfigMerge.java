package dev.revroll.kube;

import dev.revroll.errors.UsageException;
import io.kubernetes.client.util.KubeConfig;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubeconfig files read and merged into one {@link KubeConfig} the way kubectl merges a {@code KUBECONFIG} list
 * (docs/kubeconfig.md): the first file to set {@code current-context} wins; a cluster, user or context is taken from
 * the first file that defines its name, whole, and later definitions of the name are ignored; relative file paths in
 * an entry are resolved against the directory of the file it came from. client-java reads one file and resolves
 * paths against it alone ({@code KubeConfig.loadKubeConfig}, {@code setFile}), so the paths are made absolute here.
 */
final class KubeconfigMerge {

    /** The named lists of a kubeconfig, and the key of each entry's body. */
    private static final Map<String, String> SECTIONS = Map.of("clusters", "cluster", "users", "user", "contexts", "context");

    private KubeconfigMerge() {
    }

    /** {@code files}: existing files, in precedence order (missing ones are the caller's to skip). */
    static KubeConfig merge(List<Path> files) {
        String currentContext = null;
        Map<String, Map<String, Object>> clusters = new LinkedHashMap<>();
        Map<String, Map<String, Object>> users = new LinkedHashMap<>();
        Map<String, Map<String, Object>> contexts = new LinkedHashMap<>();
        for (Path file : files) {
            Map<String, Object> doc = read(file);
            if (currentContext == null && doc.get("current-context") instanceof String c && !c.isEmpty()) {
                currentContext = c;
            }
            Path dir = file.toAbsolutePath().getParent();
            entries(file, doc, "clusters").forEach(e -> clusters.putIfAbsent(name(e), resolved(e, "cluster", dir)));
            entries(file, doc, "users").forEach(e -> users.putIfAbsent(name(e), resolved(e, "user", dir)));
            entries(file, doc, "contexts").forEach(e -> contexts.putIfAbsent(name(e), e));
        }
        KubeConfig config = new KubeConfig(new ArrayList<>(contexts.values()), new ArrayList<>(clusters.values()),
                new ArrayList<>(users.values()));
        config.setContext(currentContext);
        // every relative path is absolute by now; client-java still wants a file for an exec command with a path
        config.setFile(files.get(0).toAbsolutePath().toFile());
        return config;
    }

    /** One file's document: an empty file is an empty kubeconfig; YAML that does not parse names file:line:column. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path file) {
        Object doc;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (MarkedYAMLException e) {
            Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = at == null ? file.toString() : file + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1);
            throw new UsageException("cannot read kubeconfig " + where + ": " + e.getProblem() + "; fix the file", e);
        } catch (IOException | YAMLException e) {
            throw new UsageException("cannot read kubeconfig " + file + ": " + e.getMessage(), e);
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new UsageException("kubeconfig " + file + " is not a kubeconfig: its top level is not a mapping");
        }
        return (Map<String, Object>) map;
    }

    /** The entries of one section, each a mapping with a name and (if present) a mapping body. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> entries(Path file, Map<String, Object> doc, String section) {
        Object list = doc.get(section);
        if (list == null) {
            return List.of();
        }
        if (!(list instanceof List<?> items)) {
            throw new UsageException("kubeconfig " + file + ": " + section + " is not a list");
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String body = SECTIONS.get(section);
            if (!(items.get(i) instanceof Map<?, ?> entry) || !(entry.get("name") instanceof String name) || name.isEmpty()) {
                throw new UsageException("kubeconfig " + file + ": " + section + "[" + i + "] has no name");
            }
            if (entry.get(body) != null && !(entry.get(body) instanceof Map)) {
                throw new UsageException("kubeconfig " + file + ": " + section + "[" + i + "] (" + name + "): " + body + " is not a mapping");
            }
            entries.add((Map<String, Object>) entry);
        }
        return entries;
    }

    private static String name(Map<String, Object> entry) {
        return (String) entry.get("name");
    }

    /**
     * The entry with its file references absolute: a cluster's {@code certificate-authority}; a user's
     * {@code client-certificate}, {@code client-key}, {@code tokenFile}, and its {@code exec.command} when that
     * contains a path separator (a bare command is looked up on the PATH, as kubectl does).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> resolved(Map<String, Object> entry, String body, Path dir) {
        if (!(entry.get(body) instanceof Map<?, ?> fields)) {
            return entry;
        }
        Map<String, Object> m = (Map<String, Object>) fields;
        for (String key : List.of("certificate-authority", "client-certificate", "client-key", "tokenFile")) {
            absolute(m, key, dir);
        }
        if (m.get("exec") instanceof Map<?, ?> exec && exec.get("command") instanceof String command
                && (command.contains("/") || command.contains("\\"))) {
            absolute((Map<String, Object>) exec, "command", dir);
        }
        return entry;
    }

    private static void absolute(Map<String, Object> m, String key, Path dir) {
        if (m.get(key) instanceof String path && !path.isEmpty() && !Path.of(path).isAbsolute()) {
            m.put(key, dir.resolve(path).normalize().toString());
        }
    }
}
