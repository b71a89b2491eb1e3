package org.hzpy.runtime;

import org.hzpy.OverloadedException;
import org.hzpy.PySemaphore;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The member-local limit: a CAS counter, so a full limit refuses at once instead of queueing —
 * except for a caller that asks to wait ({@link #acquireAsync(long, Runnable)}, a Jet stage's
 * batch): it joins a line, and a permit released on this member goes to the line's first waiter
 * before any later caller can take it. Callers that do not wait are not shut out by the line:
 * while they are refused too, released permits alternate between the line and them. Thread-safe.
 */
final class PermitLimiter implements PySemaphore {
    private static final CompletableFuture<Void> TAKEN = CompletableFuture.completedFuture(null);
    /** A waiter also asks again on its own (a permit may come from the cluster's store, not a release here): at first soon, then every 50 ms. */
    private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONGEST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private final AtomicInteger current = new AtomicInteger();
    private volatile int max;
    /** The cluster-wide limit, once the member has joined and it is configured. */
    private volatile PermitSource cluster;
    /** Callers waiting for a permit, first come first served. */
    private final ConcurrentLinkedDeque<Waiter> waiters = new ConcurrentLinkedDeque<>();
    /** Refusals of callers outside the line, so far. */
    private final AtomicLong refusedOutside = new AtomicLong();
    /** {@link #refusedOutside} when the line took the last permit released while it waited; -1 if the limits did. (Racy by design: a heuristic.) */
    private volatile long lineTookLast = -1;

    PermitLimiter(int max) {
        setMaxConcurrent(max);
    }

    /** Takes a permit or throws {@link OverloadedException}; pair with {@link #release()} in a finally. */
    void acquire() {
        try {
            takeOwn();
        } catch (OverloadedException e) {
            refusedOutside.incrementAndGet();
            throw e;
        }
        PermitSource c = cluster;
        if (c != null) {
            try {
                c.acquire();
            } catch (RuntimeException e) {
                current.decrementAndGet();
                if (e instanceof OverloadedException) {
                    refusedOutside.incrementAndGet();
                }
                throw e;
            }
        }
    }

    /**
     * Takes a permit without blocking: the member's own now (or {@link OverloadedException}), the
     * cluster's when it comes (the future fails, and the member's permit goes back, if it cannot).
     */
    CompletableFuture<Void> acquireAsync() {
        return acquireAsync(false);
    }

    /** @param inLine whether a caller in line asks (its refusals are not those of callers outside it) */
    private CompletableFuture<Void> acquireAsync(boolean inLine) {
        try {
            takeOwn();
        } catch (OverloadedException e) {
            if (!inLine) {
                refusedOutside.incrementAndGet();
            }
            throw e;
        }
        PermitSource c = cluster;
        if (c == null) {
            return TAKEN;
        }
        CompletableFuture<Void> taken;
        try {
            taken = c.acquireAsync();
        } catch (RuntimeException e) {
            current.decrementAndGet();
            throw e;
        }
        if (!taken.isDone()) {
            taken.whenComplete((v, e) -> {
                if (e != null) {
                    refused(e, inLine);
                }
            });
        } else if (taken.isCompletedExceptionally()) {
            taken.whenComplete((v, e) -> refused(e, inLine)); // done: runs now
        }
        return taken;
    }

    /** The cluster refused (or failed) an asynchronous take: the member's permit goes back. */
    private void refused(Throwable e, boolean inLine) {
        current.decrementAndGet();
        if (!inLine && causeOf(e) instanceof OverloadedException) {
            refusedOutside.incrementAndGet();
        }
    }

    /**
     * Like {@link #acquireAsync()}, but a full limit (the member's or the cluster's) is waited out
     * for at most {@code waitNanos}: the caller joins the line, takes the first permit released on
     * this member before any caller that came later, and asks again now and then for one the
     * cluster may grant. The future fails with the last {@link OverloadedException} when the wait
     * is over; cancelling it leaves the line. {@code onRefused} runs at each refusal: when the
     * caller joins the line, and when it asks again in vain.
     */
    CompletableFuture<Void> acquireAsync(long waitNanos, Runnable onRefused) {
        Waiter w = new Waiter(System.nanoTime() + waitNanos, onRefused);
        if (!waiters.isEmpty()) { // a line already: no overtaking it
            w.join(new OverloadedException(current.get(), max));
        } else {
            w.ask();
        }
        return w;
    }

    /** {@code e} without the CompletionException a dependent stage wraps it in. */
    private static Throwable causeOf(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** The member's own permit, by CAS, or {@link OverloadedException}. */
    private void takeOwn() {
        while (true) {
            int now = current.get();
            int limit = max;
            if (now >= limit) {
                throw new OverloadedException(now, limit);
            }
            if (current.compareAndSet(now, now + 1)) {
                return;
            }
        }
    }

    /**
     * Gives a permit back: to the first waiter in line, if there is one (and the cluster lets this
     * member keep it), else to the limits. While callers outside the line are refused too, the
     * permits alternate: a line that took the last one leaves the next to them.
     */
    void release() {
        if (!waiters.isEmpty()) { // the alternation's state is read and written only while a line waits: a call's release pays nothing else
            long outside = refusedOutside.get();
            if ((lineTookLast < 0 || lineTookLast == outside) && handOver()) {
                lineTookLast = outside;
                return;
            }
            lineTookLast = -1;
        }
        current.decrementAndGet();
        PermitSource c = cluster;
        if (c != null) {
            c.release();
        }
    }

    /**
     * The releasing caller's permit to the first waiter in line: whether it is dealt with (a waiter
     * took it, or the cluster took it back); if not, it is still to release.
     */
    private boolean handOver() {
        for (Waiter w; (w = waiters.pollFirst()) != null; ) {
            if (w.isDone()) {
                continue;
            }
            if (current.get() > max) { // the limit was lowered: this permit is one too many
                waiters.addFirst(w);
                return false;
            }
            PermitSource c = cluster;
            if (c != null && !c.passOn()) { // the cluster took its permit back (another member starves for one)
                waiters.addFirst(w);
                current.decrementAndGet();
                return true; // released
            }
            if (w.complete(null)) {
                return true;
            }
            // it ended meanwhile (cancelled, its wait over): the permit goes on down the line
        }
        return false;
    }

    /** Fails every caller in line (the runtime is closing). */
    void failWaiters(RuntimeException why) {
        for (Waiter w; (w = waiters.pollFirst()) != null; ) {
            w.completeExceptionally(why);
        }
    }

    void useCluster(PermitSource source) {
        cluster = source;
    }

    @Override
    public int maxConcurrent() {
        return max;
    }

    @Override
    public int current() {
        return current.get();
    }

    @Override
    public void setMaxConcurrent(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + max);
        }
        this.max = max;
    }

    /** A caller in line: done when it holds a permit (handed over by a release, or its own ask), or its wait is over. */
    private final class Waiter extends CompletableFuture<Void> {
        private final long deadline;
        private final Runnable onRefused;
        private long backoff = FIRST_RETRY_NANOS;
        private boolean inLine;

        Waiter(long deadline, Runnable onRefused) {
            this.deadline = deadline;
            this.onRefused = onRefused;
        }

        /** Asks the limits for a permit, as a caller that does not wait would. */
        void ask() {
            if (isDone()) {
                waiters.remove(this);
                return;
            }
            CompletableFuture<Void> taken;
            try {
                taken = acquireAsync(true);
            } catch (OverloadedException e) {
                join(e);
                return;
            } catch (RuntimeException e) {
                end(e);
                return;
            }
            taken.whenComplete((v, e) -> {
                Throwable cause = causeOf(e);
                if (cause == null) {
                    waiters.remove(this);
                    if (!complete(null)) {
                        release(); // it ended meanwhile, or a release handed it one first
                    }
                } else if (cause instanceof OverloadedException o) {
                    join(o);
                } else {
                    end(cause);
                }
            });
        }

        /** Refused ({@code why}): in line (once), and asks again after a pause, unless the wait is over. */
        void join(OverloadedException why) {
            if (isDone()) { // cancelled meanwhile
                end(why);
                return;
            }
            onRefused.run();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                end(why);
                return;
            }
            if (!inLine) {
                inLine = true;
                waiters.addLast(this);
            }
            long pause = Math.min(backoff, left);
            backoff = Math.min(backoff * 2, LONGEST_RETRY_NANOS);
            // runs on the JDK's delay thread: ask() never blocks
            Executor later = CompletableFuture.delayedExecutor(pause, TimeUnit.NANOSECONDS, Runnable::run);
            later.execute(this::ask);
        }

        private void end(Throwable why) {
            waiters.remove(this);
            completeExceptionally(why);
        }
    }
}
