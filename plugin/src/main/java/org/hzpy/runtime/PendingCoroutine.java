package org.hzpy.runtime;

import org.hzpy.PyCancelledException;
import org.hzpy.PyTimeoutException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A call whose Python function returned a coroutine that did not finish in the call's own frame:
 * its Task waits on its context's {@link AsyncLoop}, holding no permit and no context, and
 * {@link #result} completes when the Task ends. Its caller's timeout cancels the Task (and fails it
 * with {@link PyTimeoutException}), as does its caller's cancel (with {@link PyCancelledException}).
 * Thread-safe.
 */
final class PendingCoroutine {
    /** Why Java asked the Task to stop, which decides what its caller is told. */
    enum Stop { TIMEOUT, CANCELLED }

    final long id;
    final AsyncLoop loop;
    final long deadlineNanos;
    final long timeoutMillis;
    final String what;
    final CompletableFuture<Object> result = new CompletableFuture<>();
    private volatile Stop stop;
    /** The timer of its deadline, then of the grace after it (cancelled once it ends). */
    volatile ScheduledFuture<?> timer;
    /** Its loop's tick counts when it started (see {@link AsyncLoop#activitySince}). */
    final long ticksAtStart;
    final long keptOutAtStart;

    PendingCoroutine(long id, AsyncLoop loop, long deadlineNanos, long timeoutMillis, String what) {
        this.id = id;
        this.loop = loop;
        this.deadlineNanos = deadlineNanos;
        this.timeoutMillis = timeoutMillis;
        this.what = what;
        this.ticksAtStart = loop.ticksRun();
        this.keptOutAtStart = loop.ticksKeptOut.get();
    }

    Stop stop() {
        return stop;
    }

    /** Asks the Task to stop (CancelledError inside it, its finally blocks run in the next tick); idempotent. */
    void requestStop(Stop why) {
        if (stop == null && !result.isDone()) {
            stop = why;
            loop.cancel(this);
        }
    }

    /** What its caller is told when its Task ended cancelled. */
    RuntimeException cancelledFailure() {
        if (stop == Stop.TIMEOUT) {
            return new PyTimeoutException(what + " did not finish within its timeout of " + timeoutMillis
                    + " ms; its coroutine was cancelled (CancelledError inside it); " + loop.activitySince(this));
        }
        if (stop == Stop.CANCELLED) {
            return new PyCancelledException(what + " was cancelled by its caller; its coroutine was cancelled"
                    + " (CancelledError inside it)");
        }
        return new PyCancelledException(what + " ended cancelled: its coroutine was cancelled (asyncio.CancelledError"
                + " that it did not catch, e.g. from an awaited Java future that was cancelled)");
    }

    /**
     * Waits for the Task's outcome on the caller's thread (a synchronous call), bounded by its
     * deadline plus the grace its cancellation gets; {@code token} (null: none) cancels it.
     */
    Object await(StopToken token) {
        try {
            while (true) {
                long left = deadlineNanos + AsyncTicker.CANCEL_GRACE_NANOS + AsyncTicker.CANCEL_GRACE_NANOS - System.nanoTime();
                long slice = token == null ? left : Math.min(left, Timeouts.CANCEL_POLL_NANOS * 10);
                try {
                    return result.get(Math.max(0, slice), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (StopToken.cancelled(token)) {
                        requestStop(Stop.CANCELLED);
                    }
                    if (left <= 0) {
                        throw new PyTimeoutException(what + " got no outcome from its coroutine within its timeout of "
                                + timeoutMillis + " ms and the grace after it");
                    }
                }
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            requestStop(Stop.CANCELLED);
            Thread.currentThread().interrupt();
            throw new PyCancelledException(what + " was interrupted while waiting for its coroutine; it was cancelled");
        }
    }
}
