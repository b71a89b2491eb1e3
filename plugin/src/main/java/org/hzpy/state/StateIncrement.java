package org.hzpy.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.cluster.HzpySerializerHook;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Map;

/**
 * Adds to a counter in the shared state where its entry lives, so concurrent increments from any
 * member or client never lose one. Answers the new value (a Long) or, when the entry holds
 * something else or the sum leaves 64 bits, why not (a String); the entry is then left as it was.
 */
public final class StateIncrement implements EntryProcessor<String, Object, Object>, IdentifiedDataSerializable {
    /** This class's id in hzpy's serializer factory ({@link HzpySerializerHook}). */
    public static final int CLASS_ID = 7;
    static final String OVERFLOW = "overflow";

    private long delta;

    public StateIncrement() {
    }

    StateIncrement(long delta) {
        this.delta = delta;
    }

    @Override
    public Object process(Map.Entry<String, Object> entry) {
        Object v = entry.getValue();
        long now;
        if (v == null) {
            now = 0;
        } else if (v instanceof Long l) {
            now = l;
        } else if (v instanceof BigInteger) {
            return OVERFLOW;
        } else {
            return StateValues.pythonType(v);
        }
        long next;
        try {
            next = Math.addExact(now, delta);
        } catch (ArithmeticException e) {
            return OVERFLOW;
        }
        entry.setValue(next);
        return next;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(delta);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        delta = in.readLong();
    }
}
