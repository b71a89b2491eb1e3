package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.PyStream;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The member-local streams of one runtime ({@code Py.stream}): opening one (a call that keeps what
 * it returned in its context's Python registry, {@code _hzpy_internal.streams}, and keeps its
 * permit), the streams open now, and the sweep that ends streams idle past
 * {@code hzpy.stream-idle-timeout} or whose context is gone. Each stream is a {@link StreamHandle}.
 * Thread-safe.
 */
final class Streams {
    private static final ILogger LOGGER = Logger.getLogger(Streams.class);
    /** How long closing the streams still open may take, in all, when the runtime closes. */
    private static final Duration SHUTDOWN_CLOSE_BUDGET = Duration.ofSeconds(5);

    final Invocation.Env env;
    final long idleNanos;
    private final Map<Long, StreamHandle> open = new ConcurrentHashMap<>();
    private final AtomicLong handles = new AtomicLong();
    private final LongAdder pulls = new LongAdder();
    private final ScheduledThreadPoolExecutor sweeper;
    private volatile boolean shut;

    Streams(Invocation.Env env, Duration idleTimeout) {
        this.env = env;
        this.idleNanos = Timeouts.toNanos(idleTimeout);
        this.sweeper = new ScheduledThreadPoolExecutor(1, CallThreads.threadFactory(env.name() + "-streams"));
        sweeper.setRemoveOnCancelPolicy(true);
        // a few sweeps per idle timeout, never busier than every 10 ms nor lazier than every second
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(idleNanos / 4, TimeUnit.SECONDS.toNanos(1)));
        sweeper.scheduleWithFixedDelay(this::sweep, tick, tick, TimeUnit.NANOSECONDS);
    }

    /**
     * Calls {@code module.function(*args, **kwargs)} in a context (the caller's own when it is inside
     * one) and keeps the iterator of what it returned there. The stream holds a permit from now on.
     *
     * @throws org.hzpy.OverloadedException when the member's (or the cluster's) limit is full
     * @throws org.hzpy.PyException         as a call would: the import failed, the function raised,
     *                                      its result is not iterable (a Python TypeError)
     */
    PyStream.Source open(String module, String function, Object[] args, Map<String, Object> kwargs, long timeoutNanos) {
        if (shut || env.closed().getAsBoolean()) {
            throw new PyUnavailableException("the hzpy runtime of " + env.name() + " is closed");
        }
        long start = System.nanoTime();
        env.limiter().acquire(); // the stream's permit, held until it ends
        try {
            PythonContext[] where = new PythonContext[1];
            Object[] a = args == null ? new Object[0] : args;
            long id = new Invocation<>(env, module, function, start, timeoutNanos, (w, frame) -> {
                long opened = w.openStream(module, function, a, kwargs);
                where[0] = w;
                return opened;
            }).callWithoutPermit();
            StreamHandle handle = new StreamHandle(this, handles.incrementAndGet(), where[0], id, module, function, timeoutNanos);
            open.put(handle.key, handle);
            if (shut) { // the runtime closed while it opened
                handle.close();
            }
            return handle;
        } catch (RuntimeException | Error e) {
            env.limiter().release();
            throw e;
        }
    }

    /** A stream ended: it is no longer counted as open. */
    void forget(StreamHandle handle) {
        open.remove(handle.key);
    }

    void countPull() {
        pulls.increment();
    }

    /** Streams open now on this member. */
    int openCount() {
        return open.size();
    }

    /** Pulls served since the runtime started (each brings up to a batch of items). */
    long pulls() {
        return pulls.sum();
    }

    /** Ends idle streams and those whose context is gone. On the sweeper thread; never enters a context itself. */
    private void sweep() {
        try {
            long now = System.nanoTime();
            for (StreamHandle h : open.values()) {
                h.endIfIdleOrGone(now);
            }
        } catch (RuntimeException e) {
            LOGGER.warning("hzpy: the stream sweep failed: " + e, e);
        }
    }

    /**
     * The runtime is closing (before it stops taking calls): no new streams; every open one ends, its
     * permit back, and its generator is closed in its context while {@link #SHUTDOWN_CLOSE_BUDGET}
     * lasts (those left then go with their context).
     */
    void shutdown() {
        shut = true;
        sweeper.shutdownNow();
        long deadline = System.nanoTime() + SHUTDOWN_CLOSE_BUDGET.toNanos();
        List<StreamHandle> left = new ArrayList<>(open.values());
        for (StreamHandle h : left) {
            long budget = deadline - System.nanoTime();
            h.endForShutdown(budget > 0 ? Math.min(budget, h.timeoutNanos) : 0);
        }
        open.clear();
    }

    /** What a pull of a stream ended by its idle timeout says. */
    PyTimeoutException idleTimeout(String what) {
        return new PyTimeoutException(what + " was closed after " + Timeouts.describe(idleNanos)
                + " without a pull (hzpy.stream-idle-timeout)");
    }
}
