package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.Py;

import java.util.concurrent.Callable;

/**
 * P2's second baseline: a bare executor task (as {@link NoopTask}) whose body is the same Python
 * call made on the member ({@code Py.on(member).call}): what running the Python in an executor
 * task costs, without hzpy's remote call (its task, outcome, cancellation and bookkeeping).
 */
final class BarePythonTask implements Callable<Long>, IdentifiedDataSerializable, HazelcastInstanceAware {
    static final int CLASS_ID = 2;

    private transient HazelcastInstance member;
    private long x;

    BarePythonTask() {
    }

    BarePythonTask(long x) {
        this.x = x;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public Long call() {
        return (Long) Py.on(member).call("__main__", "identity", x);
    }

    @Override
    public int getFactoryId() {
        return NoopTask.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
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
