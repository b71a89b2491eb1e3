package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

/**
 * Watches the member's heap for the watchdog: GraalPy CE has no per-context heap limit, so a
 * Python loop that keeps allocating would otherwise run the whole member out of memory. The
 * guard trips when the heap still in use after the last garbage collection passes its threshold
 * while Python runs: the runtime then interrupts the running Python calls and refuses new ones
 * until the running calls have ended and one collection showed where the heap stands.
 *
 * <p>What it can measure: the JVM's heap live after a collection, and the same figure as last seen
 * with no Python call running (the <em>idle</em> live heap: the member's own data, hzpy's contexts
 * and their module globals). The difference bounds what running calls hold. What it cannot: which
 * context, or which of the member's objects, holds memory (GraalPy CE has no per-context heap
 * accounting), nor stop Java code from allocating.
 *
 * <p>So the threshold is {@code hzpy.memory-guard} (a fraction of the maximum heap) while the idle
 * live heap is under it; when the member's own data alone is over it (large IMaps), running
 * calls may grow the live heap by half of what is left above the idle figure before the guard
 * trips: the member's data never makes the guard refuse calls by itself, and Python still cannot
 * take the last of the heap. A trip ends once no call runs and a collection has shown the heap:
 * under the limit, or still over it without any Python call running (then the running calls were
 * not the cause; the guard says so and takes calls again). It asks for at most one collection per
 * trip, and for one on a heap-usage alarm only while Python runs and at most every
 * {@link #CONFIRM_GC_NANOS}: never a collection loop.
 *
 * <p>Thread-safety: {@link #check} runs on the watchdog thread only; the readers and the GC
 * notification listener may run on any thread (volatile fields, one monitor for the GC requests).
 */
final class MemoryGuard {
    private static final ILogger LOGGER = Logger.getLogger(MemoryGuard.class);
    /** At most one collection this often on a heap-usage alarm (off the notifying thread). */
    private static final long CONFIRM_GC_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final double fraction;
    private final long maxHeap;
    private final long limitBytes;
    private final List<MemoryPoolMXBean> heapPools;
    private final List<GarbageCollectorMXBean> collectors;
    private final AtomicLong trips = new AtomicLong();
    private final AtomicLong requestedGcs = new AtomicLong();
    private volatile boolean tripped;
    private volatile boolean pythonRunning;
    private volatile long lastLiveBytes;
    /** Live heap after collection as last seen with no Python call running; -1 until seen. */
    private volatile long idleLiveBytes = -1;
    /** While tripped: the collections counted when the last call ended (-1: calls still run). */
    private long collectionsWhenIdle = -1;
    private NotificationListener afterGcListener;
    private long lastConfirmGc;

    /** @param fraction of the maximum heap, in (0, 1); 0 turns the guard off */
    MemoryGuard(double fraction) {
        this.fraction = fraction;
        this.maxHeap = Runtime.getRuntime().maxMemory();
        this.limitBytes = fraction <= 0 ? Long.MAX_VALUE : (long) (maxHeap * fraction);
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
                .collect(Collectors.toList());
        this.collectors = ManagementFactory.getGarbageCollectorMXBeans();
    }

