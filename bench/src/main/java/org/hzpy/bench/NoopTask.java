package org.hzpy.bench;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.util.concurrent.Callable;

/** P2's baseline: an executor task that returns its argument, serialized as hzpy's tasks are (IDS). */
class NoopTask implements Callable<Long>, IdentifiedDataSerializable {
    static final int FACTORY_ID = 7_219_900;
    static final DataSerializableFactory FACTORY = id -> id == 1 ? new NoopTask()
            : id == BarePythonTask.CLASS_ID ? new BarePythonTask() : null;

    /** The argument: what {@link #call()} returns. */
    long x;

    NoopTask() {
    }

    NoopTask(long x) {
        this.x = x;
    }

    @Override
    public Long call() {
        return x;
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return 1;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws java.io.IOException {
        out.writeLong(x);
    }

    @Override
    public void readData(ObjectDataInput in) throws java.io.IOException {
        x = in.readLong();
    }
}
