package org.hzpy.runtime;

/**
 * A second limit a member's calls must also pass, after the member's own (the cluster-wide limit).
 * {@link #acquire()} throws {@link org.hzpy.OverloadedException} when full, never waits.
 */
public interface PermitSource {
    void acquire();

    /** Gives back one permit taken with {@link #acquire()}. */
    void release();
}
