package org.hzpy.runtime;

import org.hzpy.ContextRouter;
import org.hzpy.ExecutionMode;
import org.hzpy.PyCancelledException;
import org.hzpy.PyContext;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The public router ({@link ContextRouter}) and the way a call enters a context: a thread already
 * inside a context (a nested call) re-enters the same one, which is what makes
 * Python -> Java -> Python deadlock-free; a bound thread goes to its slot; any other goes where
 * the {@link Admission} of the execution mode lets it (ISOLATED: thread affinity first, then any
 * free context, then waits; SHARED: the one context), waiting at most until the call's deadline.
 * Thread-safe; per-thread routing state lives in a thread-local.
 */
final class Router implements ContextRouter {
    /** How long a waiting thread sits on its preferred context before looking at the others again. */
    private static final long RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a waiting thread sits on a starting slot before looking again. */
    private static final long SLOT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Per-thread routing state of one runtime. The binding is weak: a pooled thread that bound a
     * context and never unbound must not keep a stopped context (and its memory) reachable.
     */
    static final class ThreadState {
        WeakReference<PythonContext> bound;
        PythonContext current;
        int depth;

        PythonContext bound() {
            WeakReference<PythonContext> b = bound;
            return b == null ? null : b.get();
        }
    }

    private final ExecutionMode mode;
    private final Admission admission;
    private final ContextPool pool;
    private final ThreadLocal<ThreadState> threadState = ThreadLocal.withInitial(ThreadState::new);

    Router(ExecutionMode mode, Admission admission, ContextPool pool) {
        this.mode = mode;
        this.admission = admission;
        this.pool = pool;
    }

    ThreadState threadState() {
        return threadState.get();
    }

    ContextPool pool() {
        return pool;
    }

    // ------------------------------------------------------------------ ContextRouter

    @Override
    public int numContexts() {
        PythonContext[] ws = pool.slots();
        return ws == null ? 0 : ws.length;
    }

    @Override
    public PyContext context(int index) {
        PythonContext[] ws = pool.slots();
        if (ws == null || index < 0 || index >= ws.length) {
            throw new IndexOutOfBoundsException("no context " + index + "; the router has " + numContexts());
        }
        PythonContext w = ws[index];
        return w == null ? new Pending(index) : w;
    }

    @Override
    public void bind(PyContext context) {
        Objects.requireNonNull(context, "context");
        PythonContext[] ws = pool.slots();
        if (ws == null || context.index() < 0 || context.index() >= ws.length) {
            throw new IllegalArgumentException(context + " does not belong to this router");
        }
        PythonContext w = ws[context.index()] != null ? ws[context.index()]
                : awaitSlot(context.index(), System.nanoTime() + Timeouts.BIND_WAIT.toNanos(), null);
        boolean sameSlot = context instanceof Pending
                || (context instanceof PythonContext other && other.generation == ws && other.isRetired());
        if (w != context && !sameSlot) {
            throw new IllegalArgumentException(context + " belongs to a router that was stopped or to another member");
        }
        threadState.get().bound = new WeakReference<>(w);
    }

    @Override
    public void unbind() {
        threadState.get().bound = null;
    }

    @Override
    public synchronized void start(int contexts) {
        if (contexts < 1) {
            throw new IllegalArgumentException("contexts must be at least 1, was " + contexts);
        }
        if (mode == ExecutionMode.SHARED && contexts != 1) {
            throw new IllegalArgumentException("SHARED mode runs exactly one context, asked for " + contexts);
        }
        pool.start(contexts);
    }

    @Override
    public synchronized void stop() {
        pool.stop();
    }

    // ------------------------------------------------------------------ entering a context

    /**
     * Enters a context for one call; pair with {@link #exit}. A call that {@code stop} can cancel
     * (null: none) waits in slices of {@link Timeouts#CANCEL_POLL} and fails with
     * {@link PyCancelledException} once cancelled. Never returns a retired or closed context.
     */
    PythonContext enter(ThreadState ts, long deadlineNanos, long timeoutMillis, StopToken stop) {
        if (ts.current != null) { // nested call on this thread: same context, no new slot
            PythonContext w = ts.current;
            admission.reenter(w);
            ts.depth++;
            return w;
        }
        PythonContext bound = ts.bound != null ? boundContext(ts) : null;
        PythonContext w = bound != null ? enterSlot(bound, deadlineNanos, timeoutMillis, stop)
                : admission.anyContextServes() ? enterAny(deadlineNanos, timeoutMillis, stop)
                : enterSlot(null, deadlineNanos, timeoutMillis, stop);
        ts.current = w;
        ts.depth = 1;
        return w;
    }

    void exit(ThreadState ts, PythonContext w) {
        boolean outermost = --ts.depth == 0;
        if (outermost) {
            ts.current = null;
        }
        admission.exit(w, outermost);
    }

    /** Whether a caller that entered {@code w} may use it: not stopped, not taken out of service meanwhile. */
    private static boolean usable(PythonContext w) {
        return !w.isClosed() && !w.isRetired();
    }

