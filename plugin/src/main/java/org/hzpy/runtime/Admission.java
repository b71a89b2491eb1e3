package org.hzpy.runtime;

import org.hzpy.ExecutionMode;

import java.util.concurrent.TimeUnit;

/**
 * How a thread takes a context for a call and gives it back: the one place where the execution
 * modes differ. {@link Isolated}: one thread at a time ({@link PythonContext#lock}), reentrant for nested
 * calls; any free context may serve. {@link Shared}: one context, up to {@code executors} threads
 * at once ({@link PythonContext#slots}); a nested call takes no second slot. Stateless beyond the
 * context's own lock or semaphore: thread-safe.
 */
interface Admission {

    static Admission of(ExecutionMode mode, int executors) {
        return mode == ExecutionMode.SHARED ? new Shared(executors) : new Isolated();
    }

    /** Takes {@code w} if it is free now. */
    boolean tryEnter(PythonContext w);

    /** Takes {@code w}, waiting at most {@code nanos}. */
    boolean tryEnter(PythonContext w, long nanos) throws InterruptedException;

    /** Takes {@code w} again for a call nested in one this thread runs there. Never waits. */
    void reenter(PythonContext w);

    /** Gives back one {@link #tryEnter} or {@link #reenter}; {@code outermost} when the thread leaves the context. */
    void exit(PythonContext w, boolean outermost);

    /** Whether callers are queued for {@code w} right now (background work makes way for them). */
    boolean callersWaiting(PythonContext w);

    /** Whether an unbound call may go to any free context (true) or only to context 0 (false). */
    boolean anyContextServes();

    /** Why a call that waited for {@code w} gives up. */
    String notFreeMessage(PythonContext w, boolean bound, long timeoutMillis);

    /** ISOLATED: a context serves one thread at a time. */
    final class Isolated implements Admission {
        @Override
        public boolean tryEnter(PythonContext w) {
            return w.lock.tryLock();
        }

        @Override
        public boolean tryEnter(PythonContext w, long nanos) throws InterruptedException {
            return w.lock.tryLock(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void reenter(PythonContext w) {
            w.lock.lock(); // held by this thread already: never waits
        }

        @Override
        public void exit(PythonContext w, boolean outermost) {
            w.lock.unlock();
        }

        @Override
        public boolean callersWaiting(PythonContext w) {
            return w.lock.hasQueuedThreads();
        }

        @Override
        public boolean anyContextServes() {
            return true;
        }

        @Override
        public String notFreeMessage(PythonContext w, boolean bound, long timeoutMillis) {
            return bound ? "the bound " + w + " did not become free within " + timeoutMillis + " ms"
                    : "no Python context became free within " + timeoutMillis + " ms";
        }
    }

    /** SHARED: one context, at most {@code executors} threads in it. */
    final class Shared implements Admission {
        private final int executors;

        Shared(int executors) {
            this.executors = executors;
        }

        @Override
        public boolean tryEnter(PythonContext w) {
            return w.slots.tryAcquire();
        }

        @Override
        public boolean tryEnter(PythonContext w, long nanos) throws InterruptedException {
            return w.slots.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void reenter(PythonContext w) {
            // a nested call runs in the slot of the call it is nested in
        }

        @Override
        public void exit(PythonContext w, boolean outermost) {
            if (outermost) {
                w.slots.release();
            }
        }

        @Override
        public boolean callersWaiting(PythonContext w) {
            return w.slots.hasQueuedThreads();
        }

        @Override
        public boolean anyContextServes() {
            return false;
        }

        @Override
        public String notFreeMessage(PythonContext w, boolean bound, long timeoutMillis) {
            return "none of the " + executors + " executor slots of the shared context became free within "
                    + timeoutMillis + " ms";
        }
    }
}
