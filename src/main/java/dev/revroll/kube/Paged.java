package dev.revroll.kube;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Lists over all namespaces read page by page ({@code limit} and {@code continue}), kept to some namespaces: a fleet's
 * survey asks once per page instead of once per namespace.
 */
final class Paged {

    private Paged() {
    }

    /** One page and the token of the next ({@code null} or empty after the last). */
    record Page<T>(List<T> items, String next) {
    }

    /** The request for the page that {@code continueToken} names ({@code null}: the first). */
    @FunctionalInterface
    interface PageCall<T> {
        Page<T> call(String continueToken) throws ApiException;
    }

    /**
     * Every page of {@code call}, each a retried read, its objects of the {@code namespaces} mapped by {@code map}
     * and grouped by namespace; objects of other namespaces are dropped page by page.
     */
    static <T extends KubernetesObject, R> Map<String, List<R>> inNamespaces(KubeCalls calls, String what, Set<String> namespaces,
                                                                         PageCall<T> call, Function<T, R> map) {
        Map<String, List<R>> by = new HashMap<>();
        String token = null;
        do {
            String from = token;
            Page<T> page = calls.read("list", what + " in all namespaces", () -> call.call(from));
            for (T o : page.items()) {
                if (namespaces.contains(o.getMetadata().getNamespace())) {
                    by.computeIfAbsent(o.getMetadata().getNamespace(), n -> new ArrayList<>()).add(map.apply(o));
                }
            }
            token = page.next();
        } while (token != null && !token.isEmpty());
        return by;
    }

    /** Each namespace asked for, in the order asked, with what was found of it sorted by {@code order} (none: empty). */
    static <R> Map<String, List<R>> inOrder(List<String> namespaces, Map<String, List<R>> found, Comparator<R> order) {
        Map<String, List<R>> by = new LinkedHashMap<>();
        for (String ns : namespaces) {
            List<R> of = new ArrayList<>(found.getOrDefault(ns, List.of()));
            of.sort(order);
            by.put(ns, of);
        }
        return by;
    }
}
