package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Enforces call timeouts: every tick it interrupts the contexts that run a call past its
 * deadline. A tick costs a scan of the contexts, so calls pay only two clock reads for having a
 * timeout, and no per-call timer.
 */
final class Watchdog implements Runnable {
    private static final ILogger LOGGER = Logger.getLogger(Watchdog.class);
    static final long TICK_MILLIS = 10;

    private final Router router;
    private final Thread thread;
    private volatile boolean running = true;

    Watchdog(Router router, String name) {
        this.router = router;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
            Worker[] ws = router.workers();
            if (ws == null) {
                continue;
            }
            long now = System.nanoTime();
            for (Worker w : ws) {
                if (w != null) {
                    try {
                        w.interruptOverdue(now);
                    } catch (RuntimeException | Error e) { // the watchdog must outlive any one context
                        LOGGER.warning("hzpy watchdog could not check " + w + ": " + e);
                    }
                }
            }
        }
    }
}
