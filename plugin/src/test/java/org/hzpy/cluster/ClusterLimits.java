package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import org.hzpy.runtime.PythonRuntime;

import java.time.Duration;
import java.util.HashMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test access to the cluster-wide limit's parts (package-private in production): its entry
 * operations, and a member limit whose store holds leases back. Real members, real maps.
 */
public final class ClusterLimits {
    /** The key of the limit's entry in its IMap. */
    public static final String KEY = "limit";
    /** How long a member refused a permit counts as wanting one, and the others get only their share. */
    public static final java.time.Duration WANT = java.time.Duration.ofMillis(LimitOp.WANT_MILLIS);

    private ClusterLimits() {
    }

    public static EntryProcessor<String, HashMap<String, long[]>, long[]> initMax(int max) {
        return new LimitOp(LimitOp.INIT_MAX, "", max);
    }

    /** A lease of {@code n} permits for {@code member}, with operation id {@code id}. */
    public static EntryProcessor<String, HashMap<String, long[]>, long[]> lease(String member, int n, long id) {
        return new LimitOp(LimitOp.LEASE, member, n, id);
    }

    /** A return of {@code n} permits by {@code member}, with operation id {@code id}. */
    public static EntryProcessor<String, HashMap<String, long[]>, long[]> giveBack(String member, int n, long id) {
        return new LimitOp(LimitOp.RETURN, member, n, id);
    }

    /** {held by all, max} of the limit in {@code map}. */
    public static EntryProcessor<String, HashMap<String, long[]>, long[]> settle(String member, long counted, long lastLeaseId) {
        return new LimitOp(LimitOp.SETTLE, member, counted, lastLeaseId);
    }

    public static EntryProcessor<String, HashMap<String, long[]>, long[]> read() {
        return new LimitOp(LimitOp.READ, "", 0);
    }

    /**
     * Puts {@code member}'s calls under a cluster limit of {@code max} kept in a map of its own, whose
     * leases get no answer until {@link HeldLeases#answer()}: as when the member that owns the
     * limit's partition is frozen. {@link HeldLeases#close()} gives the member its own limit back.
     */
    public static HeldLeases holdLeasesOn(HazelcastInstance member, int max, Duration leaseWait) {
        return new HeldLeases(member, max, leaseWait);
    }

    /** A member's cluster limit whose store answers no lease until told to. */
    public static final class HeldLeases implements AutoCloseable {
        private final HazelcastInstance member;
        private final String mapName = "hzpy.test-held-limit-" + UUID.randomUUID();
        private final CompletableFuture<Void> gate = new CompletableFuture<>();
        private final AtomicInteger asked = new AtomicInteger();
        private final ClusterLimit limit;

        private HeldLeases(HazelcastInstance member, int max, Duration leaseWait) {
            this.member = member;
            LimitStore real = new MapLimitStore(member, mapName);
            LimitStore held = new DelegatingStore(real) {
                @Override
                public CompletionStage<long[]> lease(String m, int n) {
                    asked.incrementAndGet();
                    return gate.thenCompose(v -> real.lease(m, n));
                }
            };
            limit = new ClusterLimit(member, held, max, leaseWait);
            runtime().useClusterLimit(limit);
        }

        /** The store answers the leases asked so far, and every later one at once. */
        public void answer() {
            gate.complete(null);
        }

        /** Leases this member has asked the store for. */
        public int leasesAsked() {
            return asked.get();
        }

        private PythonRuntime runtime() {
            return HzpyPlugin.runtimeOf(member);
        }

        @Override
        public void close() {
            answer();
            runtime().useClusterLimit((ClusterLimit) HzpyPlugin.clusterSemaphore(member, false));
            limit.stop();
            member.getMap(mapName).destroy();
        }
    }

    /** A store that passes everything to another. */
    static class DelegatingStore implements LimitStore {
        private final LimitStore real;

        DelegatingStore(LimitStore real) {
            this.real = real;
        }

        @Override
        public CompletionStage<long[]> lease(String m, int n) {
            return real.lease(m, n);
        }

        @Override
        public long[] settle(String m, java.util.function.LongSupplier leased) {
            return real.settle(m, leased);
        }

        @Override
        public void giveBack(String m, long n) {
            real.giveBack(m, n);
        }

        @Override
        public void reclaim(String m) {
            real.reclaim(m);
        }

        @Override
        public void initMax(int n) {
            real.initMax(n);
        }

        @Override
        public void setMax(int n) {
            real.setMax(n);
        }

        @Override
        public long[] read() {
            return real.read();
        }

        @Override
        public String backend() {
            return real.backend();
        }
    }
}
