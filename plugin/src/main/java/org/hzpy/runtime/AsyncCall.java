package org.hzpy.runtime;

import org.hzpy.PyUnavailableException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A call handed to one of hzpy's threads, and the future its caller holds. Cancelling the future
 * ({@code cancel(true)}) stops the call through its {@link StopToken}, wherever it is; a call that
 * never started is completed with {@link PyUnavailableException} when the runtime closes. Either
 * way its permit, if it holds one, is released exactly once, even when the runtime gives up on a
 * thread stuck in host code.
 */
final class AsyncCall<T> extends CompletableFuture<T> implements Runnable {
    private static final int NO_PERMIT = 0;
    private static final int HOLDS_PERMIT = 1;
    private static final int ENDED = 2;

    private final Supplier<T> body;
    private final PermitLimiter limiter;
    private final AtomicInteger permit;
    /** What stops this call, and no other, wherever it is when its future is cancelled. */
    final StopToken stop;
    /** The coroutine this call's function returned, while it is pending on its context's event loop. */
    private volatile PendingCoroutine coroutine;

    /**
     * @param permitTaken whether the caller already took this call's permit (callAsync); if not, the
     *                    body takes it with {@link #takePermit()} once it runs
     * @param stop        the call's token: a new one, or that of the call this one runs for (a hand-off)
     */
    AsyncCall(Supplier<T> body, PermitLimiter limiter, boolean permitTaken, StopToken stop) {
        this.body = body;
        this.stop = stop;
        this.limiter = limiter;
        this.permit = new AtomicInteger(permitTaken ? HOLDS_PERMIT : NO_PERMIT);
    }

    /** Takes the call's permit on the thread that runs it; released when the call ends, exactly once. */
    void takePermit() {
        limiter.acquire();
        if (!permit.compareAndSet(NO_PERMIT, HOLDS_PERMIT)) {
            limiter.release(); // ended (aborted) meanwhile
            throw new PyUnavailableException("the call was ended before it started");
        }
    }

    /**
     * The permit its caller took asynchronously has come: the call now holds it. False if the call
     * ended meanwhile (cancelled): the permit goes back at once and the call must not run.
     */
    boolean holdPermit() {
        if (permit.compareAndSet(NO_PERMIT, HOLDS_PERMIT)) {
            return true;
        }
        limiter.release();
        return false;
    }

    @Override
    public void run() {
        if (isDone()) { // cancelled while queued
            end();
            return;
        }
        T result = null;
        Throwable failure = null;
        try {
            result = body.get();
        } catch (Throwable e) {
            failure = e;
        } finally {
            end(); // before completing: whoever sees the result sees the permit back too
        }
        if (failure != null) {
            completeExceptionally(failure);
        } else if (result instanceof PendingCoroutine p) { // an async def still waiting: this completes when it ends
            follow(p);
        } else {
            complete(result);
        }
    }

    @SuppressWarnings("unchecked")
    private void follow(PendingCoroutine p) {
        coroutine = p;
        p.result.whenComplete((v, e) -> {
            if (e != null) {
                completeExceptionally(e);
            } else {
                complete((T) v);
            }
        });
        if (isCancelled()) { // cancelled before it was followed
            p.requestStop(PendingCoroutine.Stop.CANCELLED);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            stop.cancel(); // queued, waiting for a context or in Python: the runtime stops the call where it is
            PendingCoroutine p = coroutine;
            if (p != null) {
                p.requestStop(PendingCoroutine.Stop.CANCELLED); // its Task gets CancelledError; its finally runs
            }
        }
        return cancelled;
    }

    /** Completes a call that will not run (the runtime is closing) and releases what it holds. */
    void abort(RuntimeException why) {
        end();
        completeExceptionally(why);
    }

    private void end() {
        if (permit.getAndSet(ENDED) == HOLDS_PERMIT) {
            limiter.release();
        }
    }

    /** Dependent stages are plain futures: cancelling one of them must not stop this call. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
