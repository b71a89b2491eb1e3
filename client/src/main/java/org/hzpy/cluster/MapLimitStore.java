package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
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
    /** How often a lease or a return whose invocation failed is sent again (with its id: applied once). */
    private static final int RESENDS = 5;
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
        CompletableFuture<long[]> answer = new CompletableFuture<>();
        send(new LimitOp(LimitOp.LEASE, member, n, leaseIds.incrementAndGet()), RESENDS, answer);
        return answer;
    }

    @Override
    public void giveBack(String member, long n) {
        CompletableFuture<long[]> answer = new CompletableFuture<>();
        send(new LimitOp(LimitOp.RETURN, member, n, returnIds.incrementAndGet()), RESENDS, answer);
        answer.join();
    }

    @Override
    public long[] settle(String member, java.util.function.LongSupplier leased) {
        long lastLease = leaseIds.get(); // first: a lease sent after this has a higher id, and the op then does nothing
        long counted = leased.getAsLong();
        if (counted < 0) {
            return new long[] {0, LimitOp.KEEP_ALL};
        }
        long[] r = map.executeOnKey(KEY, new LimitOp(LimitOp.SETTLE, member, counted, lastLease));
        return new long[] {r[0], r.length > 3 ? r[3] : LimitOp.KEEP_ALL};
    }

    /**
     * Sends {@code op} and, when its invocation fails (the entry's owner died, the connection broke),
     * sends the very same op again, up to {@code left} more times: its id makes a second application
     * a no-op that answers the first one's result. Without this, a lease applied by an owner that died
     * before answering stayed granted in the store and unknown to the member (the chaos suite found
     * permits stranded that way), and a lost return left the member's permits counted twice.
     */
    private void send(LimitOp op, int left, CompletableFuture<long[]> answer) {
        map.submitToKey(KEY, op).whenComplete((r, e) -> {
            if (e == null) {
                answer.complete(r);
            } else if (left > 0 && !(PyTask.unwrapped(e) instanceof com.hazelcast.core.HazelcastInstanceNotActiveException)) {
                send(op, left - 1, answer);
            } else {
                answer.completeExceptionally(e);
            }
        });
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
