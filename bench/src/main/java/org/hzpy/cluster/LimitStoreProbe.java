package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * For the benchmarks (P14): how many changes per second the cluster-wide limit's IMap store takes
 * when it holds the records of {@code members} members. The store's partition applies every lease
 * and return of every member one after another, and each reads and rewrites the whole record map,
 * so this is the ceiling that scaling out meets. In this package because the store is not public.
 */
public final class LimitStoreProbe {
    /** The most permits a member asks for in one lease. */
    public static final int MAX_LEASE = ClusterLimit.MAX_LEASE;

    private LimitStoreProbe() {
    }

    /**
     * Leases and returns one permit at a time from {@code threads} threads (each as a member of its
     * own) for {@code duration}, against a store of its own in {@code instance}'s cluster that also
     * holds {@code members} other members' records. Returns the store operations per second.
     */
    public static double operationsPerSecond(HazelcastInstance instance, int members, int threads, Duration duration)
            throws InterruptedException {
        String map = "hzpy-bench-limit-" + members + "-" + System.nanoTime();
        MapLimitStore store = new MapLimitStore(instance, map);
        store.initMax(10_000_000);
        for (int m = 0; m < members; m++) {
            store.lease("bench-member-" + m, 1).toCompletableFuture().join();
        }
        LongAdder ops = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            String self = "bench-caller-" + t;
            workers[t] = new Thread(() -> {
                while (!stop.get()) {
                    store.lease(self, 1).toCompletableFuture().join();
                    store.giveBack(self, 1);
                    ops.add(2);
                }
            }, "p14-limit-store-" + t);
        }
        long t0 = System.nanoTime();
        for (Thread w : workers) {
            w.start();
        }
        Thread.sleep(duration.toMillis());
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        instance.getMap(map).destroy();
        return ops.sum() / seconds;
    }
}