    /** The end of a wait's next slice: the deadline, or sooner for a cancellable call. */
    private static long waitUntil(long deadlineNanos, StopToken stop) {
        return stop == null ? deadlineNanos : Math.min(deadlineNanos, System.nanoTime() + Timeouts.CANCEL_POLL_NANOS);
    }

    private static void throwIfCancelled(StopToken stop) {
        if (StopToken.cancelled(stop)) {
            throw new PyCancelledException("the call was cancelled by its caller while it waited for a Python context");
        }
    }

    /** ISOLATED, unbound: the thread's preferred context, else any free one, else waits on one in turn. */
    private PythonContext enterAny(long deadlineNanos, long timeoutMillis, StopToken stop) {
        while (true) {
            pool.throwIfUnavailable();
            PythonContext[] ws = pool.slots();
            if (ws == null) {
                throw new PyUnavailableException("the hzpy context router is stopped; call contexts().start(n)");
            }
            int n = ws.length;
            int preferred = (int) (Thread.currentThread().getId() % n);
            for (int k = 0; k < n; k++) {
                PythonContext w = ws[(preferred + k) % n];
                if (w != null && w.isReady() && admission.tryEnter(w)) {
                    if (usable(w)) {
                        return w;
                    }
                    admission.exit(w, true);
                }
            }
            throwIfCancelled(stop);
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new PyTimeoutException(admission.notFreeMessage(null, false, timeoutMillis));
            }
            PythonContext wait = firstReady(ws, preferred);
            if (wait == null) {
                pool.awaitServing(1, waitUntil(deadlineNanos, stop));
                continue;
            }
            try {
                if (admission.tryEnter(wait, Math.min(left, RESCAN_NANOS))) {
                    if (usable(wait)) {
                        return wait;
                    }
                    admission.exit(wait, true);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PyUnavailableException("interrupted while waiting for a Python context");
            }
        }
    }

    /**
     * Enters the context of one slot: the bound context's (following it to its replacement when it
     * was retired, since the binding is to the slot), or slot 0 when {@code bound} is null (SHARED).
     */
    private PythonContext enterSlot(PythonContext bound, long deadlineNanos, long timeoutMillis, StopToken stop) {
        PythonContext w = bound;
        while (true) {
            if (w == null || !usable(w)) {
                if (bound != null && !(w.isRetired() && pool.isCurrent(w))) {
                    throw new PyUnavailableException("the thread is bound to " + w + ", which was stopped; unbind() or bind another");
                }
                w = awaitSlot(w == null ? 0 : w.index, deadlineNanos, stop);
                if (bound != null) {
                    threadState.get().bound = new WeakReference<>(w); // its replacement
                }
            }
            boolean entered = false;
            try {
                while (!(entered = admission.tryEnter(w, Math.max(0, waitUntil(deadlineNanos, stop) - System.nanoTime())))) {
                    throwIfCancelled(stop);
                    if (deadlineNanos - System.nanoTime() <= 0) {
                        throw new PyTimeoutException(admission.notFreeMessage(w, bound != null, timeoutMillis));
                    }
                    if (!usable(w)) {
                        break; // retired or stopped while we waited: look for its replacement
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PyUnavailableException("interrupted while waiting for a Python context");
            }
            if (entered) {
                if (usable(w)) {
                    return w;
                }
                admission.exit(w, true); // retired or stopped while we waited
            }
            if (bound == null) {
                w = null; // SHARED: slot 0 again
            }
        }
    }

    /**
     * The context the thread is bound to: its replacement when it was retired (the binding is to the
     * slot), an error when its router was stopped since.
     */
    private PythonContext boundContext(ThreadState ts) {
        PythonContext w = ts.bound();
        if (w == null || (w.isClosed() && !(w.isRetired() && pool.isCurrent(w)))) {
            throw new PyUnavailableException("the thread is bound to a context that was stopped; unbind() or bind another");
        }
        return w;
    }

    /** Waits (cancellably, until the deadline) for slot {@code index} to serve. */
    private PythonContext awaitSlot(int index, long deadlineNanos, StopToken stop) {
        while (true) {
            throwIfCancelled(stop);
            PythonContext w = pool.awaitSlot(index, deadlineNanos, stop == null ? SLOT_WAIT_NANOS : Timeouts.CANCEL_POLL_NANOS);
            if (w != null) {
                return w;
            }
        }
    }

    private static PythonContext firstReady(PythonContext[] ws, int preferred) {
        for (int k = 0; k < ws.length; k++) {
            PythonContext w = ws[(preferred + k) % ws.length];
            if (w != null && w.isReady()) {
                return w;
            }
        }
        return null;
    }

    /** The handle of a context that is still starting. */
    private static final class Pending implements PyContext {
        private final int index;

        Pending(int index) {
            this.index = index;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public boolean isReady() {
            return false;
        }

        @Override
        public String toString() {
            return "PyContext[" + index + ", starting]";
        }
    }
}
