package dev.revroll.e2e.world;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.Watch;
import okhttp3.Call;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** What the test world's watchers ({@link AvailabilityFloor}, {@link MidRollouts}) share: their client and one watch. */
final class Watches {

    private Watches() {
    }

    /** A client of the world for watches. */
    static ApiClient client(SandboxWorld world) {
        try (Reader reader = Files.newBufferedReader(world.kubeconfig())) {
            KubeConfig config = KubeConfig.loadKubeConfig(reader);
            config.setFile(world.kubeconfig().toFile());
            config.setContext(world.context());
            ApiClient client = ClientBuilder.kubeconfig(config).build();
            // a watch is a long-lived response: no read timeout (the server ends each watch after timeoutSeconds)
            client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS)
                    .connectTimeout(2, TimeUnit.SECONDS).build());
            return client;
        } catch (IOException e) {
            throw new WorldException("cannot read the world's kubeconfig " + world.kubeconfig(), e);
        }
    }

    /**
     * Follows one watch ({@code call}, started from {@code resourceVersion}) to its end, giving each event's type and
     * object to {@code apply} (bookmarks only move the resourceVersion). {@code opened} gets the watch, so that
     * closing it ends this call. Returns the last resourceVersion seen, or {@code null} after an ERROR event
     * (410 Gone: the version is too old, list again).
     */
    static <T extends KubernetesObject> String follow(ApiClient client, Call call, Type type, String resourceVersion,
                                                      Consumer<Watch<T>> opened, BiConsumer<String, T> apply) throws IOException, ApiException {
        String rv = resourceVersion;
        try (Watch<T> watch = Watch.createWatch(client, call, type)) {
            opened.accept(watch);
            for (Watch.Response<T> r : watch) {
                if ("ERROR".equals(r.type)) {
                    return null;
                }
                if (r.object != null && r.object.getMetadata() != null && r.object.getMetadata().getResourceVersion() != null) {
                    rv = r.object.getMetadata().getResourceVersion();
                }
                if (!"BOOKMARK".equals(r.type) && r.object != null) {
                    apply.accept(r.type, r.object);
                }
            }
        }
        return rv;
    }
}
