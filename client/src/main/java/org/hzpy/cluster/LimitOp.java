package org.hzpy.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One change to the cluster-wide limit's state, applied atomically on the partition that owns it:
 * the state is the limit ({@value #MAX}: {max}) and, by member uuid, what each member holds as
 * {held, last lease id, what that lease granted, last return id, when it was last refused}. Returns
 * {granted, held in all, max, keep}: a lease or a settle answers in keep how many permits the member
 * should keep at most (-1: as many as it likes).
 *
 * <p>Fair: a member refused within the last {@value #WANT_MILLIS} ms that holds less than its share
 * (the limit over the members that hold or want permits, at least one) is starving. While one is,
 * a lease gets nothing beyond the asker's share, and a member holding more than its share is told
 * to keep no more, so that the permits it frees go back to the store for the starving member,
 * rather than to its own next caller (a member whose callers keep its permits busy would otherwise
 * hold them for as long as its load lasts).
 *
 * <p>Idempotent: Hazelcast re-sends an entry operation (same object, same id) when the partition's
 * owner dies after applying it. A lease or a return carries an id that grows per member and per
 * kind (a member has at most one lease in flight and returns from one thread), so one whose id is
 * not above the last applied one is a retry: a lease answers what it granted the first time, a
 * return changes nothing. Reclaim, set and init are idempotent by nature. Not thread-safe (one
 * instance per operation).
 */
public final class LimitOp implements EntryProcessor<String, HashMap<String, long[]>, long[]>, IdentifiedDataSerializable {
    static final String MAX = "#max";
    static final byte LEASE = 0;
    static final byte RETURN = 1;
    static final byte RECLAIM = 2;
    static final byte SET_MAX = 3;
    static final byte INIT_MAX = 4;
    static final byte READ = 5;
    /** The member's record held down to what it counts itself (n), if its last lease is {@code id}. */
    static final byte SETTLE = 6;
    /** A member's record: permits held, id of its last lease, what that lease granted, id of its last return. */
    private static final int HELD = 0;
    private static final int LEASE_ID = 1;
    private static final int LEASE_GRANT = 2;
    private static final int RETURN_ID = 3;
    private static final int WANTED_AT = 4;
    private static final int RECORD = 5;
    /**
     * A member refused this recently still wants permits. Short: while it lasts, the others get no
     * more than their share, even if the refused caller has given up (a Jet stage asks again within
     * 50 ms, a sync caller's own retry may not).
     */
    static final long WANT_MILLIS = 500;
    /** A refusal is written down at most this often per member (each write rewrites the entry and its backup). */
    private static final long WANT_REFRESH_MILLIS = 100;
    /** No cap: what {@code keep} answers when the member may keep all it holds. */
    static final long KEEP_ALL = -1;

    private byte op;
    private String member;
    private long n;
    /** Lease and return: this operation's id (per member and kind, from 1); 0 for the other kinds. */
    private long id;

    LimitOp() {
    }

    LimitOp(byte op, String member, long n) {
        this(op, member, n, 0);
    }

    LimitOp(byte op, String member, long n, long id) {
        this.op = op;
        this.member = member;
        this.n = n;
        this.id = id;
    }

    @Override
    public long[] process(Map.Entry<String, HashMap<String, long[]>> entry) {
        HashMap<String, long[]> state = entry.getValue() == null ? new HashMap<>() : entry.getValue();
        long[] maxRecord = state.get(MAX);
        long max = maxRecord == null ? 0 : maxRecord[0];
        long now = System.currentTimeMillis();
        Census census = census(state, max, now);
        long held = census.held;
        long granted = 0;
        long keep = KEEP_ALL;
        boolean changed = true;
        switch (op) {
            case LEASE -> {
                long[] mine = state.get(member);
                if (mine != null && id <= mine[LEASE_ID]) { // a retry: the answer it got the first time
                    return new long[] {id == mine[LEASE_ID] ? mine[LEASE_GRANT] : 0, held, max, KEEP_ALL};
                }
                long mineHeld = mine == null ? 0 : mine[HELD];
                granted = LimitStore.grant(max, held, n);
                if (census.othersStarve) {
                    granted = Math.max(0, Math.min(granted, census.ceiling - mineHeld));
                    keep = mineHeld > census.floor ? census.floor : KEEP_ALL;
                }
                if (granted == 0) { // no lease recorded: a retry of a refusal is a new question, answered afresh
                    if (mine == null || !refusedWithin(mine, now, WANT_REFRESH_MILLIS)) {
                        record(state, member)[WANTED_AT] = now;
                    } else {
                        changed = false;
                    }
                } else {
                    mine = record(state, member);
                    mine[HELD] += granted;
                    mine[LEASE_ID] = id;
                    mine[LEASE_GRANT] = granted;
                    held += granted;
                }
            }
            case RETURN -> {
                long[] mine = state.get(member);
                if (mine == null || id <= mine[RETURN_ID]) { // reclaimed already, or a retry
                    return new long[] {0, held, max, KEEP_ALL};
                }
                long back = Math.min(mine[HELD], n);
                mine[HELD] -= back;
                mine[RETURN_ID] = id;
                held -= back;
            }
            case SETTLE -> {
                long[] mine = state.get(member);
                if (mine != null && census.othersStarve) {
                    keep = Math.min(mine[HELD], n) > census.floor ? census.floor : KEEP_ALL;
                }
                if (mine == null || mine[LEASE_ID] != id || mine[HELD] <= n) { // nothing stranded, or a lease since
                    return new long[] {0, held, max, keep};
                }
                granted = mine[HELD] - n; // here: what goes back
                mine[HELD] = n;
                held -= granted;
            }
            case RECLAIM -> {
                long[] mine = state.remove(member);
                held -= mine == null ? 0 : mine[HELD];
                changed = mine != null;
            }
            case SET_MAX -> {
                state.put(MAX, new long[] {n});
                max = n;
            }
            case INIT_MAX -> {
                if (max == 0) {
                    state.put(MAX, new long[] {n});
                    max = n;
                } else {
                    changed = false;
                }
            }
            default -> changed = false;
        }
        if (changed) {
            entry.setValue(state);
        }
        return new long[] {granted, held, max, keep};
    }

    /** The member's record, made (or widened from an older, shorter one) as needed. */
    private static long[] record(HashMap<String, long[]> state, String member) {
        long[] r = state.get(member);
        if (r == null || r.length < RECORD) {
            r = r == null ? new long[RECORD] : java.util.Arrays.copyOf(r, RECORD);
            state.put(member, r);
        }
        return r;
    }

    private static boolean refusedWithin(long[] r, long now, long millis) {
        return r.length > WANTED_AT && now - r[WANTED_AT] < millis;
    }

    /**
     * The permits held in all, and the limit's share among the members that hold or want permits
     * (the asker among them): {@code floor} and {@code ceiling}. The floor is 0 when there are more
     * of them than permits: then every holder gives its permit up while another member holds none
     * and wants one, and the permits go round. {@code othersStarve}: a member other than the asker
     * was refused lately and holds less than the floor (none, when the floor is 0).
     */
    private record Census(long held, long floor, long ceiling, boolean othersStarve) {
    }

    /** One pass over the members' records. */
    private Census census(HashMap<String, long[]> state, long max, long now) {
        long held = 0;
        long claimants = 0;
        boolean askerCounted = false;
        long leastHeldByOthersWanting = Long.MAX_VALUE;
        for (Map.Entry<String, long[]> e : state.entrySet()) {
            if (e.getKey().equals(MAX)) {
                continue;
            }
            long[] r = e.getValue();
            boolean wants = refusedWithin(r, now, WANT_MILLIS);
            held += r[HELD];
            if (r[HELD] > 0 || wants) {
                claimants++;
                askerCounted |= e.getKey().equals(member);
            }
            if (wants && !e.getKey().equals(member)) {
                leastHeldByOthersWanting = Math.min(leastHeldByOthersWanting, r[HELD]);
            }
        }
        if (!askerCounted) {
            claimants++;
        }
        long floor = max / claimants;
        return new Census(held, floor, Math.max(1, (max + claimants - 1) / claimants),
                leastHeldByOthersWanting < Math.max(1, floor));
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.LIMIT_OP;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(op);
        out.writeString(member);
        out.writeLong(n);
        out.writeLong(id);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        op = in.readByte();
        member = in.readString();
        n = in.readLong();
        id = in.readLong();
    }
}
