package org.hzpy.runtime;

import org.hzpy.OverloadedException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the ticks of one runtime's {@link AsyncLoop}s: on a tick thread (big stacks, at most one per
 * context), when a Java result or a cancel arrives for a loop, and at its next timer (one timer
 * thread). Keeps the member's count of pending coroutine calls and Java awaits under
 * {@code hzpy.async-max-pending}, and each pending call's deadline: at it, the call's Task is
 * cancelled; {@link #CANCEL_GRACE_NANOS} later the caller is answered whatever the Task does. On
 * close every pending call fails with {@link PyUnavailableException}. Thread-safe.
 */
final class AsyncTicker {
    /** How long a cancelled Task may take to end (its finally blocks) before its caller is answered anyway. */
    static final long CANCEL_GRACE_NANOS = Duration.ofSeconds(2).toNanos();
    /** Rounds of ready callbacks one tick runs at most before it leaves the context to other calls. */
    static final int PASSES = 64;
    /** How soon a tick that could not get into its context (busy, starting) is tried again. */
    private static final long RETRY_NANOS = Duration.ofMillis(20).toNanos();

    /** Runs {@code op} as a frame in {@code context} (a bound, permit-free invocation). */
    @FunctionalInterface
    interface Runner {
        AsyncLoop.Tick inContext(PythonContext context, Invocation.Op<AsyncLoop.Tick> op);
    }

    private final String name;
    private final int maxPending;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor ticks;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger pendingCalls = new AtomicInteger();
    private final Set<AsyncLoop> loops = ConcurrentHashMap.newKeySet();
    private volatile Runner runner;
    private volatile boolean closed;

    AsyncTicker(String name, int maxPending, int threads) {
        this.name = name;
        this.maxPending = maxPending;
        this.timer = new ScheduledThreadPoolExecutor(1, CallThreads.threadFactory(name + "-aio-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.ticks = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                CallThreads.threadFactory(name + "-aio"));
        ticks.allowCoreThreadTimeOut(true);
    }

    void useRunner(Runner runner) {
        this.runner = runner;
    }

    int maxPending() {
        return maxPending;
    }

    // ------------------------------------------------------------------ the limit

    void reserveCall() {
        if (pending.incrementAndGet() > maxPending) {
            int now = pending.decrementAndGet();
            throw new OverloadedException("refused: " + now + " coroutine calls and Java awaits are pending on "
                    + name + ", its limit (hzpy.async-max-pending = " + maxPending + ")", now, maxPending);
        }
        pendingCalls.incrementAndGet();
    }

    void releaseCall() {
        pendingCalls.decrementAndGet();
        pending.decrementAndGet();
    }

    boolean reserveAwait() {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseAwait() {
        pending.decrementAndGet();
    }

    int pendingTotal() {
        return pending.get();
    }

    /** Coroutine calls pending on the member (started, not ended). */
    int pendingCalls() {
        return pendingCalls.get();
    }

    /** {@code hzpy.call_async} awaits whose Java result has not reached Python yet. */
    int pendingAwaits() {
        return Math.max(0, pending.get() - pendingCalls.get());
    }

    // ------------------------------------------------------------------ loops and their ticks

    void register(AsyncLoop loop) {
        loops.add(loop);
    }

    void unregister(AsyncLoop loop) {
        loops.remove(loop);
    }

    /** Asks for a tick of {@code loop} as soon as a tick thread is free (at most one queued or running per loop). */
    void requestTick(AsyncLoop loop) {
        if (closed || loop.isClosed() || !loop.markQueued()) {
            return;
        }
        try {
            ticks.execute(() -> runTick(loop));
        } catch (RejectedExecutionException e) {
            // closing: close() answers every pending call
        }
    }

    private void runTick(AsyncLoop loop) {
        loop.beginRun();
        AsyncLoop.Tick tick = null;
        try {
            if (!loop.isClosed() && !closed) {
                tick = runner.inContext(loop.context, loop::tickIn);
            }
        } catch (RuntimeException e) {
            if (!loop.isClosed() && !closed) {
                if (loop.entered) {
                    loop.aborted(e); // stopped inside: a step ran past the tick's deadline, a sandbox denial, the memory guard
                } else {
                    loop.ticksKeptOut.incrementAndGet();
                    wake(loop, RETRY_NANOS); // never got in (busy, starting, memory guard refusing): later
                }
            }
        } finally {
            if (tick != null) {
                completeAll(tick.outcomes());
                wake(loop, tick.nextDelayNanos());
            }
            if (loop.endRun()) {
                try {
                    ticks.execute(() -> runTick(loop));
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
        }
    }

    /** Answers the callers of calls a tick inside a call ended, off the caller's frame; then schedules the loop's next tick. */
    void completeLater(List<AsyncLoop.Outcome> outcomes, AsyncLoop loop, long nextDelayNanos) {
        if (!outcomes.isEmpty()) {
            List<AsyncLoop.Outcome> copy = new ArrayList<>(outcomes);
            try {
                ticks.execute(() -> completeAll(copy));
            } catch (RejectedExecutionException e) {
                completeAll(copy);
            }
        }
        wake(loop, nextDelayNanos);
    }

    private static void completeAll(List<AsyncLoop.Outcome> outcomes) {
        for (AsyncLoop.Outcome o : outcomes) {
            o.complete();
        }
    }

    /** A tick of {@code loop} in {@code delayNanos} (0: now, negative: none), unless one is due sooner. */
    void wake(AsyncLoop loop, long delayNanos) {
        if (delayNanos < 0 || closed) {
            return;
        }
        if (delayNanos == 0) {
            requestTick(loop);
            return;
        }
        long at = System.nanoTime() + delayNanos;
        synchronized (loop) {
            // wakeTimer is a timer that has not fired yet: one that fires clears it before it asks for
            // the tick, so a tick it caused never takes it for a later wake-up still to come (its
            // future's isDone() is not that: it turns true only after the tick was asked for)
            if (loop.wakeTimer != null && loop.wakeAt - at <= 0) {
                return;
            }
            if (loop.wakeTimer != null) {
                loop.wakeTimer.cancel(false);
            }
            long token = ++loop.wakeToken;
            loop.wakeAt = at;
            try {
                loop.wakeTimer = timer.schedule(() -> fired(loop, token), delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                loop.wakeTimer = null; // closing
            }
        }
    }

    private void fired(AsyncLoop loop, long token) {
        synchronized (loop) {
            if (loop.wakeToken == token) {
                loop.wakeTimer = null;
            }
        }
        requestTick(loop);
    }

    // ------------------------------------------------------------------ deadlines

    /** Watches {@code p}'s deadline: then its Task is cancelled, and after the grace its caller is answered. */
    void arm(PendingCoroutine p) {
        try {
            p.timer = timer.schedule(() -> onDeadline(p), Math.max(0, p.deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            p.loop.drop(p, new PyUnavailableException("the hzpy runtime of " + name + " is closed"));
        }
        if (p.result.isDone() && p.timer != null) { // ended meanwhile
            p.timer.cancel(false);
        }
    }

    private void onDeadline(PendingCoroutine p) {
        if (p.result.isDone()) {
            return;
        }
        p.requestStop(PendingCoroutine.Stop.TIMEOUT);
        try {
            p.timer = timer.schedule(() -> p.loop.drop(p, new PyTimeoutException(p.what + " did not finish within its timeout of "
                    + p.timeoutMillis + " ms, and its coroutine did not end within " + CANCEL_GRACE_NANOS / 1_000_000
                    + " ms of being cancelled (it caught CancelledError, or its context is busy); it was left to end on its own")),
                    CANCEL_GRACE_NANOS, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** {@code p} ended: its timer stops and its place under the limit is free. */
    void ended(PendingCoroutine p) {
        ScheduledFuture<?> t = p.timer;
        if (t != null) {
            t.cancel(false);
        }
        releaseCall();
    }

    /** Stops the threads; every loop's pending calls fail with {@link PyUnavailableException}. */
    void close() {
        closed = true;
        PyUnavailableException why = new PyUnavailableException("the hzpy runtime of " + name
                + " was closed (member shutting down) while the coroutine was pending");
        for (AsyncLoop loop : new ArrayList<>(loops)) {
            loop.close(why);
        }
        timer.shutdownNow();
        ticks.shutdown();
    }
}
