package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Every bounded wait of the runtime, named in one place. None of these is a call's own timeout:
 * they bound hzpy's internal hand-overs so that no wait is without a bound.
 */
final class Timeouts {
    private static final ILogger LOGGER = Logger.getLogger(Timeouts.class);
    /** The longest a call waits for the member's first context to start (start-up, not the call's time). */
    static final Duration STARTUP_WAIT = Duration.ofMinutes(2);
    /** The longest {@code bind()} waits for a context that is still starting. */
    static final Duration BIND_WAIT = Duration.ofMinutes(5);
    /**
     * How long an interrupt waits for the interrupted thread to stop. If it does not (a thread in
     * host code, or a starved CPU), Truffle drops the interrupt and the watchdog retries; shorter
     * waits lost interrupts of sleeping threads on a loaded 2-core machine.
     */
    static final Duration INTERRUPT_WAIT = Duration.ofMillis(500);
    /** How often a frame that is still running after its interrupt is interrupted again. */
    static final Duration REINTERRUPT_EVERY = Duration.ofMillis(100);
    /**
     * How long past its deadline a nested call that stops itself may run on (a builtin that never
     * returns to Python) before the watchdog interrupts the context, outer calls and all.
     */
    static final Duration NESTED_STOP_GRACE = Duration.ofSeconds(1);
    /** The longest a new call waits for an interrupt in flight on its context to end. */
    static final Duration INTERRUPT_GATE_WAIT = INTERRUPT_WAIT.plusMillis(500);
    /** The longest closing one context may hold up a stop or a shutdown. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** Beyond the replayed entries' own timeouts, how long a thread waits for another thread's replay. */
    static final Duration CATCH_UP_SLACK = Duration.ofSeconds(1);
    /** Beyond a call's own timeout, how long a caller waits for the thread it handed the call to. */
    static final Duration HAND_OFF_SLACK = Duration.ofSeconds(5);
    /** The longest recording another member's exec waits for a local exec in progress. */
    /** Reading a context's gc counts for memoryStats(): it waits for nothing longer. */
    static final Duration GC_COUNT_TIMEOUT = Duration.ofSeconds(1);
    /** A context's update of its module scopes (a dict assignment and dropping modules). */
    static final Duration SCOPE_SYNC_TIMEOUT = Duration.ofSeconds(5);
    static final Duration EXEC_APPEND_WAIT = Duration.ofMinutes(5);
    /** How often a call whose context could not replay the exec log tries another context. */
    static final int REPLAY_ATTEMPTS = 3;
    /** The first pause before a failed context start is tried again; it doubles up to {@link #START_RETRY_MAX}. */
    static final Duration START_RETRY_FIRST = Duration.ofMillis(100);
    static final Duration START_RETRY_MAX = Duration.ofSeconds(10);
    /**
     * The bound of one step of the warm-up (a slice, or the imports: seconds in a fresh context, and
     * some tens of seconds on a loaded 2-core machine): the watchdog stops a step that hangs.
     */
    static final Duration WARM_UP_STEP_TIMEOUT = Duration.ofMinutes(2);
    /** The bound of one slice of json's training (asked for 20 ms; the first builds its documents). */
    static final Duration JSON_TRAINING_STEP_TIMEOUT = Duration.ofSeconds(30);
    /** How often a cancellable call that waits (for a context, for start-up) looks whether it was cancelled. */
    static final Duration CANCEL_POLL = Duration.ofMillis(10);
    static final long CANCEL_POLL_NANOS = CANCEL_POLL.toNanos();
    /** The longest deadline the runtime computes (about 73 years): "no practical limit" without overflow. */
    static final long MAX_TIMEOUT_NANOS = 1L << 61;

    final Duration interruptWait = INTERRUPT_WAIT;
    final long reinterruptNanos = REINTERRUPT_EVERY.toNanos();
    final long interruptGateNanos = INTERRUPT_GATE_WAIT.toNanos();
    final long catchUpLockSlackNanos = CATCH_UP_SLACK.toNanos();
    /** hzpy.abandon-after: how long a stopped frame may keep running before its context is given up. */
    final long abandonAfterNanos;
    private final MemoryGuard memoryGuard;

    Timeouts(MemoryGuard memoryGuard, Duration abandonAfter) {
        this.memoryGuard = memoryGuard;
        this.abandonAfterNanos = toNanos(abandonAfter);
    }

    String memoryGuardDescription() {
        return memoryGuard.describe();
    }

    /** {@code timeout} in nanoseconds, capped at {@link #MAX_TIMEOUT_NANOS}: never overflows. */
    static long toNanos(Duration timeout) {
        if (timeout.compareTo(Duration.ofNanos(MAX_TIMEOUT_NANOS)) >= 0) {
            return MAX_TIMEOUT_NANOS;
        }
        return timeout.toNanos();
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : Math.min(sum, MAX_TIMEOUT_NANOS);
    }

    /**
     * Runs {@code close} on a daemon thread of its own and waits for it at most {@link #CLOSE_WAIT}:
     * closing a polyglot context or engine waits for every thread in it, and one stuck in host code
     * must not hold up a stop or a member's shutdown. Past the wait the close goes on in the background.
     */
    static void closeWithin(Runnable close, String what) {
        Thread closer = new Thread(close, "hzpy-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOGGER.warning(what + " did not close within " + CLOSE_WAIT.toMillis()
                    + " ms (a thread is stuck in host code); it goes on closing in the background");
        }
    }

    /** A timeout for a message: milliseconds, or nanoseconds when shorter than one. */
    static String describe(long nanos) {
        return nanos >= 1_000_000 ? millis(nanos) + " ms" : nanos + " ns";
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
