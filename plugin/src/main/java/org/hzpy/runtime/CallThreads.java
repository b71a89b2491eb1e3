package org.hzpy.runtime;

import org.hzpy.PyUnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * hzpy's own big-stack threads for calls made asynchronously ({@code callAsync}) or handed off
 * from the common pool, and the calls handed to them that have not completed. A thread stuck in
 * an abandoned context is lent out of the pool's capacity (the pool grows by one) until it returns
 * (the pool shrinks again), so calls queued behind it keep their threads and the pool never grows
 * beyond the stuck threads. Thread-safe.
 */
final class CallThreads {
    private final String name;
    private final ThreadPoolExecutor pool;
    /** Calls handed over and not yet completed: completed on close, whatever they wait for. */
    private final Set<AsyncCall<?>> inFlight = ConcurrentHashMap.newKeySet();
    /** Threads stuck in abandoned Python, replaced in the pool's capacity; guarded by this. */
    private int lent;

    CallThreads(String name, int threads) {
        this.name = name;
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threadFactory(name + "-call"));
        this.pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code call} on one of the threads; a closed pool completes it with {@link PyUnavailableException}. */
    void submit(AsyncCall<?> call) {
        inFlight.add(call);
        call.whenComplete((r, e) -> inFlight.remove(call));
        try {
            pool.execute(call);
        } catch (RejectedExecutionException e) {
            call.abort(new PyUnavailableException("the hzpy runtime of " + name + " is closed"));
        }
    }

    /** A thread of the pool is stuck in an abandoned context: one more thread keeps the capacity. */
    synchronized void lend() {
        lent++;
        pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
        pool.setCorePoolSize(pool.getCorePoolSize() + 1);
    }

    /** A lent thread came back (its stuck operation returned): the pool shrinks again. */
    synchronized void giveBack() {
        lent--;
        pool.setCorePoolSize(pool.getCorePoolSize() - 1);
        pool.setMaximumPoolSize(pool.getMaximumPoolSize() - 1);
    }

    synchronized int lentThreads() {
        return lent;
    }

    synchronized int maxThreads() {
        return pool.getMaximumPoolSize();
    }

    /**
     * Takes no more calls and completes those still queued with {@code stopped} (their permits go
     * back). Not shutdownNow(): a Java interrupt of a thread inside Python keeps GraalPy's blocking
     * calls (time.sleep) retrying instead of taking the cancellation that closing the context sends.
     */
    void shutdown(RuntimeException stopped) {
        pool.shutdown();
        List<Runnable> queued = new ArrayList<>();
        pool.getQueue().drainTo(queued);
        for (Runnable r : queued) {
            if (r instanceof AsyncCall<?> call) {
                call.abort(stopped);
            }
        }
    }

    /** After {@link #shutdown}: waits (bounded) for running calls, then completes any left with {@code stopped}. */
    void awaitTermination(RuntimeException stopped) {
        try {
            pool.awaitTermination(Timeouts.CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AsyncCall<?> call : inFlight) { // stuck past the bounded wait: their callers are not left waiting
            call.abort(stopped);
        }
    }

    static ThreadFactory threadFactory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new StackBudget.BigStackThread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
