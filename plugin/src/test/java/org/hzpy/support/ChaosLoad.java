package org.hzpy.support;

import org.hzpy.OverloadedException;
import org.hzpy.Py;
import org.hzpy.PyCall;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The chaos suite's steady load from the client, and its ledger: keyed state increments (attempted
 * and acknowledged per key), calls with and without keys that report when they ran in Python
 * ({@code chaosmod.wall_interval}), execs that define a function each, and every failure with the
 * moment it happened. {@link #pause()} lets the operations in flight end and starts no new one
 * until {@link #resume()}. Thread-safe: its own threads run the load, the test thread reads the ledger.
 */
public final class ChaosLoad implements AutoCloseable {
    public static final int KEYS = 16;
    private static final int INCREMENTERS = 2;
    private static final int CALLERS = 8;
    private static final double CALL_SECONDS = 0.05;
    private static final long EXEC_EVERY_MS = 2_000;

    /** A failed operation: what it was, what was thrown, when (wall clock, ms). */
    public record Failure(String operation, Throwable error, long atMillis) {
    }

    private final Py py;
    private final AtomicLongArray attempted = new AtomicLongArray(KEYS);
    private final AtomicLongArray acknowledged = new AtomicLongArray(KEYS);
    private final Queue<List<?>> intervals = new ConcurrentLinkedQueue<>();
    private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final List<String> defined = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> failuresByType = new ConcurrentHashMap<>();
    private final AtomicLong callsDone = new AtomicLong();
    private final AtomicLong overloaded = new AtomicLong();
    private final AtomicLong execsTried = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private volatile boolean paused = true;
    private volatile boolean closed;
    private final ExecutorService threads;

    public ChaosLoad(Py clientPy) {
        this.py = clientPy;
        threads = Executors.newFixedThreadPool(INCREMENTERS + CALLERS + 1, r -> {
            Thread t = new Thread(r, "chaos-load");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < INCREMENTERS; i++) {
            threads.execute(() -> loop(this::increment));
        }
        for (int i = 0; i < CALLERS; i++) {
            int caller = i;
            threads.execute(() -> loop(new Runnable() {
                private long n = caller;

                @Override
                public void run() {
                    call(n++ % 2 == 0);
                }
            }));
        }
        threads.execute(() -> loop(this::execOne));
    }

    /** The state key of counter {@code i}. */
    public String key(int i) {
        return "chaos-" + run + "-" + i;
    }

    private void loop(Runnable operation) {
        while (!closed) {
            if (paused) {
                sleep(10);
                continue;
            }
            active.incrementAndGet();
            try {
                if (!paused) {
                    operation.run();
                }
            } finally {
                active.decrementAndGet();
            }
        }
    }

    private void increment() {
        int k = ThreadLocalRandom.current().nextInt(KEYS);
        attempted.incrementAndGet(k);
        try {
            py.state().incr(key(k));
            acknowledged.incrementAndGet(k);
        } catch (Throwable t) {
            failed("incr " + key(k), t);
        }
    }

    private void call(boolean keyed) {
        PyCall call = PyCall.of("chaosmod", "wall_interval", CALL_SECONDS);
        if (keyed) {
            call = call.key("call-" + ThreadLocalRandom.current().nextInt(64));
        }
        try {
            intervals.add((List<?>) py.call(call));
            callsDone.incrementAndGet();
        } catch (OverloadedException e) {
            overloaded.incrementAndGet();
            sleep(20);
        } catch (Throwable t) {
            failed(keyed ? "keyed call" : "call", t);
        }
    }

    private void execOne() {
        long n = execsTried.incrementAndGet();
        String name = "chaos_fn_" + run + "_" + n;
        // an exec competes with 8 threads of calls for 4 permits a member: like a user, it tries again
        // on backpressure for a while (else most execs of a round were refused, and some rounds had none)
        long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(EXEC_EVERY_MS);
        while (true) {
            try {
                py.exec("def " + name + "():\n    return " + n + "\n");
                defined.add(name);
                break;
            } catch (OverloadedException e) { // backpressure, not a failure
                overloaded.incrementAndGet();
                if (System.nanoTime() - giveUp > 0) {
                    break;
                }
                sleep(10);
            } catch (Throwable t) {
                failed("exec " + name, t);
                break;
            }
        }
        sleep(EXEC_EVERY_MS);
    }

    private void failed(String operation, Throwable t) {
        failures.add(new Failure(operation, t, System.currentTimeMillis()));
        failuresByType.computeIfAbsent(t.getClass().getSimpleName(), c -> new AtomicLong()).incrementAndGet();
        sleep(20);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void resume() {
        paused = false;
    }

    /** Stops starting operations and waits (at most {@code bound}) for those in flight; false if some did not end. */
    public boolean pause(Duration bound) {
        paused = true;
        long deadline = System.nanoTime() + bound.toNanos();
        while (active.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    public long attempted(int k) {
        return attempted.get(k);
    }

    public long acknowledged(int k) {
        return acknowledged.get(k);
    }

    public long acknowledgedTotal() {
        long s = 0;
        for (int k = 0; k < KEYS; k++) {
            s += acknowledged.get(k);
        }
        return s;
    }

    public long attemptedTotal() {
        long s = 0;
        for (int k = 0; k < KEYS; k++) {
            s += attempted.get(k);
        }
        return s;
    }

    /** The intervals of every call that ran, so far. */
    public List<List<?>> intervals() {
        return new ArrayList<>(intervals);
    }

    /** The failures since the last drain, oldest first; they are taken out of the ledger. */
    public List<Failure> drainFailures() {
        List<Failure> out = new ArrayList<>();
        for (Failure f; (f = failures.poll()) != null; ) {
            out.add(f);
        }
        return out;
    }

    /** Every function an acknowledged exec defined. */
    public List<String> defined() {
        return List.copyOf(defined);
    }

    public long callsDone() {
        return callsDone.get();
    }

    public long overloaded() {
        return overloaded.get();
    }

    public long execsTried() {
        return execsTried.get();
    }

    /** Failures (overloads not among them) by exception class. */
    public Map<String, Long> failuresByType() {
        Map<String, Long> out = new TreeMap<>();
        failuresByType.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        threads.shutdownNow();
        threads.awaitTermination(30, TimeUnit.SECONDS);
    }
}
