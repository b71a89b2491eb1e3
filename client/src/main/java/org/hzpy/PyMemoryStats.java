package org.hzpy;

import java.util.List;

/**
 * One member's memory as hzpy sees it, from {@link Py#memoryStats()}. hzpy's contexts live in the
 * member's heap and cannot be measured apart from it: the heap figures are the JVM's.
 *
 * @param member              the member's address
 * @param contexts            its Python contexts
 * @param busyContexts        those running a call when asked
 * @param heapUsedBytes       JVM heap in use now
 * @param heapLiveBytes       JVM heap live after the last collection (what the memory guard watches)
 * @param heapMaxBytes        the JVM's maximum heap
 * @param memoryGuardLimitBytes the live heap past which the memory guard stops Python calls; -1 when it is off
 * @param memoryGuardTripped  whether the guard refuses calls now
 * @param gcCounts            per context, Python's {@code gc.get_count()} (objects tracked per generation);
 *                            an empty list for a context that was busy or starting when asked
 * @param jitActive           whether the Graal JIT compiles the member's Python (false also while its
 *                            engine is still being created, and from a member too old to say)
 */
public record PyMemoryStats(String member, int contexts, int busyContexts, long heapUsedBytes, long heapLiveBytes,
                            long heapMaxBytes, long memoryGuardLimitBytes, boolean memoryGuardTripped,
                            List<List<Long>> gcCounts, boolean jitActive) {
    public PyMemoryStats {
        gcCounts = List.copyOf(gcCounts);
    }
}
