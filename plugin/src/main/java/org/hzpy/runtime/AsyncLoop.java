package org.hzpy.runtime;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.hzpy.PyException;
import org.hzpy.PyUnavailableException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Java side of one context's asyncio event loop ({@code _hzpy_internal.aio}): the coroutine
 * calls pending in it, the Java results its {@code hzpy.call_async} awaits wait for, and its ticks.
 * A tick is a frame in the context like any call's (the watchdog bounds it, it takes no permit):
 * it hands Python the Java results that arrived and the calls to cancel, runs what is ready and due,
 * and reports the Tasks that ended and when the next timer is due; {@link AsyncTicker} runs ticks
 * on its threads. Between ticks the context serves other calls. When the context closes (restart,
 * stop, shutdown) the loop dies with it: its pending calls fail with {@link PyUnavailableException}.
 * Thread-safe: Java results and cancels arrive on any thread through queues; only a thread inside
 * the context ticks, one at a time ({@link #tickLock}).
 */
final class AsyncLoop {
    private static final com.hazelcast.logging.ILogger LOGGER = com.hazelcast.logging.Logger.getLogger(AsyncLoop.class);
    private static final int IDLE = 0;
    private static final int QUEUED = 1;
    private static final int RUNNING = 2;
    private static final int RUNNING_AGAIN = 3;
    /** Kinds of a resolved await, as {@code aio._resolve} reads them. */
    private static final long RESULT = 0;
    private static final long CANCELLED = 1;
    private static final long FAILED = 2;
    /** What {@code aio.recover} answers when it could not undo a cut-short step. */
    private static final long RECOVERY_FAILED = -2;

    final PythonContext context;
    private final AsyncTicker ticker;
    private final Value aio;
    private final Conversions conversions;
    private final Map<Long, PendingCoroutine> pending = new ConcurrentHashMap<>();
    /** Java results for awaits: {await id, kind, value or Python type, message}. */
    private final ConcurrentLinkedQueue<Object[]> arrived = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> toCancel = new ConcurrentLinkedQueue<>();
    private final AtomicInteger tickState = new AtomicInteger(IDLE);
    /** Held by the thread that ticks (inside the context): one tick at a time, also in SHARED mode. */
    private final ReentrantLock tickLock = new ReentrantLock();
    private final AtomicLong nextCallId = new AtomicLong();
    private final AtomicInteger awaitsPending = new AtomicInteger();
    /** The Java stages pending awaits wait for, by await id: until they complete or the await is cancelled. */
    private final Map<Long, CompletableFuture<?>> awaiting = new ConcurrentHashMap<>();
    /** Why the last tick was aborted from outside Python (null: it was not); the next tick recovers. */
    private volatile RuntimeException aborted;
    private volatile boolean closed;
    /** Set by a tick once it is inside the context: a tick that never got in failed for want of the context. */
    volatile boolean entered;
    /** Ticks that ran Python here, and ticks that gave up waiting for the context (for timeout messages). */
    private final AtomicLong ticksRun = new AtomicLong();
    final AtomicLong ticksKeptOut = new AtomicLong();
    private volatile long lastTickNanos = System.nanoTime();
    /** The next timer wake-up, not fired yet (null: none), its time and its token (guarded by this). */
    long wakeAt;
    ScheduledFuture<?> wakeTimer;
    long wakeToken;

    AsyncLoop(PythonContext context, AsyncTicker ticker, Value aio, Conversions conversions) {
        this.context = context;
        this.ticker = ticker;
        this.aio = aio;
        this.conversions = conversions;
        aio.putMember("max_tasks", ticker.maxPending());
        ticker.register(this);
    }

    int pendingCalls() {
        return pending.size();
    }

    int pendingAwaits() {
        return awaitsPending.get();
    }

    // ------------------------------------------------------------------ a call whose function returned a coroutine

    /**
     * Starts {@code coroutine}, the result of the call running in {@code frame}, as a Task, and ticks
     * once in that frame: a coroutine that awaits nothing that is pending ends here, and its result
     * (or exception) is the call's. Otherwise returns the {@link PendingCoroutine} the caller waits on.
     */
    Object startCall(PythonContext w, CallFrame frame, Value coroutine) {
        if (tickLock.isHeldByCurrentThread()) { // inside a tick: the loop runs this thread's coroutine already
            closeQuietly(coroutine);
            throw new PyException(frame.what() + " returned a coroutine to a synchronous call made inside a coroutine"
                    + " (Python -> Java -> Python): the event loop is busy running the caller; await it in Python instead");
        }
        ticker.reserveCall();
        PendingCoroutine p = new PendingCoroutine(nextCallId.incrementAndGet(), this, frame.deadlineNanos,
                frame.timeoutMillis, frame.what());
        pending.put(p.id, p);
        try {
            aio.invokeMember("start", p.id, coroutine);
        } catch (RuntimeException e) {
            pending.remove(p.id);
            ticker.releaseCall();
            throw e;
        }
        Tick t;
        try {
            t = tickIn(w, frame);
        } catch (RuntimeException e) { // stopped (the call's timeout or cancel, the memory guard, a sandbox denial)
            if (pending.remove(p.id) != null) {
                ticker.releaseCall();
                toCancel.add(p.id); // its Task, if it was not the one cut short, is cancelled at the next tick
            }
            if (e instanceof PolyglotException pe && !isPlainPythonError(pe)) {
                aborted(new PyUnavailableException("a step of its coroutine was cut short while " + frame.what()
                        + " ran the event loop (that call's timeout, a sandbox denial or the memory guard stopped it)"));
            }
            throw e;
        }
        Outcome mine = null;
        for (Outcome o : t.outcomes) {
            if (o.call == p) {
                mine = o;
            }
        }
        if (mine != null) {
            List<Outcome> others = new ArrayList<>(t.outcomes);
            others.remove(mine);
            ticker.completeLater(others, this, t.nextDelayNanos);
            mine.end();
            if (mine.error != null) {
                throw mine.error;
            }
            return mine.value;
        }
        ticker.completeLater(t.outcomes, this, t.nextDelayNanos);
        ticker.arm(p);
        return p;
    }

    /** Asks the Task of {@code p} to stop at the next tick. */
    void cancel(PendingCoroutine p) {
        toCancel.add(p.id);
        ticker.requestTick(this);
    }

    // ------------------------------------------------------------------ hzpy.call_async

    /**
     * What {@code hzpy.call_async} answers Python, given what the Java function returned:
     * {@code [True, None]} (pending: a tick resolves it when the stage completes), {@code [True, [kind, value, message]]}
     * (known now), or {@code [False, type, message]} (refused).
     */
    List<Object> awaitJava(long awaitId, Object returned) {
        if (!(returned instanceof CompletionStage<?> stage)) {
            return Arrays.asList(true, Arrays.asList(RESULT, returned, null));
        }
        CompletableFuture<?> f = stage.toCompletableFuture();
        if (f.isDone()) { // known now: resolved at once, no tick needed
            Throwable failure = failureOf(f);
            Object[] r = resolution(awaitId, failure == null ? f.join() : null, failure);
            return Arrays.asList(true, Arrays.asList(r[1], r[2], r[3]));
        }
        if (!ticker.reserveAwait()) {
            return Arrays.asList(false, "RuntimeError", "hzpy.call_async refused: " + ticker.pendingTotal()
                    + " coroutine calls and Java awaits are pending on this member, its limit (hzpy.async-max-pending)");
        }
        awaitsPending.incrementAndGet();
        awaiting.put(awaitId, f);
        f.whenComplete((v, e) -> {
            if (closed || awaiting.remove(awaitId) == null) {
                return; // released when the loop closed, or when its coroutine stopped awaiting
            }
            arrived.add(resolution(awaitId, v, e));
            ticker.requestTick(this);
        });
        return Arrays.asList(true, null);
    }

    /** The coroutine awaiting {@code awaitId} was cancelled: the await is released and its stage cancelled. */
    void cancelAwait(long awaitId) {
        CompletableFuture<?> f = awaiting.remove(awaitId);
        if (f != null) {
            awaitsPending.decrementAndGet();
            ticker.releaseAwait();
            f.cancel(false);
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        if (!f.isCompletedExceptionally()) {
            return null;
        }
        try {
            f.join();
            return null;
        } catch (CancellationException e) {
            return e;
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private static Object[] resolution(long awaitId, Object value, Throwable error) {
        Throwable e = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
        if (e == null) {
            return new Object[] {awaitId, RESULT, value, null};
        }
        if (e instanceof CancellationException) {
            return new Object[] {awaitId, CANCELLED, null, null};
        }
        return new Object[] {awaitId, FAILED, HostFunctions.pythonTypeOf(e), HostFunctions.messageOf(e)};
    }

    // ------------------------------------------------------------------ ticks

    /** What a tick did: the calls it ended, and when the loop next needs one (-1: only when something arrives). */
    record Tick(List<Outcome> outcomes, long nextDelayNanos) {
        static final Tick AGAIN = new Tick(List.of(), 1_000_000);
    }

    /** How a pending call ended; {@link #end} tells its caller. */
    record Outcome(PendingCoroutine call, Object value, RuntimeException error, AsyncTicker ticker) {
        void end() {
            ticker.ended(call);
        }

        void complete() {
            end();
            if (error != null) {
                call.result.completeExceptionally(error);
            } else {
                call.result.complete(value);
            }
        }
    }

    /** One tick, inside a frame in {@code w}. */
    Tick tickIn(PythonContext w, CallFrame frame) {
        entered = true;
        if (w != context) {
            throw new PyUnavailableException("the context of this event loop was replaced");
        }
        if (!tickLock.tryLock()) {
            return Tick.AGAIN; // another thread ticks (SHARED mode): try again soon
        }
        try {
            List<Outcome> outcomes = new ArrayList<>();
            RuntimeException cause = aborted;
            if (cause != null) {
                aborted = null;
                long id = aio.invokeMember("recover").asLong();
                LOGGER.warning("hzpy context " + context.index + ": a step of a coroutine was cut short (" + cause.getMessage()
                        + "); " + (id >= 0 ? "its call fails with that" : id == RECOVERY_FAILED ? "the event loop is reset"
                        : "it was not a call's own Task"));
                if (id == RECOVERY_FAILED) { // last resort: a loop whose Task is stuck "current" steps nothing else
                    aio.invokeMember("reset");
                    for (PendingCoroutine p : new ArrayList<>(pending.values())) {
                        if (pending.remove(p.id) != null) {
                            outcomes.add(new Outcome(p, null, new PyUnavailableException("the event loop of context "
                                    + context.index + " was reset after a step of a coroutine was cut short (" + cause.getMessage()
                                    + "); every coroutine pending in it was dropped"), ticker));
                        }
                    }
                }
                PendingCoroutine cutShort = pending.remove(id);
                if (cutShort != null) {
                    outcomes.add(new Outcome(cutShort, null, cause, ticker));
                }
            }
            List<Object> cancels = new ArrayList<>();
            for (Long id; (id = toCancel.poll()) != null; ) {
                cancels.add(id);
            }
            List<Object> resolved = new ArrayList<>();
            for (Object[] r; (r = arrived.poll()) != null; ) {
                awaitsPending.decrementAndGet();
                ticker.releaseAwait();
                resolved.add(toPythonItem(r));
            }
            Value r;
            ticksRun.incrementAndGet();
            lastTickNanos = System.nanoTime();
            try {
                r = aio.invokeMember("tick", AsyncTicker.PASSES, conversions.toPython(cancels),
                        conversions.listOf(resolved.toArray()));
            } catch (PolyglotException e) {
                if (!isPlainPythonError(e)) { // a step was cut short from outside Python: its Task can never end
                    aborted = new PyUnavailableException("a step of the coroutine was cut short");
                }
                throw e;
            }
            double delay = r.getArrayElement(0).asDouble();
            for (long i = 1; i < r.getArraySize(); i++) {
                long id = r.getArrayElement(i).asLong();
                PendingCoroutine p = pending.remove(id);
                if (p == null) {
                    aio.invokeMember("forget", id);
                    continue;
                }
                outcomes.add(outcomeOf(p, w, frame));
            }
            return new Tick(outcomes, delay < 0 ? -1 : (long) (delay * 1e9));
        } finally {
            tickLock.unlock();
        }
    }

    private Object toPythonItem(Object[] r) {
        try {
            return conversions.toPython(Arrays.asList(r));
        } catch (PyException e) { // a Java result Python cannot hold: the await raises instead
            return conversions.toPython(Arrays.asList(r[0], FAILED, "TypeError", e.getMessage()));
        }
    }

    private Outcome outcomeOf(PendingCoroutine p, PythonContext w, CallFrame frame) {
        try {
            Value taken = aio.invokeMember("take", p.id);
            if (taken.getArrayElement(0).asLong() == CANCELLED) {
                return new Outcome(p, null, p.cancelledFailure(), ticker);
            }
            return new Outcome(p, conversions.toJava(taken.getArrayElement(1)), null, ticker);
        } catch (PolyglotException e) {
            if (e.isInterrupted() || e.isCancelled() || e.isResourceExhausted() || !e.isGuestException()) {
                throw e; // the tick itself was stopped
            }
            return new Outcome(p, null, w.translate(e, frame), ticker);
        } catch (PyException e) { // a result that does not convert
            return new Outcome(p, null, e, ticker);
        }
    }

    /** A Python exception, which asyncio handles itself; not a stop or a denial from outside Python. */
    private static boolean isPlainPythonError(PolyglotException e) {
        return e.isGuestException() && !e.isInterrupted() && !e.isCancelled() && !e.isResourceExhausted() && !e.isExit();
    }

    /**
     * A tick was cut short from outside Python ({@code why}: the watchdog at the tick's deadline, a
     * sandbox denial, the memory guard): the call whose step it was fails with {@code why} at the next
     * tick; the other coroutines go on.
     */
    void aborted(RuntimeException why) {
        aborted = why;
        ticker.requestTick(this);
    }

    /** The context closed: the loop dies with it. */
    void close(RuntimeException why) {
        closed = true;
        ticker.unregister(this);
        failAll(why);
        int awaits = awaitsPending.getAndSet(0);
        for (int i = 0; i < awaits; i++) {
            ticker.releaseAwait();
        }
        arrived.clear();
        awaiting.clear();
    }

    private void failAll(RuntimeException why) {
        for (PendingCoroutine p : new ArrayList<>(pending.values())) {
            if (pending.remove(p.id) != null) {
                new Outcome(p, null, why, ticker).complete();
            }
        }
    }

    /** The runtime gave up waiting for {@code p} (its cancel was not honoured within the grace). */
    void drop(PendingCoroutine p, RuntimeException why) {
        if (pending.remove(p.id) != null) {
            toCancel.add(p.id); // ask once more; its outcome is forgotten
            new Outcome(p, null, why, ticker).complete();
        }
    }

    boolean isClosed() {
        return closed;
    }

    long ticksRun() {
        return ticksRun.get();
    }

    /**
     * What the loop did while {@code p} was pending, for its timeout message: a coroutine that timed
     * out with few ticks run waited for its context (busy with calls or background work), not in Python.
     */
    String activitySince(PendingCoroutine p) {
        long now = System.nanoTime();
        long nextWake;
        synchronized (this) {
            nextWake = wakeTimer != null ? (wakeAt - now) / 1_000_000 : -1;
        }
        return "its event loop ran " + (ticksRun.get() - p.ticksAtStart) + " ticks meanwhile (the last "
                + (now - lastTickNanos) / 1_000_000 + " ms ago), " + (ticksKeptOut.get() - p.keptOutAtStart)
                + " more found its context busy; " + (nextWake < 0 ? "no timer wake-up was due" : "a timer wake-up was due in " + nextWake + " ms");
    }

    // ------------------------------------------------------------------ tick scheduling (see AsyncTicker)

    /** True if the caller must submit a tick; false if one is queued or running (it will run again). */
    boolean markQueued() {
        while (true) {
            int s = tickState.get();
            if (s == IDLE && tickState.compareAndSet(IDLE, QUEUED)) {
                return true;
            }
            if (s == RUNNING && tickState.compareAndSet(RUNNING, RUNNING_AGAIN)) {
                return false;
            }
            if (s == QUEUED || s == RUNNING_AGAIN) {
                return false;
            }
        }
    }

    void beginRun() {
        entered = false;
        tickState.set(RUNNING);
    }

    /** True if a tick was asked for while this one ran: the caller submits another. */
    boolean endRun() {
        if (tickState.compareAndSet(RUNNING, IDLE)) {
            return false;
        }
        tickState.set(QUEUED);
        return true;
    }

    private static void closeQuietly(Value coroutine) {
        try {
            coroutine.invokeMember("close");
        } catch (RuntimeException e) {
            // it never ran; nothing to clean up
        }
    }
}