    /**
     * Calls {@code wake} right after any garbage collection that leaves a heap pool over the limit
     * (a collection-usage threshold notification), so the watchdog checks at once instead of on its
     * next tick: a fast allocating loop can fill the last quarter of a heap in a fraction of a second.
     * When the heap in use (garbage included) passes the limit while Python runs, asks for a
     * collection to find out whether it is live.
     */
    void wakeAfterGcOverLimit(Runnable wake) {
        if (fraction <= 0) {
            return;
        }
        for (MemoryPoolMXBean pool : heapPools) {
            // thresholds are shared by every guard in this JVM: each keeps the lowest. A pool smaller
            // than the limit (the serial and parallel collectors' generations) gets its own maximum:
            // a threshold above it is refused with an IllegalArgumentException.
            long max = pool.getUsage() == null ? -1 : pool.getUsage().getMax();
            long threshold = max > 0 ? Math.min(limitBytes, max) : limitBytes;
            if (pool.isCollectionUsageThresholdSupported() && lowers(pool.getCollectionUsageThreshold(), threshold)) {
                pool.setCollectionUsageThreshold(threshold);
            }
            if (pool.isUsageThresholdSupported() && lowers(pool.getUsageThreshold(), threshold)) {
                pool.setUsageThreshold(threshold);
            }
        }
        afterGcListener = (notification, handback) -> {
            if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
                wake.run();
            } else if (MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(notification.getType())) {
                confirmWithGc();
            }
        };
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(afterGcListener, null, null);
    }

    /** Whether {@code mine} is below a pool's current threshold (0: none set). */
    private static boolean lowers(long current, long mine) {
        return current == 0 || current > mine;
    }

    /**
     * The heap in use (garbage included) passed the limit. Large allocations (a 1 MB bytearray is
     * a humongous object in G1) can fill the old generation with no collection in between, so the
     * reading after the last GC may lag far behind: ask for one now, off the notifying thread —
     * only while Python runs (else Python cannot be the cause) and at most every {@code CONFIRM_GC_NANOS}.
     */
    private void confirmWithGc() {
        if (!pythonRunning) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            if (lastConfirmGc != 0 && now - lastConfirmGc < CONFIRM_GC_NANOS) {
                return;
            }
            lastConfirmGc = now;
        }
        Thread gc = new Thread(this::requestGc, "hzpy-memory-guard-gc");
        gc.setDaemon(true);
        gc.start();
    }

    private void requestGc() {
        requestedGcs.incrementAndGet();
        System.gc();
    }

    void close() {
        if (afterGcListener != null) {
            try {
                ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).removeNotificationListener(afterGcListener);
            } catch (ListenerNotFoundException e) {
                // already gone
            }
        }
    }

    boolean enabled() {
        return fraction > 0;
    }

    /**
     * Called on every watchdog tick (one thread). True while running Python calls must stop: the
     * guard is tripped. {@code pythonRunning} tells whether any Python call runs now.
     */
    boolean check(boolean pythonRunning) {
        if (fraction <= 0) {
            return false;
        }
        this.pythonRunning = pythonRunning;
        long live = liveAfterLastGc();
        lastLiveBytes = live;
        if (!tripped) {
            if (!pythonRunning) {
                idleLiveBytes = live; // the heap without running calls follows the member's data
                return false;
            }
            if (live <= tripThreshold()) {
                return false;
            }
            trips.incrementAndGet();
            collectionsWhenIdle = -1;
            tripped = true;
            LOGGER.warning("hzpy memory guard tripped: " + describe() + "; interrupting running Python calls"
                    + " and refusing new ones until they have stopped and a collection has shown the heap");
            return true;
        }
        if (pythonRunning) { // the interrupted calls are still unwinding
            collectionsWhenIdle = -1;
            return true;
        }
        long used = heapUsedNow(); // an upper bound of what is live: under the limit means the memory came back
        if (used <= limitBytes || live <= limitBytes && collectionsWhenIdle >= 0 && collections() > collectionsWhenIdle) {
            untrip("the heap is back under the limit (" + mb(Math.min(used, live)) + " MB live)", Math.min(used, live));
            return false;
        }
        if (collectionsWhenIdle < 0) { // the calls just ended: one collection tells whether their memory is garbage
            collectionsWhenIdle = collections();
            requestGc();
            return true;
        }
        if (collections() > collectionsWhenIdle) { // collected with no call running, and still over the limit
            untrip("the heap stays over the limit with no Python call running (" + mb(live) + " MB live after GC):"
                    + " the running calls were not the cause (the member's own data, or Python module globals,"
                    + " hold it); taking calls again, which may grow the live heap by half of what is left", live);
            return false;
        }
        return true;
    }

    private void untrip(String why, long idleLive) {
        idleLiveBytes = idleLive;
        tripped = false;
        collectionsWhenIdle = -1;
        LOGGER.warning("hzpy memory guard: " + why);
    }

    /**
     * The live heap past which running Python trips the guard: the limit, or, when what is live with
     * no call running is over the limit already, that plus half of the heap left above it.
     */
    long tripThreshold() {
        long idle = idleLiveBytes;
        return idle <= limitBytes ? limitBytes : idle + (maxHeap - idle) / 2;
    }

    /** Collections so far, all collectors (a {@code System.gc()} counts at least one). */
    private long collections() {
        long n = 0;
        for (GarbageCollectorMXBean c : collectors) {
            n += Math.max(0, c.getCollectionCount());
        }
        return n;
    }

    boolean isTripped() {
        return tripped;
    }

    long trips() {
        return trips.get();
    }

    /** Collections the guard asked for (System.gc()) since it started. */
    long requestedGcs() {
        return requestedGcs.get();
    }

    long limitBytes() {
        return limitBytes;
    }

    /** Live heap after collection as last seen with no Python call running (-1: not yet seen; the guard is off). */
    long idleLiveBytes() {
        return idleLiveBytes;
    }

    /** Heap in use after the last collection (all heap pools). */
    long liveAfterLastGc() {
        long sum = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage u = pool.getCollectionUsage();
            if (u != null) {
                sum += u.getUsed();
            }
        }
        return sum;
    }

    private static long heapUsedNow() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    String describe() {
        if (fraction <= 0) {
            return "the memory guard is off (hzpy.memory-guard=off)";
        }
        long idle = idleLiveBytes;
        return "the heap in use after garbage collection (" + mb(lastLiveBytes) + " MB) is over hzpy.memory-guard="
                + Math.round(fraction * 100) + "% of the maximum heap (" + mb(limitBytes) + " of " + mb(maxHeap) + " MB)"
                + (idle > limitBytes ? " and over " + mb(tripThreshold()) + " MB (" + mb(idle)
                + " MB live with no Python running, plus half of the rest)" : "")
                + " while Python ran";
    }

    private static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }
}
