package dev.revroll.kube;

import dev.revroll.errors.JournalConflictException;
import dev.revroll.errors.RecordException;
import dev.revroll.errors.UsageException;
import dev.revroll.ports.JournalStore;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Run journals kept in the cluster, one ConfigMap {@code revroll-run-<runId>} per run in one namespace, so anyone with
 * access sees a run. Labels {@code app.kubernetes.io/managed-by=revroll}, {@code revroll.dev/plan=<plan>},
 * {@code revroll.dev/run=<runId>}; the document is kept gzip-compressed as binaryData key {@value #GZIP_KEY} (journals
 * written before that, as plain data key {@value #KEY}, are still read). Writes are compare-and-swap on the ConfigMap's
 * resourceVersion: a write based on a stale version is refused with a {@link JournalConflictException}. A ConfigMap
 * holds at most 1 MiB: the engine keeps its documents well under that compressed, and a larger one is refused here
 * with the reason before anything is sent.
 */
public final class ConfigMapJournalStore implements JournalStore {

    /** Where journals written by earlier versions keep the plain document (still read). */
    public static final String KEY = "journal.json";
    public static final String GZIP_KEY = "journal.json.gz";
    /** What the API server accepts in one ConfigMap's data and binaryData together. */
    public static final int CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
    public static final String PREFIX = "revroll-run-";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "revroll";
    public static final String PLAN_LABEL = "revroll.dev/plan";
    public static final String RUN_LABEL = "revroll.dev/run";

    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?");

    private final KubeCalls calls;
    private final CoreV1Api core;
    private final String namespace;

    public ConfigMapJournalStore(KubeConnection connection, String namespace) {
        this.calls = new KubeCalls(connection);
        this.core = new CoreV1Api(connection.apiClient());
        this.namespace = namespace;
    }

    /** The ConfigMap name of a run's journal. */
    public static String configMapName(String runId) {
        return PREFIX + runId;
    }

    @Override
    public String write(String runId, String planName, String document, Optional<String> expectedVersion) {
        checkNames(runId, planName);
        String object = object(runId);
        byte[] compressed = compress(document);
        if (compressed.length + GZIP_KEY.length() > CONFIGMAP_LIMIT_BYTES) {
            throw new RecordException("the journal of run " + runId + " is " + compressed.length
                    + " bytes compressed, more than " + object + " can hold (1 MiB); nothing was written");
        }
        try {
            return calls.retry().executeCallable(() -> attempt(runId, planName, document, compressed, expectedVersion));
        } catch (ApiException e) {
            if (e.getCode() == 409) {
                throw conflict(runId, expectedVersion, e);
            }
            if (e.getCode() == 404 && expectedVersion.isPresent()) {
                throw new JournalConflictException(runId, "the journal of run " + runId + " (" + object
                        + ") was deleted since version " + expectedVersion.get() + " was read; nothing was written");
            }
            throw calls.translate(expectedVersion.isEmpty() ? "create" : "update", object, e, true);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new KubeApiException("cannot write " + object + ": " + e, "write", object, 0, null, true, e);
        }
    }

    /**
     * One create or compare-and-swap replace. When the API server does not answer, the write may or may not have
     * landed: the journal is read back; if it holds this document the write counts, if it is unchanged the attempt is
     * retried (the transient exception is rethrown for the retry), otherwise someone else wrote it: a conflict.
     */
    private String attempt(String runId, String planName, String document, byte[] compressed, Optional<String> expectedVersion)
            throws ApiException {
        V1ConfigMap desired = new V1ConfigMap()
                .metadata(new V1ObjectMeta()
                        .name(configMapName(runId))
                        .namespace(namespace)
                        .resourceVersion(expectedVersion.orElse(null))
                        .labels(labels(runId, planName)))
                .binaryData(Map.of(GZIP_KEY, compressed));
        try {
            V1ConfigMap written = expectedVersion.isEmpty()
                    ? core.createNamespacedConfigMap(namespace, desired).fieldManager(ClientJavaKubernetesGateway.FIELD_MANAGER).execute()
                    : core.replaceNamespacedConfigMap(configMapName(runId), namespace, desired)
                            .fieldManager(ClientJavaKubernetesGateway.FIELD_MANAGER).execute();
            return written.getMetadata().getResourceVersion();
        } catch (ApiException e) {
            if (!KubeResilience.isTransient(e)) {
                throw e;
            }
            Optional<V1ConfigMap> now = readRaw(runId);
            if (now.isPresent() && document.equals(document(now.get()))
                    && !now.get().getMetadata().getResourceVersion().equals(expectedVersion.orElse(null))) {
                return now.get().getMetadata().getResourceVersion();
            }
            boolean unchanged = expectedVersion.isEmpty() ? now.isEmpty()
                    : now.isPresent() && expectedVersion.get().equals(now.get().getMetadata().getResourceVersion());
            if (unchanged) {
                throw e;
            }
            throw conflict(runId, expectedVersion, e);
        }
    }

    private Optional<V1ConfigMap> readRaw(String runId) throws ApiException {
        try {
            return Optional.of(core.readNamespacedConfigMap(configMapName(runId), namespace).execute());
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Optional<Entry> read(String runId) {
        try {
            return Optional.of(calls.read("read", object(runId), () -> core.readNamespacedConfigMap(configMapName(runId), namespace).execute()))
                    .map(this::toEntry);
        } catch (KubeApiException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<Entry> list(Optional<String> planName) {
        String selector = MANAGED_BY + "=" + MANAGER + planName.map(p -> "," + PLAN_LABEL + "=" + p).orElse("");
        return calls.read("list", "run journals (ConfigMaps " + selector + ") in namespace " + namespace,
                        () -> core.listNamespacedConfigMap(namespace).labelSelector(selector).execute())
                .getItems().stream()
                .filter(cm -> cm.getMetadata().getName().startsWith(PREFIX))
                .sorted(Comparator.comparing((V1ConfigMap cm) -> cm.getMetadata().getCreationTimestamp(),
                                Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder())).reversed()
                        .thenComparing(cm -> cm.getMetadata().getName(), Comparator.reverseOrder()))
                .map(this::toEntry)
                .toList();
    }

    private Entry toEntry(V1ConfigMap cm) {
        Map<String, String> labels = KubeObjects.labels(cm.getMetadata());
        String runId = labels.getOrDefault(RUN_LABEL, cm.getMetadata().getName().substring(PREFIX.length()));
        return new Entry(runId, labels.getOrDefault(PLAN_LABEL, ""), document(cm), cm.getMetadata().getResourceVersion());
    }

    /** The document a journal ConfigMap holds: compressed binaryData, else (older journals) plain data, else empty. */
    static String document(V1ConfigMap cm) {
        byte[] compressed = cm.getBinaryData() == null ? null : cm.getBinaryData().get(GZIP_KEY);
        if (compressed != null) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RecordException("the run journal in ConfigMap " + cm.getMetadata().getNamespace()
                        + "/" + cm.getMetadata().getName() + " cannot be read: binaryData " + GZIP_KEY + " is not gzip (" + e.getMessage() + ")");
            }
        }
        return cm.getData() == null ? "" : cm.getData().getOrDefault(KEY, "");
    }

    static byte[] compress(String document) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 64 * 1024)) {
            gzip.write(document.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Map<String, String> labels(String runId, String planName) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGER);
        labels.put(PLAN_LABEL, planName);
        labels.put(RUN_LABEL, runId);
        return labels;
    }

    private JournalConflictException conflict(String runId, Optional<String> expectedVersion, Exception cause) {
        String current = "";
        try {
            current = read(runId).map(e -> " (it is now at version " + e.version() + ")").orElse(" (it no longer exists)");
        } catch (RuntimeException ignored) {
            // the conflict is the news; the current version is a detail
        }
        String message = expectedVersion.isEmpty()
                ? "run " + runId + " already has a journal (" + object(runId) + "); nothing was written"
                : "the journal of run " + runId + " (" + object(runId) + ") was changed by someone else since version "
                  + expectedVersion.get() + " was read" + current + "; nothing was written - is another revroll working on this run?";
        JournalConflictException e = new JournalConflictException(runId, message);
        e.initCause(cause);
        return e;
    }

    private String object(String runId) {
        return "ConfigMap " + namespace + "/" + configMapName(runId);
    }

    private static void checkNames(String runId, String planName) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new UsageException("run id '" + runId + "' cannot name a ConfigMap: use at most 52 lower-case letters, digits and '-'");
        }
        if (planName == null || !LABEL_VALUE.matcher(planName).matches()) {
            throw new UsageException("plan name '" + planName + "' cannot be a label value: at most 63 letters, digits, '-', '_', '.'");
        }
    }
}
