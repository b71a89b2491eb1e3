package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.ContextRouter;
import org.hzpy.ExecutionMode;
import org.hzpy.PyContext;
import org.hzpy.PyCancelledException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Chooses and enters the worker that serves a call. ISOLATED: thread affinity first, then any
 * free context, then waits (bounded by the call's deadline) for one. SHARED: one context, at most
 * {@code executors} threads in it. A thread already inside a context (a nested call) re-enters
 * the same one, which is what makes Python -> Java -> Python deadlock-free.
 */
final class Router implements ContextRouter {
    /** How long a waiting thread sits on its preferred context before looking at the others again. */
    private static final ILogger LOGGER = Logger.getLogger(Router.class);
    private static final long RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Per-thread routing state of one runtime. The binding is weak: a pooled thread that bound a
     * context and never unbound must not keep a stopped context (and its memory) reachable.
     */
    static final class ThreadState {
        WeakReference<Worker> bound;
        Worker current;
        int depth;

        Worker bound() {
            WeakReference<Worker> b = bound;
            return b == null ? null : b.get();
        }
    }

    private final ExecutionMode mode;
    private final int executors;
    private final BiFunction<Integer, Worker[], Worker> workerFactory;
    private final int warmUpSlices;
    /** How long one slice of json's training holds a context: a caller that comes meanwhile waits at most this. */
    private static final double JSON_TRAINING_SLICE_SECONDS = 0.02;
    /** json's training takes a context only after this long without a call in it. */
    private static final long JSON_TRAINING_IDLE_MILLIS = 20;
    private final ExecutorService initPool;
    /** One thread: trains json in one context at a time (see Worker#trainJson). */
    private final ExecutorService jsonTraining;
    /** The contexts whose json training is due. */
    private final Set<Worker> untrained = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean jsonTrainingRuns = new AtomicBoolean();
    private final ExecLog execLog;
    /** Every worker not yet closed, starting ones included: what the watchdog watches. */
    private final Set<Worker> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong replayFailures = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final ThreadLocal<ThreadState> threadState = ThreadLocal.withInitial(ThreadState::new);
    private final Object readyMonitor = new Object();
    private volatile Worker[] workers;
    private volatile RuntimeException startFailure;

    Router(ExecutionMode mode, int executors, BiFunction<Integer, Worker[], Worker> workerFactory,
           ExecutorService initPool, ExecutorService jsonTraining, int warmUpSlices, ExecLog execLog) {
        this.mode = mode;
        this.execLog = execLog;
        this.warmUpSlices = warmUpSlices;
        this.executors = executors;
        this.workerFactory = workerFactory;
        this.initPool = initPool;
        this.jsonTraining = jsonTraining;
    }

    ThreadState threadState() {
        return threadState.get();
    }

    // ------------------------------------------------------------------ ContextRouter

    @Override
    public int numContexts() {
        Worker[] ws = workers;
        return ws == null ? 0 : ws.length;
    }

    @Override
    public PyContext context(int index) {
        Worker[] ws = workers;
        if (ws == null || index < 0 || index >= ws.length) {
            throw new IndexOutOfBoundsException("no context " + index + "; the router has " + numContexts());
        }
        return ws[index] == null ? new Pending(index) : ws[index];
    }

    @Override
    public void bind(PyContext context) {
        Objects.requireNonNull(context, "context");
        Worker[] ws = workers;
        if (ws == null || context.index() < 0 || context.index() >= ws.length) {
            throw new IllegalArgumentException(context + " does not belong to this router");
        }
        Worker w = ws[context.index()] != null ? ws[context.index()]
                : awaitWorker(context.index(), System.nanoTime() + Limits.BIND_WAIT.toNanos(), null);
        boolean sameSlot = context instanceof Pending
                || (context instanceof Worker && ((Worker) context).generation == ws && ((Worker) context).isRetired());
        if (w != context && !sameSlot) {
            throw new IllegalArgumentException(context + " belongs to a router that was stopped or to another member");
        }
        threadState.get().bound = new WeakReference<>(w);
    }

    @Override
    public void unbind() {
        threadState.get().bound = null;
    }

    @Override
    public synchronized void start(int contexts) {
        if (contexts < 1) {
            throw new IllegalArgumentException("contexts must be at least 1, was " + contexts);
        }
        if (workers != null) {
            throw new IllegalStateException("the router is running with " + workers.length + " contexts; stop() it first");
        }
        if (mode == ExecutionMode.SHARED && contexts != 1) {
            throw new IllegalArgumentException("SHARED mode runs exactly one context, asked for " + contexts);
        }
        Worker[] ws = new Worker[contexts];
        startFailure = null;
        workers = ws;
        // The first context pays for the language's start-up alone; the rest follow in parallel.
        initPool.execute(() -> {
            if (create(ws, 0)) {
                for (int i = 1; i < contexts; i++) {
                    int index = i;
                    initPool.execute(() -> create(ws, index));
                }
            }
        });
    }

    private boolean create(Worker[] ws, int index) {
        return create(ws, index, 1);
    }

    private boolean create(Worker[] ws, int index, int attempt) {
        if (workers != ws) {
            return false; // stopped meanwhile
        }
        Worker w = null;
        try {
            long t0 = System.nanoTime();
            w = workerFactory.apply(index, ws);
            live.add(w);
            if (workers != ws) {
                discard(w);
                return false;
            }
            replays.addAndGet(w.catchUp(execLog)); // a context that starts late gets every exec before its first call
            // The first context serves as soon as it exists and warms up between calls; the others
            // warm up before they serve, while the first one carries the load.
            boolean warmBeforeReady = index > 0;
            if (warmBeforeReady) {
                for (int step = 0; step < warmUpSteps() && workers == ws; step++) {
                    warmUpStep(w, step);
                }
                w.markWarm();
            }
            LOGGER.info("hzpy context " + index + " ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms"
                    + (warmBeforeReady && warmUpSlices > 0 ? " (warmed up)" : ""));
            synchronized (readyMonitor) {
                if (workers != ws) {
                    discard(w);
                    return false;
                }
                ws[index] = w;
                w.markReady();
                readyMonitor.notifyAll();
            }
            Worker ready = w;
            if (!warmBeforeReady && warmUpSlices > 0) {
                initPool.execute(() -> warmUp(ws, ready)); // the first context warms up between calls
            } else {
                markWarm(w);
                trainJsonLater(w);
            }
            return true;
        } catch (Worker.ReplayFailedException e) {
            replayFailures.incrementAndGet();
            discard(w);
            if (workers != ws) {
                return false;
            }
            if (attempt < Limits.REPLAY_ATTEMPTS) {
                LOGGER.warning("hzpy " + e.getMessage() + "; starting it afresh (attempt " + (attempt + 1) + " of "
                        + Limits.REPLAY_ATTEMPTS + ")");
                restarts.incrementAndGet();
                return create(ws, index, attempt + 1);
            }
            startFailure = e;
            LOGGER.severe("hzpy gives up on context " + index + " after " + attempt + " attempts: " + e.getMessage());
            synchronized (readyMonitor) {
                readyMonitor.notifyAll();
            }
            return false;
        } catch (RuntimeException e) {
            if (w != null) {
                discard(w);
            }
            if (workers != ws) {
                LOGGER.fine("hzpy context " + index + " was still starting when its router stopped: " + e);
                return false;
            }
            startFailure = e;
            LOGGER.severe("hzpy could not start Python context " + index, e);
            synchronized (readyMonitor) {
                readyMonitor.notifyAll();
            }
            return false;
        }
    }

    /** The warm-up: the cheap call-path slices, then the slow imports (none without pre-warm). */
    private int warmUpSteps() {
        return warmUpSlices == 0 ? 0 : warmUpSlices + 1;
    }

    private void warmUpStep(Worker w, int step) {
        if (step < warmUpSlices) {
            w.warmUpSlice();
        } else {
            w.warmUpImports();
        }
    }

    /** Runs the warm-up in slices, each holding the context like a call does, so calls can go in between. */
    private void warmUp(Worker[] ws, Worker w) {
        long t0 = System.nanoTime();
        int done = 0;
        try {
            // The cheap slices first, the imports last: a caller that waited for this first context
            // should not then wait seconds behind an import.
            while (done < warmUpSteps() && workers == ws && !w.isClosed()) {
                if (!enterBetweenCalls(w)) {
                    Thread.sleep(5); // busy with calls, which warm it up too
                    continue;
                }
                try {
                    warmUpStep(w, done);
                } finally {
                    exitBetweenCalls(w);
                }
                done++;
                Thread.sleep(5); // a gap for callers that are rescanning rather than queued on this lock
            }
            LOGGER.info("hzpy context " + w.index + " warmed up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!w.isClosed()) {
                LOGGER.warning("hzpy context " + w.index + " warm-up failed: " + e);
            }
        } finally {
            markWarm(w); // also when the warm-up failed or stopped: awaitReady must not wait for it
        }
        trainJsonLater(w);
    }

    /** Adds {@code w} to the contexts whose json training is due (with pre-warm only). */
    private void trainJsonLater(Worker w) {
        if (warmUpSlices > 0) {
            untrained.add(w);
            startJsonTraining();
        }
    }

    private void startJsonTraining() {
        if (!untrained.isEmpty() && jsonTrainingRuns.compareAndSet(false, true)) {
            try {
                jsonTraining.execute(this::trainJson);
            } catch (RejectedExecutionException e) {
                jsonTrainingRuns.set(false); // the runtime is stopping
            }
        }
    }

    /**
     * Trains json's Python scanner (see Worker#trainJson) in every context that needs it, a slice at a
     * time in whichever has been idle for a moment, until json has settled on a scanner in each. Not a
     * call: it makes way for calls, and a context that is never idle keeps json's native scanner.
     */
    private void trainJson() {
        try {
            while (!untrained.isEmpty()) {
                Map<Worker, Long> callsBefore = new HashMap<>();
                for (Worker w : untrained) {
                    callsBefore.put(w, w.callsStarted());
                }
                Thread.sleep(JSON_TRAINING_IDLE_MILLIS);
                for (Map.Entry<Worker, Long> e : callsBefore.entrySet()) {
                    Worker w = e.getKey();
                    if (w.isClosed() || workers != w.generation) {
                        untrained.remove(w);
                    } else if (w.callsStarted() == e.getValue() && !w.busy() && enterBetweenCalls(w)) {
                        try {
                            if (trainJsonSlice(w)) {
                                untrained.remove(w);
                            }
                        } finally {
                            exitBetweenCalls(w);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            jsonTrainingRuns.set(false);
            if (!Thread.currentThread().isInterrupted()) {
                startJsonTraining(); // for a context added just as this run ended
            }
        }
    }

    /** One slice of json's training in {@code w}; true when it is over there (settled, or failed). */
    private static boolean trainJsonSlice(Worker w) {
        try {
            return w.trainJson(JSON_TRAINING_SLICE_SECONDS);
        } catch (RuntimeException e) {
            if (!w.isClosed()) {
                LOGGER.warning("hzpy context " + w.index + ": json's training failed (json keeps its native scanner): " + e);
            }
            return true;
        }
    }

    /** Takes {@code w} like a call would, unless callers are waiting for it or it is taken. */
    private boolean enterBetweenCalls(Worker w) {
        boolean callersWaiting = mode == ExecutionMode.ISOLATED ? w.lock.hasQueuedThreads() : w.slots.hasQueuedThreads();
        return !callersWaiting && (mode == ExecutionMode.ISOLATED ? w.lock.tryLock() : w.slots.tryAcquire());
    }

    private void exitBetweenCalls(Worker w) {
        if (mode == ExecutionMode.ISOLATED) {
            w.lock.unlock();
        } else {
            w.slots.release();
        }
    }

    private void markWarm(Worker w) {
        synchronized (readyMonitor) {
            w.markWarm();
            readyMonitor.notifyAll();
        }
    }

    @Override
    public synchronized void stop() {
        Worker[] ws = workers;
        workers = null;
        if (ws == null) {
            return;
        }
        synchronized (readyMonitor) {
            readyMonitor.notifyAll();
        }
        for (Worker w : ws) {
            if (w != null) {
                discard(w);
            }
        }
        for (Worker w : live) { // still starting: their creation sees the stop and ends
            if (w.generation == ws) {
                discard(w);
            }
        }
    }

    /**
     * Takes a worker that cannot serve (its exec replay failed) out of service, closes it and
     * starts a fresh context in its place, which replays the exec log from the start.
     */
    void retire(Worker w, RuntimeException why) {
        replayFailures.incrementAndGet();
        replace(w, why.getMessage());
    }

    /**
     * Gives up on {@code w}: a call in it ignored its interrupt for longer than hzpy.abandon-after.
     * A fresh context takes its place at once (the stuck thread keeps the old one until it returns),
     * and each stuck caller is answered and its permit released.
     */
    void abandon(Worker w, List<CallFrame> stuck) {
        abandoned.incrementAndGet();
        StringBuilder calls = new StringBuilder();
        for (CallFrame f : stuck) {
            calls.append(calls.length() == 0 ? "" : ", ").append(f.what()).append(" on thread ").append(f.thread.getName());
        }
        LOGGER.severe("hzpy gave up on " + w + ": " + calls + " ignored its interrupt for longer than hzpy.abandon-after"
                + " (an operation that never checks for interrupts, such as a huge 3 ** n). Its thread stays"
                + " busy until the operation returns; restart the member if it never does");
        replace(w, "context " + w.index + " was abandoned");
        for (CallFrame f : stuck) {
            Consumer<RuntimeException> answer = f.onAbandon;
            if (answer != null) {
                answer.accept(new PyTimeoutException(f.abandonedMessage()));
            }
        }
    }

    private void replace(Worker w, String why) {
        Worker[] ws = w.generation;
        boolean replace;
        synchronized (readyMonitor) {
            w.markRetired();
            replace = workers == ws && ws[w.index] == w;
            if (replace) {
                ws[w.index] = null;
            }
        }
        LOGGER.warning("hzpy " + why + (replace ? "; starting a fresh context in its place" : ""));
        discard(w);
        if (replace) {
            restarts.incrementAndGet();
            try {
                initPool.execute(() -> create(ws, w.index));
            } catch (RejectedExecutionException e) {
                // the runtime is closing
            }
        }
    }

    private void discard(Worker w) {
        live.remove(w);
        w.close();
    }

    /** The contexts by state right now: busy, idle, starting (a moment's answer, for the meters). */
    PythonRuntime.ContextStates contextStates() {
        int busy = 0;
        int idle = 0;
        int starting = 0;
        Worker[] ws = workers;
        for (int i = 0; ws != null && i < ws.length; i++) {
            Worker w = ws[i];
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

    /** Every worker not yet closed, starting ones included, for the watchdog. */
    Iterable<Worker> allWorkers() {
        return live;
    }

    long replays() {
        return replays.get();
    }

    void countReplays(int n) {
        replays.addAndGet(n);
    }

    long replayFailures() {
        return replayFailures.get();
    }

    long abandoned() {
        return abandoned.get();
    }

    long restarts() {
        return restarts.get();
    }

    /** Blocks until {@code count} contexts are ready or the deadline passes; true if they are. */
    boolean awaitReady(int count, long deadlineNanos) {
        return await(count, deadlineNanos, false);
    }

    /** Like {@link #awaitReady}, and their start-up warm-up has finished too. */
    boolean awaitWarm(int count, long deadlineNanos) {
        return await(count, deadlineNanos, true);
    }

    private boolean await(int count, long deadlineNanos, boolean warm) {
        synchronized (readyMonitor) {
            while (true) {
                Worker[] ws = workers;
                if (ws == null) {
                    return false;
                }
                int ready = 0;
                for (Worker w : ws) {
                    if (w != null && w.isReady() && (!warm || w.isWarm())) {
                        ready++;
                    }
                }
                if (ready >= Math.min(count, ws.length)) {
                    return true;
                }
                if (startFailure != null && ready == 0) {
                    return false;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(readyMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    // ------------------------------------------------------------------ entering a context

    /**
     * Enters a worker for one call; pair with {@link #exit}. A call that {@code stop} can cancel
     * (null: none) waits in slices of {@link Limits#CANCEL_POLL} and fails with
     * {@link PyCancelledException} once cancelled.
     */
    Worker enter(ThreadState ts, long deadlineNanos, long timeoutMillis, StopToken stop) {
        if (ts.current != null) { // nested call on this thread: same context, no new slot
            Worker w = ts.current;
            if (mode == ExecutionMode.ISOLATED) {
                w.lock.lock();
            }
            ts.depth++;
            return w;
        }
        Worker bound = ts.bound != null ? boundWorker(ts) : null;
        Worker w = bound != null ? enterBound(bound, deadlineNanos, timeoutMillis, stop)
                : mode == ExecutionMode.SHARED ? enterShared(deadlineNanos, timeoutMillis, stop)
                : enterAny(deadlineNanos, timeoutMillis, stop);
        ts.current = w;
        ts.depth = 1;
        return w;
    }

    void exit(ThreadState ts, Worker w) {
        if (--ts.depth == 0) {
            ts.current = null;
            if (mode == ExecutionMode.SHARED) {
                w.slots.release();
            }
        }
        if (mode == ExecutionMode.ISOLATED) {
            w.lock.unlock();
        }
    }

    /** The end of a wait's next slice: the deadline, or sooner for a cancellable call. */
    private static long waitUntil(long deadlineNanos, StopToken stop) {
        return stop == null ? deadlineNanos : Math.min(deadlineNanos, System.nanoTime() + Limits.CANCEL_POLL_NANOS);
    }

    private static void throwIfCancelled(StopToken stop) {
        if (stop != null && stop.isCancelled()) {
            throw new PyCancelledException("the call was cancelled by its caller while it waited for a Python context");
        }
    }

    private Worker enterAny(long deadlineNanos, long timeoutMillis, StopToken stop) {
        while (true) {
            Worker[] ws = liveWorkers();
            int n = ws.length;
            int preferred = (int) (Thread.currentThread().getId() % n);
            for (int k = 0; k < n; k++) {
                Worker w = ws[(preferred + k) % n];
                if (w != null && w.isReady() && w.lock.tryLock()) {
                    if (!w.isClosed()) {
                        return w;
                    }
                    w.lock.unlock();
                }
            }
            throwIfCancelled(stop);
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new PyTimeoutException("no Python context became free within " + timeoutMillis + " ms");
            }
            Worker wait = firstReady(ws, preferred);
            if (wait == null) {
                awaitReady(1, waitUntil(deadlineNanos, stop));
                continue;
            }
            try {
                if (wait.lock.tryLock(Math.min(left, RESCAN_NANOS), TimeUnit.NANOSECONDS)) {
                    if (!wait.isClosed()) {
                        return wait;
                    }
                    wait.lock.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PyUnavailableException("interrupted while waiting for a Python context");
            }
        }
    }

    private Worker enterShared(long deadlineNanos, long timeoutMillis, StopToken stop) {
        while (true) {
            Worker w = awaitWorker(0, deadlineNanos, stop);
            acquireSlot(w, deadlineNanos, timeoutMillis, stop);
            if (!w.isClosed()) {
                return w;
            }
            w.slots.release(); // replaced or stopped while we waited
        }
    }

    /**
     * The worker the thread is bound to: its replacement when it was retired (the binding is to the
     * slot), an error when its router was stopped since.
     */
    private Worker boundWorker(ThreadState ts) {
        Worker w = ts.bound();
        if (w == null || (w.isClosed() && !(w.isRetired() && w.generation == workers))) {
            throw new PyUnavailableException("the thread is bound to a context that was stopped; unbind() or bind another");
        }
        return w;
    }

    private Worker enterBound(Worker w, long deadlineNanos, long timeoutMillis, StopToken stop) {
        while (true) {
            if (w.isClosed()) {
                if (!(w.isRetired() && w.generation == workers)) {
                    throw new PyUnavailableException("the thread is bound to " + w + ", which was stopped; unbind() or bind another");
                }
                w = awaitWorker(w.index, deadlineNanos, stop); // its replacement
                threadState.get().bound = new WeakReference<>(w);
            }
            if (mode == ExecutionMode.SHARED) {
                acquireSlot(w, deadlineNanos, timeoutMillis, stop);
                if (!w.isClosed()) {
                    return w;
                }
                w.slots.release();
                continue;
            }
            try {
                while (!w.lock.tryLock(Math.max(0, waitUntil(deadlineNanos, stop) - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throwIfCancelled(stop);
                    if (deadlineNanos - System.nanoTime() <= 0) {
                        throw new PyTimeoutException("the bound " + w + " did not become free within " + timeoutMillis + " ms");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PyUnavailableException("interrupted while waiting for a Python context");
            }
            if (!w.isClosed()) {
                return w;
            }
            w.lock.unlock(); // stopped or replaced while we waited
        }
    }

    private void acquireSlot(Worker w, long deadlineNanos, long timeoutMillis, StopToken stop) {
        try {
            while (!w.slots.tryAcquire(Math.max(0, waitUntil(deadlineNanos, stop) - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throwIfCancelled(stop);
                if (deadlineNanos - System.nanoTime() <= 0) {
                    throw new PyTimeoutException("none of the " + executors + " executor slots of the shared context became"
                            + " free within " + timeoutMillis + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyUnavailableException("interrupted while waiting for the Python context");
        }
    }

    private Worker awaitWorker(int index, long deadlineNanos, StopToken stop) {
        while (true) {
            throwIfCancelled(stop);
            Worker[] ws = liveWorkers();
            Worker w = ws[index];
            if (w != null && w.isReady()) {
                return w;
            }
            if (!awaitReady(ws.length, Math.min(deadlineNanos, System.nanoTime() + RESCAN_NANOS * 50))
                    && deadlineNanos - System.nanoTime() <= 0) {
                throw new PyTimeoutException("Python context " + index + " did not finish starting in time");
            }
        }
    }

    private Worker[] liveWorkers() {
        Worker[] ws = workers;
        if (ws == null) {
            throw new PyUnavailableException("the hzpy context router is stopped; call contexts().start(n)");
        }
        throwIfStartFailed();
        return ws;
    }

    boolean anyReady() {
        Worker[] ws = workers;
        if (ws != null) {
            for (Worker w : ws) {
                if (w != null && w.isReady()) {
                    return true;
                }
            }
        }
        return false;
    }

    void throwIfStartFailed() {
        Worker[] ws = workers;
        if (ws == null) {
            throw new PyUnavailableException("the hzpy context router is stopped; call contexts().start(n)");
        }
        RuntimeException failure = startFailure;
        if (failure != null && allNull(ws)) {
            throw new PyUnavailableException("no Python context could be started: " + failure);
        }
    }

    private static boolean allNull(Worker[] ws) {
        for (Worker w : ws) {
            if (w != null) {
                return false;
            }
        }
        return true;
    }

    private static Worker firstReady(Worker[] ws, int preferred) {
        for (int k = 0; k < ws.length; k++) {
            Worker w = ws[(preferred + k) % ws.length];
            if (w != null && w.isReady()) {
                return w;
            }
        }
        return null;
    }

    /** The handle of a context that is still starting. */
    private static final class Pending implements PyContext {
        private final int index;

        Pending(int index) {
            this.index = index;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public boolean isReady() {
            return false;
        }

        @Override
        public String toString() {
            return "PyContext[" + index + ", starting]";
        }
    }
}
