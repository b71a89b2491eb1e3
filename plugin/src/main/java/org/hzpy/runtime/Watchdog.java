package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces call timeouts, cancellations and the memory guard: every tick it marks the frames that
 * must stop and has their contexts interrupted. A tick costs a scan of the contexts, so calls pay
 * only two clock reads for having a timeout, and no per-call timer. Interrupts run on threads of
 * their own: one context that is slow to stop never delays another context's timeout.
 */
final class Watchdog implements Runnable {
    private static final ILogger LOGGER = Logger.getLogger(Watchdog.class);
    static final long TICK_MILLIS = 10;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

    private final ContextPool pool;
    private final MemoryGuard memoryGuard;
    private final Thread thread;
    private final ExecutorService interrupters;
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger interruptsInFlight = new AtomicInteger();
    /** Runs first in every tick (the retirement of replaced deployment versions); cheap when idle. */
    private volatile Runnable everyTick = () -> { };

    Watchdog(ContextPool pool, MemoryGuard memoryGuard, String name) {
        this.pool = pool;
        this.memoryGuard = memoryGuard;
        this.thread = new Thread(this, name + "-watchdog");
        this.thread.setDaemon(true);
        AtomicInteger n = new AtomicInteger();
        // at most one interrupt in flight per context, so this stays as small as the pool
        this.interrupters = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name + "-interrupt-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        thread.start();
        memoryGuard.wakeAfterGcOverLimit(this::tickNow);
    }

    /** Ends the current wait between ticks: the next tick runs now. */
    void tickNow() {
        LockSupport.unpark(thread);
    }

    void stop() {
        memoryGuard.close();
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        interrupters.shutdown();
    }

    @Override
    public void run() {
        while (running) {
            LockSupport.parkNanos(this, TICK_NANOS); // tickNow() and stop() end it early
            if (!running) {
                return;
            }
            try {
                tick();
                ticks.incrementAndGet();
            } catch (RuntimeException | Error e) { // the watchdog must outlive any one failure
                LOGGER.warning("hzpy watchdog tick failed: " + e);
            }
        }
    }

    /** Ticks completed since start (for tests: a tick must never wait on an interrupt). */
    long ticks() {
        return ticks.get();
    }

    int interruptsInFlight() {
        return interruptsInFlight.get();
    }

    /** {@code work} runs at the start of every tick, on the watchdog's thread; it must be quick. */
    void alsoEveryTick(Runnable work) {
        everyTick = work;
    }

    private void tick() {
        try {
            everyTick.run();
        } catch (RuntimeException e) {
            LOGGER.warning("hzpy watchdog: " + e);
        }
        Iterable<PythonContext> ws = pool.live();
        boolean pythonRunning = false;
        for (PythonContext w : ws) {
            pythonRunning |= w.isRunningCalls();
        }
        boolean memory = memoryGuard.check(pythonRunning);
        if (!pythonRunning) {
            return;
        }
        long now = System.nanoTime();
        for (PythonContext w : ws) {
            try {
                if (w.markStops(now, memory)) {
                    interruptsInFlight.incrementAndGet();
                    interrupters.execute(() -> {
                        try {
                            w.interruptNow();
                        } finally {
                            interruptsInFlight.decrementAndGet();
                        }
                    });
                }
            } catch (RejectedExecutionException e) {
                interruptsInFlight.decrementAndGet();
                w.interruptNow(); // stopping: clear the mark inline
            } catch (RuntimeException | Error e) {
                LOGGER.warning("hzpy watchdog could not check " + w + ": " + e);
            }
            List<CallFrame> stuck = w.framesBeyondRescue(now);
            if (!stuck.isEmpty()) {
                try {
                    interrupters.execute(() -> pool.abandon(w, stuck)); // answers at once; the old context closes in the background
                } catch (RejectedExecutionException e) {
                    // stopping: the runtime's close ends these calls
                }
            }
        }
    }
}
