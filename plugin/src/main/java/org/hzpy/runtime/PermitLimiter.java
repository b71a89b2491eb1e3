package org.hzpy.runtime;

import org.hzpy.OverloadedException;
import org.hzpy.PySemaphore;

import java.util.concurrent.atomic.AtomicInteger;

/** The member-local limit: a CAS counter, so a full limit refuses at once instead of queueing. */
final class PermitLimiter implements PySemaphore {
    private final AtomicInteger current = new AtomicInteger();
    private volatile int max;

    PermitLimiter(int max) {
        setMaxConcurrent(max);
    }

    /** Takes a permit or throws {@link OverloadedException}; pair with {@link #release()} in a finally. */
    void acquire() {
        while (true) {
            int now = current.get();
            int limit = max;
            if (now >= limit) {
                throw new OverloadedException(now, limit);
            }
            if (current.compareAndSet(now, now + 1)) {
                return;
            }
        }
    }

    void release() {
        current.decrementAndGet();
    }

    @Override
    public int maxConcurrent() {
        return max;
    }

    @Override
    public int current() {
        return current.get();
    }

    @Override
    public void setMaxConcurrent(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + max);
        }
        this.max = max;
    }
}
