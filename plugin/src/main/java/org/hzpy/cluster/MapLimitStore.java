package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.HashMap;

/**
 * The limit in one IMap entry, changed by {@link LimitOp} entry processors on the partition that
 * owns it: works on every edition. The entry maps member uuids to the permits they hold, and
 * {@code #max} to the limit.
 */
final class MapLimitStore implements LimitStore {
    static final String BACKEND = "imap-entry-processor";
    private static final String KEY = "limit";
    private final IMap<String, HashMap<String, Long>> map;

    MapLimitStore(HazelcastInstance instance) {
        this.map = instance.getMap(NAME);
    }

    @Override
    public long[] lease(String member, int n) {
        return map.executeOnKey(KEY, new LimitOp(LimitOp.LEASE, member, n));
    }

    @Override
    public void giveBack(String member, long n) {
        map.executeOnKey(KEY, new LimitOp(LimitOp.RETURN, member, n));
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
