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
 * the state is the limit ({@value #MAX}) and the permits each member holds (by member uuid).
 * Returns {granted, held in all, max}.
 */
public final class LimitOp implements EntryProcessor<String, HashMap<String, Long>, long[]>, IdentifiedDataSerializable {
    static final String MAX = "#max";
    static final byte LEASE = 0;
    static final byte RETURN = 1;
    static final byte RECLAIM = 2;
    static final byte SET_MAX = 3;
    static final byte INIT_MAX = 4;
    static final byte READ = 5;

    private byte op;
    private String member;
    private long n;

    LimitOp() {
    }

    LimitOp(byte op, String member, long n) {
        this.op = op;
        this.member = member;
        this.n = n;
    }

    @Override
    public long[] process(Map.Entry<String, HashMap<String, Long>> entry) {
        HashMap<String, Long> state = entry.getValue() == null ? new HashMap<>() : entry.getValue();
        long max = state.getOrDefault(MAX, 0L);
        long held = 0;
        for (Map.Entry<String, Long> e : state.entrySet()) {
            if (!e.getKey().equals(MAX)) {
                held += e.getValue();
            }
        }
        long granted = 0;
        boolean changed = true;
        switch (op) {
            case LEASE -> {
                granted = LimitStore.grant(max, held, n);
                if (granted > 0) {
                    state.merge(member, granted, Long::sum);
                    held += granted;
                } else {
                    changed = false;
                }
            }
            case RETURN -> {
                long mine = state.getOrDefault(member, 0L);
                long back = Math.min(mine, n);
                if (mine - back == 0) {
                    state.remove(member);
                } else {
                    state.put(member, mine - back);
                }
                held -= back;
            }
            case RECLAIM -> {
                Long mine = state.remove(member);
                held -= mine == null ? 0 : mine;
                changed = mine != null;
            }
            case SET_MAX -> {
                state.put(MAX, n);
                max = n;
            }
            case INIT_MAX -> {
                if (max == 0) {
                    state.put(MAX, n);
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
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        op = in.readByte();
        member = in.readString();
        n = in.readLong();
    }
}
