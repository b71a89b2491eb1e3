package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

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
 * guard trips when the heap still in use after the last garbage collection passes the limit
 * ({@code hzpy.memory-guard}, a fraction of the maximum heap): the runtime then interrupts the
 * running Python calls and refuses new ones until the heap is back under the limit.
 *
 * <p>It reads the heap after collection, not the heap in use, because the latter is full of
 * garbage just before every collection. It cannot tell which context holds the memory, nor stop
 * Java code from allocating; a Python global that keeps the memory keeps the guard tripped.
 */
final class MemoryGuard {
    private static final ILogger LOGGER = Logger.getLogger(MemoryGuard.class);
    /** While tripped with no Python running, ask for a collection this often to see whether memory came back. */
    private static final long RECHECK_GC_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final double fraction;
    private final long maxHeap;
    private final long limitBytes;
    private final List<MemoryPoolMXBean> heapPools;
    private final AtomicLong trips = new AtomicLong();
    private volatile boolean tripped;
    private volatile long lastLiveBytes;
    private long trippedIdleSince;
    private long lastRequestedGc;
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
    }

    /**
     * Calls {@code wake} right after any garbage collection that leaves a heap pool over the limit
     * (a collection-usage threshold notification), so the watchdog checks at once instead of on its
     * next tick: a fast allocating loop can fill the last quarter of a heap in a fraction of a second.
     * When the heap in use (garbage included) passes the limit, asks for a collection to find out
     * whether it is live.
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
     * reading after the last GC may lag far behind: ask for one now (at most every
     * {@code RECHECK_GC_NANOS}, off the notifying thread), whose result the guard then sees.
     */
    private void confirmWithGc() {
        long now = System.nanoTime();
        synchronized (this) {
            if (lastConfirmGc != 0 && now - lastConfirmGc < RECHECK_GC_NANOS) {
                return;
            }
            lastConfirmGc = now;
        }
        Thread gc = new Thread(System::gc, "hzpy-memory-guard-gc");
        gc.setDaemon(true);
        gc.start();
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
     * Called on every watchdog tick. True while the heap in use after collection is over the
     * limit. {@code pythonRunning} tells whether any Python call still runs (when none does, the
     * guard asks for a collection now and then, so an idle member does not stay tripped on garbage).
     */
    boolean check(boolean pythonRunning) {
        if (fraction <= 0) {
            return false;
        }
        long live = liveAfterLastGc();
        lastLiveBytes = live;
        boolean over = live > limitBytes;
        if (over && tripped) {
            // the heap in use now is an upper bound of what is live: below the limit means the memory came back
            over = heapUsedNow() > limitBytes;
        }
        long now = System.nanoTime();
        if (over && !tripped) {
            trips.incrementAndGet();
            trippedIdleSince = 0;
            LOGGER.warning("hzpy memory guard tripped: " + describe() + "; interrupting running Python calls"
                    + " and refusing new ones until the heap is back under the limit");
        } else if (!over && tripped) {
            LOGGER.info("hzpy memory guard: the heap is back under the limit (" + mb(live) + " MB live after GC)");
        }
        tripped = over;
        if (over && !pythonRunning) {
            if (trippedIdleSince == 0) {
                trippedIdleSince = now;
            } else if (now - lastRequestedGc > RECHECK_GC_NANOS) {
                lastRequestedGc = now;
                System.gc(); // confirms whether the interrupted calls' memory is garbage now
            }
        }
        return over;
    }

    boolean isTripped() {
        return tripped;
    }

    long trips() {
        return trips.get();
    }

    long limitBytes() {
        return limitBytes;
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
        return "the heap in use after garbage collection (" + mb(lastLiveBytes) + " MB) is over hzpy.memory-guard="
                + Math.round(fraction * 100) + "% of the maximum heap (" + mb(limitBytes) + " of " + mb(maxHeap) + " MB)";
    }

    private static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }
}
