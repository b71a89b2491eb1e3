package org.hzpy;

/** How a member runs Python. Set with {@code hzpy.execution-mode}. */
public enum ExecutionMode {
    /**
     * A pool of contexts, each with its own GIL and its own globals: true N-way parallelism on
     * N cores; module state is per context. The default.
     */
    ISOLATED,
    /**
     * One context entered by up to {@code hzpy.executors} threads at once: module state is
     * shared by every call, CPU-bound work is serialized by the GIL. Suits I/O-bound code.
     */
    SHARED
}
