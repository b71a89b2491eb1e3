package org.hzpy.support;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.map.MapInterceptor;

/**
 * A map interceptor (real Hazelcast) that fails the reads of the values {@link #fails} picks, as a
 * partition that does not answer would. Members run it in this JVM, so a subclass may read static
 * state to arm and disarm it.
 */
public abstract class FailingReads implements MapInterceptor {
    /** Whether a read of {@code value} fails now. */
    protected abstract boolean fails(Object value);

    @Override
    public Object interceptGet(Object value) {
        if (value != null && fails(value)) {
            throw new HazelcastException("the partition did not answer (the test's interceptor)");
        }
        return null;
    }

    @Override
    public void afterGet(Object value) {
    }

    @Override
    public Object interceptPut(Object oldValue, Object newValue) {
        return null;
    }

    @Override
    public void afterPut(Object value) {
    }

    @Override
    public Object interceptRemove(Object removedValue) {
        return null;
    }

    @Override
    public void afterRemove(Object value) {
    }
}
