package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The contexts of one runtime and their lifecycle: start (retried with back-off when it fails),
 * ready, warm, and the three ways one leaves service — {@link #retire} (it cannot serve: its exec
 * replay or scope sync failed), {@link #abandon} (a call in it ignores its interrupt) and
 * {@link #stop} (the router stops). A context that leaves service other than by stop is replaced
 * at once by a fresh one in the same slot. Slot changes and readiness happen under one monitor;
 * reads of the slots are lock-free. Thread-safe.
 */
final class ContextPool {
    private static final ILogger LOGGER = Logger.getLogger(ContextPool.class);

    /** Starts a context for a slot; closes whatever it opened when it fails. */
    interface Starter {
        PythonContext start(int index, PythonContext[] generation);
    }

    /** How often the closer of an abandoned context looks whether its stuck thread has left. */
    private static final long STUCK_POLL_MILLIS = 100;

    private final Starter starter;
    private final ExecutorService initPool;
    private final ExecLog execLog;
    private final Admission admission;
    private final BackgroundWork background;
    /** Every context not yet closed, starting and abandoned ones included: what the watchdog watches. */
    private final Set<PythonContext> live = ConcurrentHashMap.newKeySet();
    private final Object monitor = new Object();
    /** See {@link #firstNews()}: one per generation of contexts (written under the monitor). */
    private volatile CompletableFuture<Void> firstNews = new CompletableFuture<>();
    /** The slots of the running generation (null: stopped); written under {@link #monitor}. */
    private volatile PythonContext[] slots;
    /** Per slot of {@link #slots}, the failure of its last start attempt, or null; guarded by {@link #monitor}. */
    private RuntimeException[] startFailures;
    /** Abandoned contexts whose close has not ended (their stuck thread still runs); bounded by the slot count. */
    private final AtomicInteger abandonedAlive = new AtomicInteger();
    /** Replacements of abandoned contexts waiting for an abandoned one to end; guarded by itself. */
    private final Queue<Runnable> deferredReplacements = new ArrayDeque<>();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong replayFailures = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong startFailureCount = new AtomicLong();
    private final AtomicLong replacementsDeferred = new AtomicLong();

    ContextPool(Starter starter, ExecutorService initPool, ExecLog execLog, Admission admission, int warmUpSlices,
                boolean warmsUpModules, JobScopeWarmUp jobsWarmUp, ExecutorService backgroundThread) {
        this.starter = starter;
        this.initPool = initPool;
        this.execLog = execLog;
        this.admission = admission;
        this.background = new BackgroundWork(admission, warmUpSlices, warmsUpModules, jobsWarmUp, backgroundThread, this::markWarm,
                this::allWarm);
    }

    // ------------------------------------------------------------------ slots

    /** The slots of the running generation, null when stopped. Never modify the array. */
    PythonContext[] slots() {
        return slots;
    }

    boolean isCurrent(PythonContext w) {
        return w.generation == slots;
    }

    /** Every context not yet closed, for the watchdog. */
    Iterable<PythonContext> live() {
        return live;
    }

    BackgroundWork background() {
        return background;
    }

    // ------------------------------------------------------------------ start

    /** Starts {@code contexts} contexts in the background; the caller has checked the count. */
    void start(int contexts) {
        PythonContext[] ws = new PythonContext[contexts];
        synchronized (monitor) {
            if (slots != null) {
                throw new IllegalStateException("the router is running with " + slots.length + " contexts; stop() it first");
            }
            startFailures = new RuntimeException[contexts];
            slots = ws;
            if (firstNews.isDone()) { // a generation after a stop: its calls wait for its first context anew
                firstNews = new CompletableFuture<>();
            }
        }
        // The first context pays for the language's start-up alone; the rest follow in parallel.
        execute(() -> {
            create(ws, 0, 1);
            for (int i = 1; i < contexts; i++) {
                int index = i;
                execute(() -> create(ws, index, 1));
            }
        });
    }

    private void execute(Runnable task) {
        try {
            initPool.execute(task);
        } catch (RejectedExecutionException e) {
            // the runtime is closing
        }
    }

    /**
     * Starts the context of slot {@code index}; on failure closes what it opened, counts it and
     * tries again after a pause that doubles each time (the slot never stays empty for good).
     */
    private void create(PythonContext[] ws, int index, int attempt) {
        if (slots != ws) {
            return; // stopped meanwhile
        }
        PythonContext w = null;
        try {
            long t0 = System.nanoTime();
            w = starter.start(index, ws);
            live.add(w);
            if (slots != ws) {
                discard(w);
                return;
            }
            replays.addAndGet(w.catchUp(execLog)); // a context that starts late gets every exec before its first call
            // The first context serves as soon as it exists and warms up between calls; the others
            // warm up before they serve, while the first one carries the load.
            boolean warmBeforeServing = index > 0 && background.warmsUp();
            if (warmBeforeServing) {
                background.warmUpBeforeServing(w);
            }
            synchronized (monitor) {
                if (slots != ws) {
                    discard(w);
                    return;
                }
                ws[index] = w;
                startFailures[index] = null;
                w.markReady();
                monitor.notifyAll();
                firstNews.complete(null);
            }
            LOGGER.info("hzpy context " + index + " ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms"
                    + (warmBeforeServing ? " (warmed up)" : ""));
            background.serving(w, warmBeforeServing);
        } catch (RuntimeException e) {
            if (w != null) {
                discard(w);
            }
            if (slots != ws) {
                LOGGER.fine("hzpy context " + index + " was still starting when its router stopped: " + e);
                return;
            }
            startFailureCount.incrementAndGet();
            if (e instanceof PythonContext.ReplayFailedException) {
                replayFailures.incrementAndGet();
            }
            synchronized (monitor) {
                if (slots == ws) {
                    startFailures[index] = e;
                    firstNews.complete(null);
                }
                monitor.notifyAll();
            }
            long pauseMillis = retryPauseMillis(attempt);
            LOGGER.warning("hzpy could not start Python context " + index + " (attempt " + attempt + "): " + e
                    + "; trying again in " + pauseMillis + " ms");
            try {
                CompletableFuture.runAsync(() -> create(ws, index, attempt + 1),
                        CompletableFuture.delayedExecutor(pauseMillis, TimeUnit.MILLISECONDS, initPool));
            } catch (RejectedExecutionException closing) {
                // the runtime is closing
            }
        }
    }

    static long retryPauseMillis(int attempt) {
        long first = Timeouts.START_RETRY_FIRST.toMillis();
        long max = Timeouts.START_RETRY_MAX.toMillis();
        return attempt >= 20 ? max : Math.min(max, first << (attempt - 1));
    }

    // ------------------------------------------------------------------ readiness

    /**
     * Blocks until {@code count} contexts serve (not their warm-up) or the deadline passes; true if
     * they do. Gives up early when the last start of every slot failed: a call must not wait the
     * whole start-up bound for starts that keep failing.
     */
    boolean awaitServing(int count, long deadlineNanos) {
        return await(count, deadlineNanos, false, true);
    }

    /**
     * Blocks until {@code count} contexts serve and their start-up warm-up has finished, or the
     * deadline passes; true if they do. Waits through failed starts: they are tried again.
     */
    boolean awaitWarm(int count, long deadlineNanos) {
        return await(count, deadlineNanos, true, false);
    }

    private boolean await(int count, long deadlineNanos, boolean warm, boolean failFast) {
        synchronized (monitor) {
            while (true) {
                PythonContext[] ws = slots;
                if (ws == null) {
                    return false;
                }
                int ready = 0;
                for (PythonContext w : ws) {
                    if (w != null && w.isReady() && (!warm || w.isWarm())) {
                        ready++;
                    }
                }
                if (ready >= Math.min(count, ws.length)) {
                    return true;
                }
                if (failFast && everyStartFailed()) {
                    return false;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /** Whether every slot holds a context that serves and has finished its start-up warm-up (a moment's answer). */
    private boolean allWarm() {
        PythonContext[] ws = slots;
        if (ws == null) {
            return false;
        }
        for (PythonContext w : ws) {
            if (w == null || !w.isReady() || !w.isWarm()) {
                return false;
            }
        }
        return true;
    }

    private void markWarm(PythonContext w) {
        synchronized (monitor) {
            w.markWarm();
            monitor.notifyAll();
        }
    }

    /**
     * Done once a context of this generation has served, a start has failed, or the pool has stopped:
     * what an asynchronous call waits for, holding no permit, when no context serves yet
     * ({@link Invocation#callAsync(long, Runnable)}).
     */
    CompletableFuture<Void> firstNews() {
        return firstNews;
    }

    boolean anyServing() {
        PythonContext[] ws = slots;
        if (ws != null) {
            for (PythonContext w : ws) {
                if (w != null && w.isReady()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Throws {@link PyUnavailableException} when the pool is stopped, or when no slot serves and the
     * last start of every slot failed (a slot only being replaced is not a failure: calls wait for it).
     */
    void throwIfUnavailable() {
        if (slots == null) {
            throw new PyUnavailableException("the hzpy context router is stopped; call contexts().start(n)");
        }
        synchronized (monitor) {
            if (everyStartFailed()) {
                throw new PyUnavailableException("no Python context could be started (hzpy keeps trying): "
                        + startFailures[0]);
            }
        }
    }

    /** Guarded by {@link #monitor}. */
    private boolean everyStartFailed() {
        PythonContext[] ws = slots;
        if (ws == null) {
            return false;
        }
        for (int i = 0; i < ws.length; i++) {
            if (ws[i] != null || startFailures[i] == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until slot {@code index} serves, the deadline passes ({@link PyTimeoutException}) or the
     * pool cannot serve ({@link PyUnavailableException}); returns in slices of at most {@code sliceNanos}
     * with null so that the caller can look at its cancel.
     */
    PythonContext awaitSlot(int index, long deadlineNanos, long sliceNanos) {
        throwIfUnavailable();
        PythonContext[] ws = slots;
        PythonContext w = ws[index];
        if (w != null && w.isReady()) {
            return w;
        }
        if (deadlineNanos - System.nanoTime() <= 0) {
            throw new PyTimeoutException("Python context " + index + " did not finish starting in time");
        }
        synchronized (monitor) {
            if (slots == ws && ws[index] == null && !everyStartFailed()) {
                long left = Math.min(deadlineNanos - System.nanoTime(), sliceNanos);
                if (left > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(monitor, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new PyUnavailableException("interrupted while waiting for Python context " + index);
                    }
                }
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ leaving service

    /**
     * Takes {@code w} out of service because it cannot serve (its exec replay or scope sync failed)
     * and starts a fresh context in its place. Call it while still holding {@code w}: from then on
     * no caller can enter it (it is retired before anyone else can take it). Closes it in the background.
     */
    void retire(PythonContext w, RuntimeException why) {
        if (!(why instanceof PythonContext.ReplayFailedException r) || r.failed) {
            replayFailures.incrementAndGet();
        }
        LOGGER.warning("hzpy " + why.getMessage() + "; starting a fresh context in its place");
        boolean replace = takeOutOfService(w);
        closeInBackground(w, null);
        if (replace) {
            restarts.incrementAndGet();
            execute(() -> create(w.generation, w.index, 1));
        }
    }

    /**
     * After {@link ExecLog#replace}: retires, now, each context of the running generation that ran
     * code of the replaced log and that no call holds (taken as a call would take it, without
     * waiting). The others are retired before their next call ({@link Invocation}), so a call in
     * flight ends in the context it began in.
     */
    void retireIdleThatRanReplacedCode() {
        PythonContext[] ws = slots;
        for (int i = 0; ws != null && i < ws.length; i++) {
            PythonContext w = ws[i];
            if (w == null || !w.ranReplacedCode(execLog) || !admission.tryEnter(w)) {
                continue;
            }
            try {
                if (!w.busy() && !w.isRetired()) { // SHARED: another thread may be in it; it retires it itself
                    retire(w, PythonContext.ReplayFailedException.logReplaced(w.toString()));
                }
            } finally {
                admission.exit(w, true);
            }
        }
    }

    /**
     * Gives up on {@code w}: a call in it ignored its interrupt for longer than hzpy.abandon-after.
     * Each stuck caller is answered first; then a fresh context takes the slot and the old one is
     * closed in the background (it closes only once the stuck operation returns). While as many
     * abandoned contexts as there are slots are still alive, a further replacement waits for one
     * of them to end: a member with runaway code does not pile up contexts without bound.
     */
    void abandon(PythonContext w, List<CallFrame> stuck) {
        abandoned.incrementAndGet();
        int alive = abandonedAlive.incrementAndGet();
        boolean replace = takeOutOfService(w);
        StringBuilder calls = new StringBuilder();
        for (CallFrame f : stuck) {
            calls.append(calls.length() == 0 ? "" : ", ").append(f.what()).append(" on thread ").append(f.thread.getName());
        }
        for (CallFrame f : stuck) { // answer first: the close below may wait for the stuck operation
            Consumer<RuntimeException> answer = f.onAbandon;
            if (answer != null) {
                answer.accept(new PyTimeoutException(f.abandonedMessage()));
            }
        }
        LOGGER.severe("hzpy gave up on " + w + ": " + calls + " ignored its interrupt for longer than hzpy.abandon-after"
                + " (an operation that never checks for interrupts, such as a huge 3 ** n). Its thread stays"
                + " busy until the operation returns; restart the member if it never does");
        PythonContext[] ws = w.generation;
        Runnable replacement = () -> {
            restarts.incrementAndGet();
            create(ws, w.index, 1);
        };
        boolean defer = false;
        if (replace) {
            PythonContext[] current = slots;
            synchronized (deferredReplacements) {
                defer = current != null && alive > current.length;
                if (defer) {
                    deferredReplacements.add(replacement);
                    replacementsDeferred.incrementAndGet();
                }
            }
            if (!defer) {
                execute(replacement);
            } else {
                LOGGER.warning("hzpy: " + (alive - 1) + " abandoned contexts are still running; context " + w.index
                        + " is started again once one of them ends");
            }
        }
        closeInBackground(w, this::abandonedEnded);
    }

    private void abandonedEnded() {
        abandonedAlive.decrementAndGet();
        Runnable next;
        synchronized (deferredReplacements) {
            next = deferredReplacements.poll();
        }
        if (next != null) {
            execute(next);
        }
    }

    /** Retires {@code w} and empties its slot; true when it held one of the running generation (replace it). */
    private boolean takeOutOfService(PythonContext w) {
        synchronized (monitor) {
            w.markRetired();
            PythonContext[] ws = w.generation;
            boolean inSlot = slots == ws && ws[w.index] == w;
            if (inSlot) {
                ws[w.index] = null;
            }
            monitor.notifyAll();
            return inSlot;
        }
    }

    /**
     * Closes {@code w} on a thread of its own (the close may wait for a thread stuck in it), then
     * runs {@code after} once no thread runs Python there any more: a thread stuck in a builtin
     * keeps a context (and its memory) alive past its bounded close, until the builtin returns.
     */
    private void closeInBackground(PythonContext w, Runnable after) {
        Thread t = new Thread(() -> {
            try {
                discard(w);
                while (after != null && w.isRunningCalls()) {
                    Thread.sleep(STUCK_POLL_MILLIS); // no signal for it: the frame's thread pops it when the builtin returns
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (after != null) {
                    after.run();
                }
            }
        }, "hzpy-close-context-" + w.index);
        t.setDaemon(true);
        t.start();
    }

    private void discard(PythonContext w) {
        live.remove(w);
        w.close();
    }

    /**
     * Stops every context of the running generation, starting ones included, and closes them in
     * parallel: the wait is one context's bounded close, not one per context.
     */
    void stop() {
        PythonContext[] ws;
        synchronized (monitor) {
            ws = slots;
            slots = null;
            monitor.notifyAll();
            firstNews.complete(null);
        }
        if (ws == null) {
            return;
        }
        synchronized (deferredReplacements) {
            deferredReplacements.clear();
        }
        List<PythonContext> closing = new ArrayList<>();
        for (PythonContext w : live) { // serving ones and those still starting (their creation sees the stop and ends)
            if (w.generation == ws) {
                closing.add(w);
            }
        }
        closeAll(closing);
    }

    /** Closes {@code contexts} in parallel, waiting for all of them at most one {@link Timeouts#CLOSE_WAIT}. */
    static void closeAllInParallel(List<PythonContext> workers, Consumer<PythonContext> close) {
        List<Thread> closers = new ArrayList<>();
        for (PythonContext w : workers) {
            Thread t = new Thread(() -> close.accept(w), "hzpy-close-context-" + w.index);
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        long deadline = System.nanoTime() + Timeouts.CLOSE_WAIT.toNanos() + TimeUnit.SECONDS.toNanos(1);
        for (Thread t : closers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void closeAll(List<PythonContext> workers) {
        closeAllInParallel(workers, this::discard);
    }

    // ------------------------------------------------------------------ counters

    /** The contexts by state right now: busy, idle, starting (a moment's answer, for the meters). */
    PythonRuntime.ContextStates contextStates() {
        int busy = 0;
        int idle = 0;
        int starting = 0;
        PythonContext[] ws = slots;
        for (int i = 0; ws != null && i < ws.length; i++) {
            PythonContext w = ws[i];
            if (w == null || !w.isReady()) {
                starting++;
            } else if (w.busy()) {
                busy++;
            } else {
                idle++;
            }
        }
        return new PythonRuntime.ContextStates(busy, idle, starting);
    }

    void countReplays(int n) {
        replays.addAndGet(n);
    }

    long replays() {
        return replays.get();
    }

    long replayFailures() {
        return replayFailures.get();
    }

    long restarts() {
        return restarts.get();
    }

    long abandoned() {
        return abandoned.get();
    }

    /** Context starts that failed (each retried after a pause). */
    long startFailures() {
        return startFailureCount.get();
    }

    /** Abandoned contexts still alive: their stuck operation has not returned, so they could not close yet. */
    int abandonedAlive() {
        return abandonedAlive.get();
    }

    /** Replacements of abandoned contexts that had to wait for an abandoned one to end. */
    long replacementsDeferred() {
        return replacementsDeferred.get();
    }
}
