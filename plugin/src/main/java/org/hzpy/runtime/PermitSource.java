package org.hzpy.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A second limit a member's calls must also pass, after the member's own (the cluster-wide limit).
 * It refuses with {@link org.hzpy.OverloadedException} when full, never queues a caller (the
 * member's own limit keeps the line, and passes permits on with {@link #passOn()}). Taking a
 * permit may need a remote operation: {@link #acquire()} waits for it within a short bound,
 * {@link #acquireAsync()} never waits. Thread-safe.
 */
public interface PermitSource {
    /**
     * Takes a permit, waiting at most a short bound when one must be fetched.
     *
     * @throws org.hzpy.OverloadedException    when none is free
     * @throws org.hzpy.PyUnavailableException when the limit cannot be reached within the bound
     */
    void acquire();

    /**
     * Takes a permit without blocking the caller: the future is done at once when one is at hand
     * (the common case), else completes when one is fetched, or fails as {@link #acquire()} throws.
     */
    CompletableFuture<Void> acquireAsync();

    /** Gives back one permit taken with {@link #acquire()} or {@link #acquireAsync()}. */
    void release();

    /**
     * A permit in use goes on to another caller of this member, who waited for it: whether it may.
     * If not (the limit wants it back), it is released as by {@link #release()}.
     */
    boolean passOn();
}
