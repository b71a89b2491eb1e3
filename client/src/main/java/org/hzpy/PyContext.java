package org.hzpy;

/**
 * A handle on one Python context of a member: a Python interpreter with its own globals (and,
 * in {@link ExecutionMode#ISOLATED} mode, its own GIL). Obtain it from
 * {@link ContextRouter#context(int)} and pass it to {@link ContextRouter#bind}. Thread-safe;
 * holds no Python objects.
 */
public interface PyContext {
    /** Position of this context in the router, from 0. */
    int index();

    /** Whether the context has finished starting (and pre-warming) and can serve calls. */
    boolean isReady();
}
