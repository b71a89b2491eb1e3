package org.hzpy;

/**
 * What a member's Python runtime did to stay healthy, counted since it started. An immutable
 * snapshot ({@link Py#stats()}); thread-safe.
 *
 * @param execReplays        exec entries applied by contexts other than the one that ran them first
 * @param execReplayFailures replays that failed or timed out; each discarded its context
 * @param contextRestarts    contexts started afresh in place of a discarded one
 * @param memoryGuardTrips   times the memory guard stopped Python because the heap was over its limit
 * @param memoryGuardTripped whether the memory guard is refusing calls right now
 * @param contextsAbandoned  contexts given up because a call in them ignored its interrupt for longer
 *                           than {@code hzpy.abandon-after}; each was replaced, and its thread may stay
 *                           busy until the operation returns
 * @param contextStartFailures  context starts that failed; each is tried again after a pause that doubles
 * @param abandonedContextsAlive abandoned contexts still alive right now (their stuck operation has not
 *                           returned); while there are as many as contexts, replacing another waits
 */
public record PyStats(long execReplays, long execReplayFailures, long contextRestarts, long memoryGuardTrips,
                      boolean memoryGuardTripped, long contextsAbandoned, long contextStartFailures,
                      long abandonedContextsAlive) {
}
