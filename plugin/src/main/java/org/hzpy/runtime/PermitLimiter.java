package org.hzpy.runtime;

import org.hzpy.OverloadedException;
import org.hzpy.PySemaphore;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** The member-local limit: a CAS counter, so a full limit refuses at once instead of queueing. */
final class PermitLimiter implements PySemaphore {
    private static final CompletableFuture<Void> TAKEN = CompletableFuture.completedFuture(null);
    private final AtomicInteger current = new AtomicInteger();
    private volatile int max;
    /** The cluster-wide limit, once the member has joined and it is configured. */
    private volatile PermitSource cluster;

    PermitLimiter(int max) {
        setMaxConcurrent(max);
    }

    /** Takes a permit or throws {@link OverloadedException}; pair with {@link #release()} in a finally. */
    void acquire() {
        takeOwn();
        PermitSource c = cluster;
        if (c != null) {
            try {
                c.acquire();
            } catch (RuntimeException e) {
                current.decrementAndGet();
                throw e;
            }
        }
    }

    /**
     * Takes a permit without blocking: the member's own now (or {@link OverloadedException}), the
     * cluster's when it comes (the future fails, and the member's permit goes back, if it cannot).
     */
    CompletableFuture<Void> acquireAsync() {
        takeOwn();
        PermitSource c = cluster;
        if (c == null) {
            return TAKEN;
        }
        CompletableFuture<Void> taken;
        try {
            taken = c.acquireAsync();
        } catch (RuntimeException e) {
            current.decrementAndGet();
            throw e;
        }
        if (!taken.isDone()) {
            taken.whenComplete((v, e) -> {
                if (e != null) {
                    current.decrementAndGet();
                }
            });
        } else if (taken.isCompletedExceptionally()) {
            current.decrementAndGet();
        }
        return taken;
    }

    /** The member's own permit, by CAS, or {@link OverloadedException}. */
    private void takeOwn() {
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
        PermitSource c = cluster;
        if (c != null) {
            c.release();
        }
    }

    void useCluster(PermitSource source) {
        cluster = source;
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
