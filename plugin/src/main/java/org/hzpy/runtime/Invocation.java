package org.hzpy.runtime;

import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyResourceException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One call's life, written once for call, eval, exec and the runtime's own reads: admission (open,
 * memory guard, permit), hand-off to hzpy's threads (from the common pool, or for an async caller),
 * the wait for a first context, entry, context maintenance (exec replay, scope sync), the frame,
 * and what the caller is told when the runtime gives up on it. Translation of Python's failures
 * happens in the frame ({@link PythonContext#run}). One object per call, used by one thread at a time.
 */
final class Invocation<T> {

    /** What runs in the context, inside the call's frame. */
    interface Op<T> {
        T apply(PythonContext w, CallFrame frame);
    }

    /** The runtime's parts a call goes through. */
    record Env(String name, Router router, ContextPool pool, PermitLimiter limiter, MemoryGuard memoryGuard,
               ExecLog execLog, ModuleScopes scopes, CallThreads threads, java.util.function.BooleanSupplier closed) {
    }

    private final Env env;
    private final String module;
    private final String function;
    /** From when the timeout counts; a call that waited in line for a permit counts from when it got it (set before it runs). */
    private long startNanos;
    private final long timeoutNanos;
    private final Op<T> op;

    /**
     * @param module       what runs, for messages: a module, or an operation such as "eval()"
     * @param function     the function, or null for an operation
     * @param startNanos   when the call was made: its timeout counts from then, queueing included
     * @param timeoutNanos the call's own timeout
     */
    Invocation(Env env, String module, String function, long startNanos, long timeoutNanos, Op<T> op) {
        this.env = env;
        this.module = module;
        this.function = function;
        this.startNanos = startNanos;
        this.timeoutNanos = timeoutNanos;
        this.op = op;
    }

    private String what() {
        return module + (function == null ? "" : "." + function + "()");
    }

    // ------------------------------------------------------------------ the three ways in

    /** Runs the call on this thread (on one of hzpy's own, from a common-pool thread), holding a permit. */
    T call(StopToken stop) {
        return run(true, null, stop);
    }

    /** Like {@link #call} without taking a permit: the runtime's own short reads (they must not be hidden by a full limit). */
    T callWithoutPermit() {
        return run(false, null, null);
    }

    /**
     * Like {@link #callWithoutPermit}, for work done under a permit held elsewhere (a stream's pulls
     * and close hold the stream's): cancellable by {@code stop}, and answered through {@code control}
     * (null: none) if the runtime gives up on it.
     */
    T callHeld(AsyncCall<?> control, StopToken stop) {
        return run(false, control, stop);
    }

    /**
     * Runs the call on one of hzpy's threads: the member's permit is taken (or refused) now, a
     * cluster-wide one when its lease lands (the caller never waits for it). Cancelling the
     * returned future stops the Python code. With {@code permitWaitNanos} above 0, a full limit is waited out in
     * the member's line for that long ({@link PermitLimiter#acquireAsync(long, Runnable)}; {@code
     * onRefused} runs at each refusal), and the call's timeout counts from when it got its permit.
     * While no context of the member serves yet, the call takes no permit: it waits for the first
     * context first (a starting member's calls would hold the cluster's permits idle, everyone's).
     */
    AsyncCall<T> callAsync(long permitWaitNanos, Runnable onRefused) {
        AsyncCall<T>[] self = new AsyncCall[1];
        AsyncCall<T> call = new AsyncCall<>(() -> run(false, self[0], self[0].stop), env.limiter(), false, new StopToken());
        self[0] = call;
        try {
            admit(null);
        } catch (RuntimeException e) {
            call.abort(e);
            return call;
        }
        if (env.pool().firstNews().isDone()) { // done once a context of this generation serves
            takePermitThenSubmit(call, permitWaitNanos, onRefused, false);
        } else { // bounded like a call's wait for the first context
            env.pool().firstNews().copy().completeOnTimeout(null, Timeouts.STARTUP_WAIT.toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((v, e) -> {
                        if (!call.isDone()) {
                            takePermitThenSubmit(call, permitWaitNanos, onRefused, true);
                        }
                    });
        }
        return call;
    }

    /**
     * Takes the call's permit without blocking (or joins the line for it), and submits the call to
     * hzpy's threads once it holds it. {@code waited}: its timeout counts from then.
     */
    private void takePermitThenSubmit(AsyncCall<T> call, long permitWaitNanos, Runnable onRefused, boolean waited) {
        CompletableFuture<Void> permit;
        try {
            // never blocks: a cluster permit may still be on its way, or the call in line
            permit = permitWaitNanos > 0 ? env.limiter().acquireAsync(permitWaitNanos, onRefused) : env.limiter().acquireAsync();
        } catch (RuntimeException e) {
            call.abort(e);
            return;
        }
        boolean restartClock = waited || permitWaitNanos > 0;
        if (permit.isDone() && !permit.isCompletedExceptionally()) {
            submitHolding(call, restartClock);
            return;
        }
        permit.whenComplete((v, e) -> { // on the thread that brings the permit
            if (e != null) {
                call.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                submitHolding(call, restartClock);
            }
        });
        if (permitWaitNanos > 0) { // cancelled while in line: it leaves the line (a lease in flight must land: not cancelled)
            call.whenComplete((v, e) -> permit.cancel(false));
        }
    }

    private void submitHolding(AsyncCall<T> call, boolean restartClock) {
        if (call.holdPermit()) { // false: it ended meanwhile, the permit went back
            if (restartClock) {
                startNanos = System.nanoTime(); // before submit: the call's thread sees it
            }
            env.threads().submit(call);
        }
    }

    // ------------------------------------------------------------------ the steps

    /** Open, and not refused by the memory guard: new calls would only feed the shortage. */
    private void admit(StopToken stop) {
        if (env.closed().getAsBoolean()) {
            throw new PyUnavailableException("the hzpy runtime of " + env.name() + " is closed");
        }
        if (env.memoryGuard().isTripped()) {
            throw new PyResourceException("call refused by the memory guard: " + env.memoryGuard().describe());
        }
        throwIfCancelled(stop);
    }

    /**
     * Runs {@code op} in a context, under a deadline of {@code timeoutNanos} from {@code startNanos}
     * (time spent waiting for the member's first context to start and replaying exec code does
     * not count). A context whose maintenance fails is retired and the call goes to another one.
     * {@code stop} (null: none) is checked at each step before Python (permit, first context,
     * context, replay, frame) and then by the watchdog: a cancel stops the call wherever it is.
     *
     * @param control the future of an asynchronous caller (answered at once if the runtime gives up on the call)
     */
    private T run(boolean takePermit, AsyncCall<?> control, StopToken stop) {
        if (env.closed().getAsBoolean()) {
            throw new PyUnavailableException("the hzpy runtime of " + env.name() + " is closed");
        }
        Router.ThreadState ts = env.router().threadState();
        boolean outermost = ts.current == null;
        if (outermost && onCommonPool()) {
            return handOff(takePermit, ts.bound(), stop);
        }
        if (outermost) {
            admit(stop);
        } else {
            throwIfCancelled(stop);
        }
        // before the permit: a starting member's callers hold none of the cluster's while they wait
        long startWait = outermost ? awaitFirstContext(stop) : 0;
        // released once: when the call ends, or earlier if the runtime gives up on a call stuck in its context
        AtomicBoolean permitHeld = null;
        if (takePermit && outermost) {
            env.limiter().acquire();
            permitHeld = new AtomicBoolean(true);
        }
        AtomicBoolean threadLent = new AtomicBoolean();
        try {
            long deadline = startNanos + timeoutNanos + startWait;
            long timeoutMillis = Timeouts.millis(timeoutNanos);
            for (int attempt = 1; ; attempt++) {
                PythonContext w = env.router().enter(ts, deadline, timeoutMillis, stop);
                PythonContext.ReplayFailedException unfit;
                try {
                    throwIfCancelled(stop);
                    boolean stopsItself = false;
                    if (!outermost) { // a nested call ends no later than the call it is nested in
                        long outer = w.currentDeadline();
                        stopsItself = deadline - outer < 0; // its own timeout comes first: it must not stop the outer call
                        deadline = stopsItself ? deadline : outer;
                    }
                    if (outermost) {
                        deadline += maintain(w);
                    }
                    CallFrame frame = new CallFrame(Thread.currentThread(), deadline, timeoutMillis, module, function);
                    if (System.nanoTime() - deadline >= 0) { // else whether it runs would be a race with the watchdog
                        throw new PyTimeoutException(frame.what() + " did not start: its timeout of "
                                + Timeouts.describe(timeoutNanos) + " had passed before a Python context could run it");
                    }
                    if (outermost) {
                        frame.onAbandon = abandonAnswer(control, permitHeld, threadLent);
                    }
                    frame.stopsItself = stopsItself;
                    frame.token = stop; // push checks it once more, under the guard the watchdog reads frames with
                    return w.run(frame, worker -> op.apply(worker, frame));
                } catch (PythonContext.ReplayFailedException e) {
                    unfit = e;
                    env.pool().retire(w, e); // before exit: no other caller may enter it once it is unfit
                } finally {
                    env.router().exit(ts, w);
                }
                if (!outermost || attempt >= Timeouts.REPLAY_ATTEMPTS) {
                    throw new PyUnavailableException("no context could serve the call: " + unfit.getMessage());
                }
            }
        } finally {
            releaseOnce(permitHeld);
            if (threadLent.get()) {
                env.threads().giveBack(); // the stuck operation returned: this thread serves the pool again
            }
        }
    }

    /**
     * The context's own upkeep before it serves an outermost call: the module scopes that changed
     * (deployments included), then the exec code it has not run. Returns how long it took: the context's work, not the caller's.
     */
    private long maintain(PythonContext w) {
        long t0 = System.nanoTime();
        if (w.scopesBehind(env.scopes())) { // first: exec code may import a deployed module
            w.syncScopes(env.scopes());
        }
        if (w.isBehind(env.execLog())) {
            env.pool().countReplays(w.catchUp(env.execLog()));
        }
        return System.nanoTime() - t0;
    }

    /**
     * What giving up on a stuck call does for its caller: an asynchronous caller gets its answer now
     * (and the call's permit back, and its thread is replaced in the pool until it returns); a
     * synchronous one runs on the stuck thread itself and gets it when the operation returns, but
     * its permit comes back now.
     */
    private Consumer<RuntimeException> abandonAnswer(AsyncCall<?> control, AtomicBoolean permitHeld, AtomicBoolean threadLent) {
        if (control != null) {
            return e -> {
                if (threadLent.compareAndSet(false, true)) { // before the answer: a caller that goes on finds the pool whole
                    env.threads().lend();
                }
                control.abort(e);
            };
        }
        return permitHeld == null ? null : e -> releaseOnce(permitHeld);
    }

    private void releaseOnce(AtomicBoolean permitHeld) {
        if (permitHeld != null && permitHeld.compareAndSet(true, false)) {
            env.limiter().release();
        }
    }

    /**
     * Right after the member starts no context may be ready yet. Waiting for the first one is start-up,
     * not the call's own time, so it has its own bound and is added to the call's deadline. A
     * cancellable call looks at its token every {@link Timeouts#CANCEL_POLL}.
     *
     * @return how long it waited
     */
    private long awaitFirstContext(StopToken stop) {
        ContextPool pool = env.pool();
        if (pool.anyServing()) {
            return 0;
        }
        long t0 = System.nanoTime();
        long end = t0 + Timeouts.STARTUP_WAIT.toNanos();
        while (true) {
            long sliceEnd = stop == null ? end : Math.min(end, System.nanoTime() + Timeouts.CANCEL_POLL_NANOS);
            if (pool.awaitServing(1, sliceEnd)) {
                return System.nanoTime() - t0;
            }
            throwIfCancelled(stop);
            if (sliceEnd == end || System.nanoTime() - sliceEnd < 0) { // the whole wait is over, or it ended early: a failure
                if (env.closed().getAsBoolean()) {
                    throw new PyUnavailableException("the hzpy runtime of " + env.name() + " is closed");
                }
                pool.throwIfUnavailable();
                throw new PyUnavailableException("no Python context of " + env.name() + " became ready within " + Timeouts.STARTUP_WAIT);
            }
        }
    }

    /**
     * Runs a call made on a common-pool thread on one of hzpy's own (big-stack) threads, with the
     * caller's binding, and waits for it (bounded: the call's own deadline, plus start-up and a
     * margin). Its timeout counts from when it was made, queueing included, as with callAsync.
     */
    private T handOff(boolean takePermit, PythonContext bound, StopToken stop) {
        AsyncCall<T>[] self = new AsyncCall[1];
        AsyncCall<T> call = new AsyncCall<>(() -> {
            Router.ThreadState mine = env.router().threadState();
            mine.bound = bound == null ? null : new WeakReference<>(bound); // the caller's bind() holds here too
            try {
                if (takePermit) {
                    // before the permit, as run() does: a starting member's callers hold none of the
                    // cluster's while they wait (the wait does not count against the call's timeout)
                    startNanos += awaitFirstContext(self[0].stop);
                    self[0].takePermit();
                }
                return run(false, self[0], self[0].stop);
            } finally {
                mine.bound = null;
            }
        }, env.limiter(), false, stop != null ? stop : new StopToken()); // the caller's token reaches the call on our thread
        self[0] = call;
        env.threads().submit(call);
        long waitNanos = Timeouts.saturatedAdd(Timeouts.saturatedAdd(timeoutNanos, Timeouts.STARTUP_WAIT.toNanos()),
                Timeouts.HAND_OFF_SLACK.toNanos());
        try {
            return call.get(Math.max(0, startNanos + waitNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new PyException("the call failed on an hzpy thread: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new PyTimeoutException(what() + " handed off from a common-pool thread did not complete within "
                    + Timeouts.millis(waitNanos) + " ms");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new PyCancelledException("interrupted while waiting for the call; it was cancelled");
        }
    }

    /** The check a cancellable call makes before each step that precedes its Python. */
    private void throwIfCancelled(StopToken stop) {
        if (StopToken.cancelled(stop)) {
            throw new PyCancelledException(what() + " was cancelled by its caller before it started");
        }
    }

    /**
     * The common ForkJoinPool erases a context's thread-locals after each task, and Truffle keeps
     * per-thread state there: GraalPy then fails with "TruffleSafepoint mechanism is not initialized
     * on this thread". Calls from those threads (e.g. CompletableFuture.supplyAsync) run on ours.
     */
    private static boolean onCommonPool() {
        Thread t = Thread.currentThread();
        return t instanceof ForkJoinWorkerThread fj && fj.getPool() == ForkJoinPool.commonPool();
    }
}
