package org.hzpy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time Graal's Truffle compiler threads use in this JVM from this object's making on,
 * summed per thread between samples: the compiler's pool ends idle threads, and a plain sum over
 * the live threads then drops what an ended thread had used (P3 once read -4.79 cores). What a
 * thread used between its last sample and its end is not counted. Not thread-safe: one sampler.
 */
final class CompilerCpu {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** Each live compiler thread's CPU time at the last sample (ns). */
    private final Map<Long, Long> lastSeen = new HashMap<>();
    private final long fromNanos;
    private long usedNanos;
    private long markNanos;
    private long markUsed;

    CompilerCpu() {
        sample();
        usedNanos = 0; // what the threads used before this object is not its to count
        fromNanos = System.nanoTime();
        markNanos = fromNanos;
    }

    /** CPU time (ns) the compiler threads used since this object was made. */
    long usedNanos() {
        sample();
        return usedNanos;
    }

    /** The cores the compiler threads used on average since this object was made. */
    double cores() {
        long used = usedNanos();
        return used / (double) Math.max(1, System.nanoTime() - fromNanos);
    }

    /** The cores the compiler threads used on average since the last call of this method (or the making). */
    double coresSinceLastCall() {
        long used = usedNanos();
        long now = System.nanoTime();
        double cores = (used - markUsed) / (double) Math.max(1, now - markNanos);
        markUsed = used;
        markNanos = now;
        return cores;
    }

    private void sample() {
        Map<Long, Long> live = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("TruffleCompilerThread")) {
                @SuppressWarnings("deprecation") long id = t.getId(); // threadId() is newer than the release this module builds for
                long cpu = threads.getThreadCpuTime(id);
                if (cpu >= 0) {
                    usedNanos += cpu - lastSeen.getOrDefault(id, 0L);
                    live.put(id, cpu);
                }
            }
        }
        lastSeen.clear();
        lastSeen.putAll(live);
    }
}
