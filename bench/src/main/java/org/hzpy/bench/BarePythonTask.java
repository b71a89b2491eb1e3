package org.hzpy.bench;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import org.hzpy.Py;

/**
 * P2's second baseline: a bare executor task (as {@link NoopTask}, the same wire form) whose body is
 * the same Python call made on the member ({@code Py.on(member).call}): what running the Python in an
 * executor task costs, without hzpy's remote call (its task, outcome, cancellation and bookkeeping).
 */
final class BarePythonTask extends NoopTask implements HazelcastInstanceAware {
    static final int CLASS_ID = 2;

    private transient HazelcastInstance member;

    BarePythonTask() {
    }

    BarePythonTask(long x) {
        super(x);
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
    public int getClassId() {
        return CLASS_ID;
    }
}
