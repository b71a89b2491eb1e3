package org.hzpy;

/**
 * The limit on concurrent Python calls on a member. A call that finds it full fails at once with
 * {@link OverloadedException}; it never waits. Thread-safe.
 */
public interface PySemaphore {
    /** The most calls that may run at once. Default: cores × 2 + 1 ({@code hzpy.max-concurrent}). */
    int maxConcurrent();

    /** Calls holding a permit right now. */
    int current();

    /**
     * Changes the limit at run time. Calls already running keep their permits; lowering the limit
     * below {@link #current()} only refuses new calls until enough finish.
     *
     * @throws IllegalArgumentException if {@code max < 1}
     */
    void setMaxConcurrent(int max);

    /**
     * Where the limit is kept: {@code "member-local"} for a member's own limit; for the cluster-wide
     * one, the backend hzpy picked: {@code "atomic-long"} where the cluster's CP subsystem serves an
     * IAtomicLong, {@code "imap-entry-processor"} otherwise ({@code hzpy.cluster-limit-backend}).
     */
    default String backend() {
        return "member-local";
    }
}
