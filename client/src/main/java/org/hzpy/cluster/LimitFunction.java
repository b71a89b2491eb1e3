package org.hzpy.cluster;

import com.hazelcast.core.IFunction;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;

/**
 * One change to the IAtomicLong that holds the cluster-wide limit (high 32 bits) and the permits
 * held by all members (low 32 bits), applied atomically where the IAtomicLong lives. Pure, so a
 * caller that gets the old value back knows what was granted.
 */
public final class LimitFunction implements IFunction<Long, Long>, IdentifiedDataSerializable {
    static final byte LEASE = 0;
    static final byte RETURN = 1;
    static final byte SET_MAX = 2;
    static final byte INIT_MAX = 3;

    private byte op;
    private long n;

    LimitFunction() {
    }

    LimitFunction(byte op, long n) {
        this.op = op;
        this.n = n;
    }

    static long max(long state) {
        return state >>> 32;
    }

    static long held(long state) {
        return state & 0xFFFF_FFFFL;
    }

    private static long pack(long max, long held) {
        return (max << 32) | held;
    }

    @Override
    public Long apply(Long state) {
        long max = max(state);
        long held = held(state);
        return switch (op) {
            case LEASE -> pack(max, held + LimitStore.grant(max, held, n));
            case RETURN -> pack(max, Math.max(0, held - n));
            case SET_MAX -> pack(n, held);
            case INIT_MAX -> max == 0 ? pack(n, held) : state;
            default -> state;
        };
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.LIMIT_FUNCTION;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(op);
        out.writeLong(n);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        op = in.readByte();
        n = in.readLong();
    }
}
