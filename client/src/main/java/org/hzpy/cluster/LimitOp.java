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
 * {held, last lease id, what that lease granted, last return id}. Returns {granted, held in all, max}.
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
        long held = 0;
        for (Map.Entry<String, long[]> e : state.entrySet()) {
            if (!e.getKey().equals(MAX)) {
                held += e.getValue()[HELD];
            }
        }
        long granted = 0;
        boolean changed = true;
        switch (op) {
            case LEASE -> {
                long[] mine = state.get(member);
                if (mine != null && id <= mine[LEASE_ID]) { // a retry: the answer it got the first time
                    return new long[] {id == mine[LEASE_ID] ? mine[LEASE_GRANT] : 0, held, max};
                }
                granted = LimitStore.grant(max, held, n);
                if (granted == 0) { // nothing recorded: a retry of a refusal is a new question, answered afresh
                    changed = false;
                } else {
                    if (mine == null) {
                        mine = new long[4];
                        state.put(member, mine);
                    }
                    mine[HELD] += granted;
                    mine[LEASE_ID] = id;
                    mine[LEASE_GRANT] = granted;
                    held += granted;
                }
            }
            case RETURN -> {
                long[] mine = state.get(member);
                if (mine == null || id <= mine[RETURN_ID]) { // reclaimed already, or a retry
                    return new long[] {0, held, max};
                }
                long back = Math.min(mine[HELD], n);
                mine[HELD] -= back;
                mine[RETURN_ID] = id;
                held -= back;
            }
            case SETTLE -> {
                long[] mine = state.get(member);
                if (mine == null || mine[LEASE_ID] != id || mine[HELD] <= n) { // nothing stranded, or a lease since
                    return new long[] {0, held, max};
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
        return new long[] {granted, held, max};
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
