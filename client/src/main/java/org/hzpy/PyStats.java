package org.hzpy;

/**
 * What a member's Python runtime did to stay healthy, counted since it started. An immutable
 * snapshot ({@link Py#stats()}); thread-safe.
 *
 * @param execReplays        exec entries applied by contexts other than the one that ran them first
 * @param execReplayFailures replays that failed or timed out; each discarded its context
 * @param contextRestarts    contexts started afresh in place of a discarded one (abandoned ones included)
 * @param memoryGuardTrips   times the memory guard stopped Python because the heap was over its limit
 * @param memoryGuardTripped whether the memory guard is refusing calls right now
 * @param contextsAbandoned  contexts given up because a call in them ignored its interrupt for longer
 *                           than {@code hzpy.abandon-after}; each was replaced, and its thread may stay
 *                           busy until the operation returns (each abandonment is also one of the
 *                           {@code contextRestarts})
 * @param contextStartFailures  context starts that failed; each is tried again after a pause that doubles
 * @param abandonedContextsAlive abandoned contexts still alive right now (their stuck operation has not
 *                           returned); while there are as many as contexts, replacing another waits
 * @param memoryGuardGcs     garbage collections the memory guard asked for (at most one per trip, and one
 *                           on a heap-usage alarm while Python runs, at most every 2 s): never a loop
 * @param callsRefusedBecause why the member refuses every call now — its runtime is closed, no context
 *                           could start, or its memory guard is tripped (the sentence says which, with
 *                           the figures) — or null while it takes calls
 * @param jsonDecoders       the scanner json.loads uses in each context, by index: "native" or "python"
 *                           ({@code hzpy.json-decoder}; with auto, "python" once trained), "starting"
 * @param streamsOpen        streams ({@code Py.stream}) open on this member now: each holds a permit
 * @param asyncCallsPending  calls of an {@code async def} whose coroutine is waiting on its context's event loop
 *                           now (they hold no permit and no context; at most {@code hzpy.async-max-pending})
 * @param asyncAwaitsPending {@code await hzpy.call_async(...)} whose Java result has not reached Python yet
 */
public record PyStats(long execReplays, long execReplayFailures, long contextRestarts, long memoryGuardTrips,
                      boolean memoryGuardTripped, long contextsAbandoned, long contextStartFailures,
                      long abandonedContextsAlive, long memoryGuardGcs, String callsRefusedBecause,
                      java.util.List<String> jsonDecoders, int streamsOpen, int asyncCallsPending, int asyncAwaitsPending) {
}
