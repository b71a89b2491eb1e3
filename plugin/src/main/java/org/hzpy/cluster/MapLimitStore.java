package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.HashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limit in one IMap entry, changed by {@link LimitOp} entry processors on the partition that
 * owns it: works on every edition. The entry maps member uuids to the permits they hold, and
 * {@code #max} to the limit. Leases and returns carry ids, so Hazelcast's retries apply each once.
 * Thread-safe.
 */
final class MapLimitStore implements LimitStore {
    static final String BACKEND = "imap-entry-processor";
    static final String KEY = "limit";
    private final IMap<String, HashMap<String, long[]>> map;
    /** Ids of this member's leases and returns (see {@link LimitOp}): a member uses one store. */
    private final AtomicLong leaseIds = new AtomicLong();
    private final AtomicLong returnIds = new AtomicLong();

    MapLimitStore(HazelcastInstance instance) {
        this(instance, NAME);
    }

    /** The limit kept in the IMap {@code mapName} (tests keep one apart from the members' own). */
    MapLimitStore(HazelcastInstance instance, String mapName) {
        this.map = instance.getMap(mapName);
    }

    @Override
    public CompletionStage<long[]> lease(String member, int n) {
        return map.submitToKey(KEY, new LimitOp(LimitOp.LEASE, member, n, leaseIds.incrementAndGet()));
    }

    @Override
    public void giveBack(String member, long n) {
        map.executeOnKey(KEY, new LimitOp(LimitOp.RETURN, member, n, returnIds.incrementAndGet()));
    }

    @Override
    public void reclaim(String member) {
        map.executeOnKey(KEY, new LimitOp(LimitOp.RECLAIM, member, 0));
    }

    @Override
    public void initMax(int max) {
        map.executeOnKey(KEY, new LimitOp(LimitOp.INIT_MAX, "", max));
    }

    @Override
    public void setMax(int max) {
        map.executeOnKey(KEY, new LimitOp(LimitOp.SET_MAX, "", max));
    }

    @Override
    public long[] read() {
        long[] r = map.executeOnKey(KEY, new LimitOp(LimitOp.READ, "", 0));
        return new long[] {r[1], r[2]};
    }

    @Override
    public String backend() {
        return BACKEND;
    }
}
