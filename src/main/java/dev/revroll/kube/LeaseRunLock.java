package dev.revroll.kube;

import dev.revroll.errors.LockedException;
import dev.revroll.ports.RunLock;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Preconditions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster-wide run lock: a coordination.k8s.io/v1 Lease {@value #NAME} in one namespace. It can be taken when
 * absent, without holder, expired ({@code renewTime + leaseDurationSeconds} in the past) or already held by the same
 * holder name (a resumed run takes its own lock back); otherwise {@link #acquire} throws
 * a {@link LockedException} naming the holder and since when. Every change is a create or a replace on the
 * resourceVersion read, so of two runs racing for it exactly one wins; the other is told who did.
 */
public final class LeaseRunLock implements RunLock {

    public static final String NAME = "revroll-lock";

    private final KubeCalls calls;
    private final CoordinationV1Api coordination;
    private final String namespace;
    private final Clock clock;

    public LeaseRunLock(KubeConnection connection, String namespace) {
        this(connection, namespace, Clock.systemUTC());
    }

    LeaseRunLock(KubeConnection connection, String namespace, Clock clock) {
        this.calls = new KubeCalls(connection);
        this.coordination = new CoordinationV1Api(connection.apiClient());
        this.namespace = namespace;
        this.clock = clock;
    }

    @Override
    public Optional<String> liveHolder() {
        return read().map(V1Lease::getSpec).filter(spec -> spec.getHolderIdentity() != null && !spec.getHolderIdentity().isBlank() && !expired(spec))
                .map(V1LeaseSpec::getHolderIdentity);
    }

    @Override
    public Handle acquire(String holder, Duration ttl) {
        if (holder == null || holder.isBlank()) {
            throw new IllegalArgumentException("a lock holder needs a name");
        }
        int seconds = (int) Math.max(1, ttl.toSeconds());
        OffsetDateTime now = now();
        Optional<V1Lease> current = read();
        if (current.isEmpty()) {
            V1Lease created = new V1Lease()
                    .metadata(new V1ObjectMeta().name(NAME).namespace(namespace)
                            .labels(Map.of(ConfigMapJournalStore.MANAGED_BY, ConfigMapJournalStore.MANAGER)))
                    .spec(new V1LeaseSpec().holderIdentity(holder).acquireTime(now).renewTime(now)
                            .leaseDurationSeconds(seconds).leaseTransitions(0));
            try {
                V1Lease lease = calls.once("create", object(), () -> coordination.createNamespacedLease(namespace, created)
                        .fieldManager(ClientJavaKubernetesGateway.FIELD_MANAGER).execute());
                return new LeaseHandle(holder, seconds, lease);
            } catch (KubeApiException e) {
                if (e.conflict()) {
                    throw lockedBy(read().orElse(null), holder, "it was taken a moment ago");
                }
                throw e;
            }
        }
        V1Lease lease = current.get();
        V1LeaseSpec spec = lease.getSpec() == null ? new V1LeaseSpec() : lease.getSpec();
        String currentHolder = spec.getHolderIdentity();
        boolean free = currentHolder == null || currentHolder.isBlank() || expired(spec) || holder.equals(currentHolder);
        if (!free) {
            throw lockedBy(lease, holder, null);
        }
        boolean sameHolder = holder.equals(currentHolder);
        int transitions = spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
        lease.spec(spec.holderIdentity(holder)
                .acquireTime(sameHolder && spec.getAcquireTime() != null ? spec.getAcquireTime() : now)
                .renewTime(now)
                .leaseDurationSeconds(seconds)
                .leaseTransitions(sameHolder ? transitions : transitions + 1));
        return new LeaseHandle(holder, seconds, replace(lease, holder));
    }

    private V1Lease replace(V1Lease lease, String holder) {
        try {
            return calls.once("update", object(), () -> coordination.replaceNamespacedLease(NAME, namespace, lease)
                    .fieldManager(ClientJavaKubernetesGateway.FIELD_MANAGER).execute());
        } catch (KubeApiException e) {
            if (e.conflict() || e.notFound()) {
                throw lockedBy(read().orElse(null), holder, "it was taken a moment ago");
            }
            throw e;
        }
    }

    private Optional<V1Lease> read() {
        try {
            return Optional.of(calls.read("read", object(), () -> coordination.readNamespacedLease(NAME, namespace).execute()));
        } catch (KubeApiException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    boolean expired(V1LeaseSpec spec) {
        return expiry(spec).map(t -> t.isBefore(clock.instant())).orElse(true);
    }

    private static Optional<Instant> expiry(V1LeaseSpec spec) {
        OffsetDateTime renewed = spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
        if (renewed == null || spec.getLeaseDurationSeconds() == null) {
            return Optional.empty();
        }
        return Optional.of(renewed.toInstant().plusSeconds(spec.getLeaseDurationSeconds()));
    }

    private LockedException lockedBy(V1Lease lease, String wanted, String note) {
        if (lease == null || lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null) {
            return new LockedException("the run lock (Lease " + namespace + "/" + NAME + ") changed while " + wanted
                    + " tried to take it" + (note == null ? "" : "; " + note) + "; try again");
        }
        V1LeaseSpec spec = lease.getSpec();
        String since = spec.getAcquireTime() == null ? "an unknown time" : spec.getAcquireTime().toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
        String until = expiry(spec).map(t -> "; it expires at " + t.truncatedTo(ChronoUnit.SECONDS) + " unless renewed").orElse("");
        return new LockedException("another run holds the lock: " + spec.getHolderIdentity() + " since " + since
                + " (Lease " + namespace + "/" + NAME + (note == null ? "" : ", " + note) + until
                + "); wait for it to finish, or if it died, for the lease to expire");
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    private String object() {
        return "Lease " + namespace + "/" + NAME;
    }

    /** The lock while held: renew keeps it, close gives it back. */
    private final class LeaseHandle implements Handle {

        private final String holder;
        private final int seconds;
        private V1Lease lease;
        private boolean closed;

        LeaseHandle(String holder, int seconds, V1Lease lease) {
            this.holder = holder;
            this.seconds = seconds;
            this.lease = lease;
        }

        @Override
        public synchronized void renew() {
            if (closed) {
                throw new IllegalStateException("the run lock was already released");
            }
            V1Lease current = read().orElseThrow(() -> new LockedException("the run lock (" + object() + ") of " + holder
                    + " was deleted by someone else; stop and check who"));
            V1LeaseSpec spec = current.getSpec();
            if (spec == null || !holder.equals(spec.getHolderIdentity())) {
                throw lockedBy(current, holder, "the lock of " + holder + " was lost");
            }
            spec.renewTime(now()).leaseDurationSeconds(seconds);
            lease = replace(current, holder);
        }

        /** Deletes the Lease if this holder still has it (precondition on its resourceVersion); otherwise leaves it be. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            Optional<V1Lease> current = read();
            if (current.isEmpty() || current.get().getSpec() == null || !holder.equals(current.get().getSpec().getHolderIdentity())) {
                return;
            }
            String version = current.get().getMetadata().getResourceVersion();
            try {
                calls.once("delete", object(), () -> coordination.deleteNamespacedLease(NAME, namespace)
                        .body(new V1DeleteOptions().preconditions(new V1Preconditions().resourceVersion(version)))
                        .execute());
            } catch (KubeApiException e) {
                if (!e.conflict() && !e.notFound()) {
                    throw new KubeApiException(e.getMessage() + "; the lock frees itself when the lease expires", e.action(), e.object(),
                            e.httpCode(), e.reason().orElse(null), true, e);
                }
            }
        }
    }
}
