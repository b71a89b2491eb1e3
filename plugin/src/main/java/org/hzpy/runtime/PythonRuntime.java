package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.ContextRouter;
import org.hzpy.ExecutionMode;
import org.hzpy.HzpySettings;
import org.hzpy.PyCancelledException;
import org.hzpy.PyContext;
import org.hzpy.PyException;
import org.hzpy.PyResourceException;
import org.hzpy.PySemaphore;
import org.hzpy.PyStats;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Python runtime of one member: the engine, the contexts behind a {@link ContextRouter}, the
 * concurrency limit, the timeout watchdog and the code defined with {@code exec}. Internal: users
 * reach it through {@link org.hzpy.Py}. Thread-safe.
 */
public final class PythonRuntime implements AutoCloseable {
    private static final ILogger LOGGER = Logger.getLogger(PythonRuntime.class);
    /** Warm-up per context at start: slices of ~100 calls, between which user calls may run. */
    private static final int WARM_UP_SLICES = 10;

    private final HzpySettings settings;
    private final String name;
    /** Built on an init thread: the engine's start-up overlaps the member's own. */
    private final CompletableFuture<ContextFactory> factory;
    private final PermitLimiter limiter;
    private final Router router;
    private final Watchdog watchdog;
    private final ExecutorService initPool;
    private final ExecutorService jsonTraining;
    private final ThreadPoolExecutor asyncPool;
    private final ExecLog execLog = new ExecLog();
    private final ReentrantLock execLock = new ReentrantLock();
    private final MemoryGuard memoryGuard;
    private final Limits limits;
    private final long maxCallTimeoutNanos;
    private final HostFunctions hostFunctions = new HostFunctions();
    private final ModuleScopes scopes = new ModuleScopes();
    private final CallStats callStats = new CallStats();
    private final PythonLog pythonLog = new PythonLog();
    /** Async and handed-off calls not yet completed: completed on close, whatever they wait for. */
    private final Set<AsyncCall<?>> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PythonRuntime(HzpySettings settings, String name) {
        this.settings = settings;
        this.name = name;
        this.limiter = new PermitLimiter(settings.maxConcurrent());
        this.memoryGuard = new MemoryGuard(settings.memoryGuard());
        this.limits = new Limits(memoryGuard, settings.abandonAfter());
        this.maxCallTimeoutNanos = Limits.toNanos(settings.maxCallTimeout());
        int poolThreads = Math.max(1, Math.min(settings.contexts(), Runtime.getRuntime().availableProcessors()));
        this.initPool = new ThreadPoolExecutor(poolThreads, poolThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(name + "-init"));
        ((ThreadPoolExecutor) initPool).allowCoreThreadTimeOut(true);
        this.factory = CompletableFuture.supplyAsync(() -> newFactory(settings, scopes, pythonLog), initPool);
        // one thread, so json's training takes one context at a time; not the init pool, which it
        // would hold from creating contexts for as long as a busy member leaves no idle moment
        this.jsonTraining = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads(name + "-json-training"));
        ((ThreadPoolExecutor) jsonTraining).allowCoreThreadTimeOut(true);
        this.router = new Router(settings.executionMode(), settings.executors(), this::newWorker, initPool,
                jsonTraining, settings.prewarm() ? WARM_UP_SLICES : 0, execLog);
        int asyncThreads = Math.max(settings.contexts(), settings.executors());
        this.asyncPool = new ThreadPoolExecutor(asyncThreads, asyncThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(name + "-call"));
        this.asyncPool.allowCoreThreadTimeOut(true);
        this.watchdog = new Watchdog(router, memoryGuard, name);
        hostFunctions.register("log", (args, deadline) -> { // Python's logging module (see _hzpy_internal)
            pythonLog.record(String.valueOf(args.get(0)), ((Number) args.get(1)).intValue(), String.valueOf(args.get(2)));
            return null;
        });
    }

    /**
     * Creates the runtime and starts its contexts in the background; calls wait (within their
     * timeout) for the first context that is ready.
     */
    public static PythonRuntime start(HzpySettings settings, String name) {
        PythonRuntime rt = new PythonRuntime(settings, name);
        rt.router.start(settings.contexts());
        rt.watchdog.start();
        LOGGER.info("hzpy starting (" + settings + ")");
        return rt;
    }

    private static ContextFactory newFactory(HzpySettings settings, ModuleScopes scopes, PythonLog log) {
        long t0 = System.nanoTime();
        ContextFactory f = new ContextFactory(settings, scopes, log);
        LOGGER.info("hzpy engine " + f.implementationName() + " created in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        if (!f.jitActive()) {
            LOGGER.warning("hzpy: GraalPy runs WITHOUT the Graal JIT on this JVM (" + System.getProperty("java.version")
                    + "): Python will be 10-50x slower. Run on JDK 21+ with the compiler jars on "
                    + "--upgrade-module-path and -XX:+EnableJVMCI (see README.md).");
        }
        return f;
    }

    private ContextFactory factory() {
        try {
            return factory.get(Limits.STARTUP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new PyUnavailableException("the GraalPy engine could not be created: " + e.getCause());
        } catch (TimeoutException e) {
            throw new PyUnavailableException("the GraalPy engine was not created within " + Limits.STARTUP_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyUnavailableException("interrupted while waiting for the GraalPy engine");
        }
    }

    private Worker newWorker(int index, Worker[] generation) {
        Worker w = new Worker(index, generation, factory().newContext(), settings.executors(), limits, hostFunctions);
        w.useJsonDecoder(settings.jsonDecoder().name().toLowerCase(java.util.Locale.ROOT));
        return w;
    }

    // ------------------------------------------------------------------ calls

    /** Runs {@code module.function(*args, **kwargs)}; {@code timeout} null means the default. */
    public Object call(String module, String function, Object[] args, Map<String, Object> kwargs, Duration timeout) {
        return call(CallStats.Origin.MEMBER, module, function, args, kwargs, timeout);
    }

    /** {@link #call} on behalf of {@code origin} (what the call meters say). */
    public Object call(CallStats.Origin origin, String module, String function, Object[] args, Map<String, Object> kwargs,
                       Duration timeout) {
        return call(origin, module, function, args, kwargs, timeout, null);
    }

    /**
     * {@link #call} that {@code stop} can cancel, wherever the call is when it does (null: not
     * cancellable): the call then fails with {@link PyCancelledException}, and a cancel that lands
     * before it reached Python keeps it from running at all.
     */
    public Object call(CallStats.Origin origin, String module, String function, Object[] args, Map<String, Object> kwargs,
                       Duration timeout, StopToken stop) {
        long start = System.nanoTime();
        return counted(CallStats.Kind.CALL, origin, start, () -> run(module, function, start, timeoutNanos(timeout), true, null,
                stop, (w, f) -> w.call(f, module, function, args, kwargs)));
    }

    /** Runs {@code body} and counts how it ended (once meters are bound). */
    private <T> T counted(CallStats.Kind kind, CallStats.Origin origin, long start, java.util.function.Supplier<T> body) {
        try {
            T result = body.get();
            callStats.record(kind, origin, null, start);
            return result;
        } catch (RuntimeException | Error e) {
            callStats.record(kind, origin, e, start);
            throw e;
        }
    }

    /**
     * Like {@link #call} on one of the runtime's own threads; the member's permit is taken (or
     * refused) now, a cluster-wide one that must be leased when the lease lands (the caller never
     * waits for it), and the timeout counts from now. Cancelling the returned future stops the Python code.
     */
    public CompletableFuture<Object> callAsync(String module, String function, Object[] args, Map<String, Object> kwargs,
                                               Duration timeout) {
        return callAsync(CallStats.Origin.MEMBER, module, function, args, kwargs, timeout);
    }

    /** {@link #callAsync} on behalf of {@code origin} (what the call meters say). */
    public CompletableFuture<Object> callAsync(CallStats.Origin origin, String module, String function, Object[] args,
                                               Map<String, Object> kwargs, Duration timeout) {
        long start = System.nanoTime();
        long timeoutNanos = timeoutNanos(timeout);
        CompletableFuture<Void> permit;
        try {
            checkOpen();
            checkMemory();
            permit = limiter.acquireAsync(); // never blocks: a cluster permit may still be on its way
        } catch (RuntimeException e) {
            callStats.record(CallStats.Kind.CALL, origin, e, start);
            return CompletableFuture.failedFuture(e);
        }
        boolean held = permit.isDone() && !permit.isCompletedExceptionally();
        AsyncCall<Object>[] self = new AsyncCall[1];
        AsyncCall<Object> call = new AsyncCall<>(() -> run(module, function, start, timeoutNanos, false, self[0], self[0].stop,
                (w, f) -> w.call(f, module, function, args, kwargs)), limiter, held, new StopToken());
        self[0] = call;
        call.whenComplete((value, error) -> callStats.record(CallStats.Kind.CALL, origin, error, start));
        if (held) {
            submit(call);
        } else { // submitted when the permit comes, on the thread that brings it
            permit.whenComplete((v, e) -> {
                if (e != null) {
                    call.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
                } else if (call.holdPermit()) {
                    submit(call);
                }
            });
        }
        return call;
    }

    public Object eval(String expression, Map<String, ?> locals, Duration timeout) {
        return eval(CallStats.Origin.MEMBER, expression, locals, timeout);
    }

    /** {@link #eval(String, Map, Duration)} on behalf of {@code origin} (what the call meters say). */
    public Object eval(CallStats.Origin origin, String expression, Map<String, ?> locals, Duration timeout) {
        return eval(origin, expression, locals, timeout, null);
    }

    /** {@link #eval(CallStats.Origin, String, Map, Duration)} that {@code stop} can cancel, as {@link #call} with a token. */
    public Object eval(CallStats.Origin origin, String expression, Map<String, ?> locals, Duration timeout, StopToken stop) {
        long start = System.nanoTime();
        return counted(CallStats.Kind.EVAL, origin, start,
                () -> run("eval()", null, start, timeoutNanos(timeout), true, null, stop, (w, f) -> w.eval(expression, locals)));
    }

    /**
     * Runs {@code source} in one context now and in every other context (now or later) exactly
     * once. A context replays it under the same timeout, never under a caller's.
     */
    public void exec(String source, Duration timeout) {
        exec(CallStats.Origin.MEMBER, source, timeout);
    }

    /** {@link #exec(String, Duration)} on behalf of {@code origin} (what the call meters say). */
    public void exec(CallStats.Origin origin, String source, Duration timeout) {
        long timeoutNanos = timeoutNanos(timeout);
        long start = System.nanoTime();
        counted(CallStats.Kind.EXEC, origin, start, () -> run("exec()", null, start, timeoutNanos, true, null,
                null, (w, f) -> {
                    lockExec(start + timeoutNanos);
                    try {
                        w.execAndRecord(source, timeoutNanos, execLog);
                    } finally {
                        execLock.unlock();
                    }
                    return null;
                }));
    }

    /**
     * Records exec code that another member ran first: every context here applies it, exactly once
     * and in the order recorded, before it next serves a call. Runs nothing now.
     *
     * @param timeoutNanos the time each context's replay of it may take
     */
    public void appendExec(String source, long timeoutNanos) {
        lockExec(System.nanoTime() + Limits.EXEC_APPEND_WAIT.toNanos());
        try {
            execLog.append(source, timeoutNanos);
        } finally {
            execLock.unlock();
        }
    }

    /**
     * Makes the Python modules in {@code directory} importable, privately, as submodules of the
     * returned package name: call {@code "<name>.<module>"}. Inside the directory, modules import
     * each other by their plain names. Every context drops them before its next call after
     * {@link #closeModuleScope}. The sandbox lets contexts read the directory while it is open.
     */
    public String openModuleScope(Path directory) {
        checkOpen();
        return scopes.open(directory);
    }

    /** Idempotent; see {@link #openModuleScope}. */
    public void closeModuleScope(String name) {
        scopes.close(name);
    }

    /** The time a call without a timeout of its own may take here (hzpy.call-timeout), in nanoseconds. */
    public long timeoutNanosOf(Duration timeout) {
        return timeoutNanos(timeout);
    }

    /** Execs are recorded one at a time, in order; waiting for another one is bounded by this call's deadline. */
    private void lockExec(long deadlineNanos) {
        try {
            if (!execLock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new PyTimeoutException("exec() waited for another exec() to finish and ran out of time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyUnavailableException("interrupted while waiting for another exec() to finish");
        }
    }

    /**
     * Runs {@code op} in a context, under a deadline of {@code timeoutNanos} from {@code startNanos}
     * (time spent waiting for the member's first context to start and replaying exec code does
     * not count). A context whose exec replay fails is replaced and the call goes to another one.
     * {@code stop} (null: none) is checked at each step before Python (permit, first context,
     * context, replay, frame) and then by the watchdog: a cancel stops the call wherever it is.
     */
    private <T> T run(String module, String function, long startNanos, long timeoutNanos, boolean takePermit,
                      AsyncCall<?> control, StopToken stop, java.util.function.BiFunction<Worker, CallFrame, T> op) {
        checkOpen();
        Router.ThreadState ts = router.threadState();
        boolean outermost = ts.current == null;
        if (outermost && onCommonPool()) {
            return handOff(module, function, startNanos, timeoutNanos, takePermit, op, ts.bound(), stop);
        }
        if (outermost) {
            checkMemory();
        }
        throwIfCancelled(stop, module, function);
        // released once: when the call ends, or earlier if the runtime gives up on a call stuck in its context
        AtomicBoolean permitHeld = null;
        if (takePermit && outermost) {
            limiter.acquire();
            permitHeld = new AtomicBoolean(true);
        }
        try {
            long deadline = startNanos + timeoutNanos;
            if (outermost) {
                deadline += awaitFirstContext(stop, module, function);
            }
            long timeoutMillis = Limits.millis(timeoutNanos);
            for (int attempt = 1; ; attempt++) {
                Worker w = router.enter(ts, deadline, timeoutMillis, stop);
                Worker.ReplayFailedException failure;
                try {
                    throwIfCancelled(stop, module, function);
                    boolean stopsItself = false;
                    if (!outermost) { // a nested call ends no later than the call it is nested in
                        long outer = w.currentDeadline();
                        stopsItself = deadline - outer < 0; // its own timeout comes first: it must not stop the outer call
                        deadline = stopsItself ? deadline : outer;
                    }
                    if (outermost && w.isBehind(execLog)) {
                        long t0 = System.nanoTime();
                        router.countReplays(w.catchUp(execLog));
                        deadline += System.nanoTime() - t0; // the replay is the context's work, not the caller's
                    }
                    if (outermost && w.scopesBehind(scopes)) {
                        w.syncScopes(scopes);
                    }
                    CallFrame frame = new CallFrame(Thread.currentThread(), deadline, timeoutMillis, module, function);
                    if (System.nanoTime() - deadline >= 0) { // else whether it runs would be a race with the watchdog
                        throw new PyTimeoutException(frame.what() + " did not start: its timeout of "
                                + Limits.describe(timeoutNanos) + " had passed before a Python context could run it");
                    }
                    if (outermost) {
                        frame.onAbandon = abandonAnswer(control, permitHeld);
                    }
                    frame.stopsItself = stopsItself;
                    frame.token = stop; // push checks it once more, under the guard the watchdog reads frames with
                    return w.run(frame, worker -> op.apply(worker, frame));
                } catch (Worker.ReplayFailedException e) {
                    failure = e;
                } finally {
                    router.exit(ts, w);
                }
                router.retire(w, failure); // after exit: this thread no longer holds it
                if (!outermost || attempt >= Limits.REPLAY_ATTEMPTS) {
                    throw new PyUnavailableException("no context could serve the call: " + failure.getMessage());
                }
            }
        } finally {
            releaseOnce(permitHeld);
        }
    }

    /**
     * What giving up on a stuck call does for its caller: an asynchronous caller gets its answer now
     * (and the call's permit back); a synchronous one runs on the stuck thread itself and gets it when
     * the operation returns, but its permit comes back now.
     */
    private Consumer<RuntimeException> abandonAnswer(AsyncCall<?> control, AtomicBoolean permitHeld) {
        if (control != null) {
            return e -> {
                control.abort(e);
                growAsyncPool(); // its thread is stuck: keep the pool's capacity for the calls queued behind it
            };
        }
        return permitHeld == null ? null : e -> releaseOnce(permitHeld);
    }

    private synchronized void growAsyncPool() {
        asyncPool.setMaximumPoolSize(asyncPool.getMaximumPoolSize() + 1);
        asyncPool.setCorePoolSize(asyncPool.getCorePoolSize() + 1);
    }

    private void releaseOnce(AtomicBoolean permitHeld) {
        if (permitHeld != null && permitHeld.compareAndSet(true, false)) {
            limiter.release();
        }
    }

    private static long timeoutNanosOf(Duration timeout, Duration fallback) {
        return Limits.toNanos(timeout != null ? timeout : fallback);
    }

    /** The caller's timeout (or hzpy.call-timeout), capped at hzpy.max-call-timeout: no caller runs a call longer. */
    private long timeoutNanos(Duration timeout) {
        return Math.min(timeoutNanosOf(timeout, settings.callTimeout()), maxCallTimeoutNanos);
    }

    /**
     * The common ForkJoinPool erases a worker's thread-locals after each task, and Truffle keeps
     * per-thread state there: GraalPy then fails with "TruffleSafepoint mechanism is not initialized
     * on this thread". Calls from those threads (e.g. CompletableFuture.supplyAsync) run on ours.
     */
    private static boolean onCommonPool() {
        Thread t = Thread.currentThread();
        return t instanceof ForkJoinWorkerThread && ((ForkJoinWorkerThread) t).getPool() == ForkJoinPool.commonPool();
    }

    private void submit(AsyncCall<?> call) {
        inFlight.add(call);
        call.whenComplete((r, e) -> inFlight.remove(call));
        try {
            asyncPool.execute(call);
        } catch (RejectedExecutionException e) {
            call.abort(new PyUnavailableException("the hzpy runtime of " + name + " is closed"));
        }
    }

    /**
     * Runs a call made on a common-pool thread on one of hzpy's own (big-stack) threads, with the
     * caller's binding, and waits for it (bounded: the call's own deadline, plus start-up and a
     * margin). Its timeout counts from when it was made, queueing included, as with callAsync.
     */
    private <T> T handOff(String module, String function, long startNanos, long timeoutNanos, boolean takePermit,
                          java.util.function.BiFunction<Worker, CallFrame, T> op, Worker bound, StopToken stop) {
        AsyncCall<T>[] self = new AsyncCall[1];
        AsyncCall<T> call = new AsyncCall<>(() -> {
            Router.ThreadState mine = router.threadState();
            mine.bound = bound == null ? null : new java.lang.ref.WeakReference<>(bound); // the caller's bind() holds here too
            try {
                if (takePermit) {
                    self[0].takePermit();
                }
                return run(module, function, startNanos, timeoutNanos, false, self[0], self[0].stop, op);
            } finally {
                mine.bound = null;
            }
        }, limiter, false, stop != null ? stop : new StopToken()); // the caller's token reaches the call on our thread
        self[0] = call;
        submit(call);
        long waitNanos = Limits.saturatedAdd(Limits.saturatedAdd(timeoutNanos, Limits.STARTUP_WAIT.toNanos()),
                Limits.HAND_OFF_SLACK.toNanos());
        try {
            return call.get(Math.max(0, startNanos + waitNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new PyException("the call failed on an hzpy thread: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new PyTimeoutException(module + (function == null ? "" : "." + function + "()")
                    + " handed off from a common-pool thread did not complete within " + Limits.millis(waitNanos) + " ms");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new PyCancelledException("interrupted while waiting for the call; it was cancelled");
        }
    }

    /**
     * Right after the member starts no context may be ready yet. Waiting for the first one is start-up,
     * not the call's own time, so it has its own bound and is added to the call's deadline.
     *
     * A cancellable call ({@code stop}) looks at its token every {@link Limits#CANCEL_POLL}.
     *
     * @return how long it waited
     */
    private long awaitFirstContext(StopToken stop, String module, String function) {
        if (router.anyReady()) {
            return 0;
        }
        long t0 = System.nanoTime();
        long end = t0 + Limits.STARTUP_WAIT.toNanos();
        while (true) {
            long sliceEnd = stop == null ? end : Math.min(end, System.nanoTime() + Limits.CANCEL_POLL_NANOS);
            if (router.awaitReady(1, sliceEnd)) {
                return System.nanoTime() - t0;
            }
            throwIfCancelled(stop, module, function);
            if (sliceEnd == end || System.nanoTime() - sliceEnd < 0) { // the whole wait is over, or it ended early: a failure
                checkOpen();
                router.throwIfStartFailed();
                throw new PyUnavailableException("no Python context of " + name + " became ready within " + Limits.STARTUP_WAIT);
            }
        }
    }

    /** The check a cancellable call makes before each step that precedes its Python. */
    private static void throwIfCancelled(StopToken stop, String module, String function) {
        if (stop != null && stop.isCancelled()) {
            throw new PyCancelledException(module + (function == null ? "" : "." + function + "()")
                    + " was cancelled by its caller before it started");
        }
    }

    /** Makes every call here also take a permit of {@code clusterLimit} (null: none). */
    public void useClusterLimit(PermitSource clusterLimit) {
        limiter.useCluster(clusterLimit);
    }

    /** Throws {@link PyUnavailableException} once the runtime is closed (its member shut down). */
    public void checkOpen() {
        if (closed) {
            throw new PyUnavailableException("the hzpy runtime of " + name + " is closed");
        }
    }

    /**
     * Why this runtime cannot take calls now — closed, no context running or starting (stopped, or
     * every start failed), or the memory guard tripped — or null when it can. What a member publishes
     * with its load, so that callers send their work elsewhere.
     */
    public String unhealthyBecause() {
        if (closed) {
            return "its hzpy runtime is closed";
        }
        if (memoryGuard.isTripped()) {
            return "its memory guard is tripped (" + memoryGuard.describe() + ")";
        }
        try {
            router.throwIfStartFailed(); // stopped, or no context could start
        } catch (PyUnavailableException e) {
            return e.getMessage();
        }
        return null;
    }

    /** While the memory guard is tripped, new calls are refused: they would only feed the shortage. */
    private void checkMemory() {
        if (memoryGuard.isTripped()) {
            throw new PyResourceException("call refused by the memory guard: " + memoryGuard.describe());
        }
    }

    // ------------------------------------------------------------------ introspection

    public ExecutionMode executionMode() {
        return settings.executionMode();
    }

    public int numExecutors() {
        return settings.executors();
    }

    /** The Java functions Python may call through the module {@code hzpy}. */
    public HostFunctions hostFunctions() {
        return hostFunctions;
    }

    public PySemaphore semaphore() {
        return limiter;
    }

    public ContextRouter router() {
        return router;
    }

    public HzpySettings settings() {
        return settings;
    }

    /** Whether GraalPy runs with the Graal JIT compiler (false: interpreter only). */
    public boolean jitActive() {
        return factory().jitActive();
    }

    /** The polyglot engine's implementation name, e.g. "GraalVM CE" or "Interpreted". */
    public String engineImplementation() {
        return factory().implementationName();
    }

    /**
     * Waits until {@code count} contexts (capped at the pool size) are ready and, with
     * {@code hzpy.prewarm}, warmed up; false on timeout.
     */
    public boolean awaitReady(int count, Duration timeout) {
        return router.awaitWarm(count, System.nanoTime() + timeout.toNanos());
    }

    public boolean isClosed() {
        return closed;
    }

    long watchdogTicks() {
        return watchdog.ticks();
    }

    int watchdogInterruptsInFlight() {
        return watchdog.interruptsInFlight();
    }

    /** Counters of what the runtime did to stay healthy: replays, context restarts, memory-guard trips. */
    /** Lines of Python output and logging records dropped because they came faster than the member's log takes them. */
    public long pythonOutputDropped() {
        return pythonLog.dropped();
    }

    /**
     * Python's {@code gc.get_count()} in each context; an empty list for a context that is busy or
     * starting (it is not waited for). Takes no permit: a full limit does not hide the figures.
     */
    public List<List<Long>> gcCountsPerContext() {
        Router.ThreadState ts = router.threadState();
        if (ts.current != null) { // inside a call: its own context is taken
            return java.util.Collections.nCopies(router.numContexts(), List.of());
        }
        java.lang.ref.WeakReference<Worker> bound = ts.bound;
        List<List<Long>> counts = new ArrayList<>();
        try {
            for (int i = 0; i < router.numContexts(); i++) {
                counts.add(gcCountsIn(router.context(i)));
            }
        } finally {
            ts.bound = bound;
        }
        return counts;
    }

    @SuppressWarnings("unchecked")
    private List<Long> gcCountsIn(PyContext context) {
        if (!(context instanceof Worker w) || !w.isReady() || w.busy() || w.isBehind(execLog) || w.scopesBehind(scopes)) { // never replay for a reading
            return List.of();
        }
        router.bind(w);
        try {
            Object counts = run("gc.get_count()", null, System.nanoTime(), Limits.GC_COUNT_TIMEOUT.toNanos(), false, null,
                    null, (worker, frame) -> worker.gcCounts());
            return counts instanceof List<?> l ? (List<Long>) l : List.of();
        } catch (PyException e) {
            return List.of(); // taken by a call meanwhile, or closing
        }
    }

    /** Contexts busy, idle and starting right now. */
    public ContextStates contextStates() {
        return router.contextStates();
    }

    /** See {@link #contextStates()}. */
    public record ContextStates(int busy, int idle, int starting) {
    }

    /** The JVM heap live after the last collection, and the memory guard's limit (Long.MAX_VALUE: off). */
    public long heapLiveBytes() {
        return memoryGuard.liveAfterLastGc();
    }

    public long memoryGuardLimitBytes() {
        return memoryGuard.limitBytes();
    }

    /** The live heap last seen with no Python call running (-1: not yet, or the guard is off): running calls hold at most the rest. */
    public long heapIdleLiveBytes() {
        return memoryGuard.idleLiveBytes();
    }

    /** Whether GraalPy runs with the Graal JIT; empty while the engine is still being made (never waits: for meters). */
    public java.util.Optional<Boolean> jitActiveIfKnown() {
        return factory.isDone() && !factory.isCompletedExceptionally() ? java.util.Optional.of(factory.join().jitActive()) : java.util.Optional.empty();
    }

    /** How many calls ended how, and their time: what the call meters read. */
    public CallStats callStats() {
        return callStats;
    }

    public PyStats stats() {
        return new PyStats(router.replays(), router.replayFailures(), router.restarts(), memoryGuard.trips(),
                memoryGuard.isTripped(), router.abandoned(), memoryGuard.requestedGcs(), unhealthyBecause(),
                JsonDecoders.inUse(router));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        PyUnavailableException stopped = new PyUnavailableException("the hzpy runtime of " + name
                + " was closed (member shutting down) before the call completed");
        // Calls still queued never start: complete them now and give their permits back. Not
        // shutdownNow(): a Java interrupt of a thread inside Python keeps GraalPy's blocking calls
        // (time.sleep) retrying instead of taking the cancellation that closing the context sends.
        asyncPool.shutdown();
        List<Runnable> queued = new ArrayList<>();
        asyncPool.getQueue().drainTo(queued);
        for (Runnable r : queued) {
            if (r instanceof AsyncCall) {
                ((AsyncCall<?>) r).abort(stopped);
            }
        }
        router.stop(); // running calls are cancelled and fail with PyUnavailableException
        initPool.shutdownNow();
        jsonTraining.shutdownNow();
        watchdog.stop();
        try {
            asyncPool.awaitTermination(Limits.CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            initPool.awaitTermination(Limits.CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AsyncCall<?> call : inFlight) { // stuck past the bounded waits: their callers are not left waiting
            call.abort(stopped);
        }
        // closes the engine now, or once a creation still in progress ends (never, if it never began);
        // bounded like every context's close: a thread stuck in host code must not hold up the member
        factory.thenAccept(f -> Limits.closeWithin(f::close, "the GraalPy engine of " + name));
        LOGGER.info("hzpy stopped");
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new StackBudget.BigStackThread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
