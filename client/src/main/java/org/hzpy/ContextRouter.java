package org.hzpy;

/**
 * Picks the Python context that serves a call on this member. By default a thread keeps to
 * "its" context (thread affinity: warm caches, no contention) and moves to a free one when its
 * own is busy; {@link #bind} pins the current thread to one context. A context is never entered
 * by two threads at once in {@link ExecutionMode#ISOLATED} mode. Thread-safe.
 */
public interface ContextRouter {
    /** How many contexts the router has (0 when stopped). */
    int numContexts();

    /**
     * The context at {@code index}.
     *
     * @throws IndexOutOfBoundsException if there is no such context
     */
    PyContext context(int index);

    /** Pins the current thread's calls to {@code context} until {@link #unbind()}. */
    void bind(PyContext context);

    /** Returns the current thread to affinity routing. */
    void unbind();

    /**
     * Starts {@code contexts} fresh contexts; code defined with {@link Py#exec} is replayed into
     * each of them.
     *
     * @throws IllegalStateException if the router is running
     * @throws IllegalArgumentException if {@code contexts < 1}
     */
    void start(int contexts);

    /**
     * Closes every context. Calls running at that moment are cancelled; later calls fail with
     * {@link PyUnavailableException} until {@link #start}.
     */
    void stop();
}
