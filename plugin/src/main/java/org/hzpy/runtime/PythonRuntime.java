package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.ContextRouter;
import org.hzpy.ExecutionMode;
import org.hzpy.HzpySettings;
import org.hzpy.PyCancelledException;
import org.hzpy.PyContext;
import org.hzpy.PyException;
import org.hzpy.PySemaphore;
import org.hzpy.PyStats;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

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
    private final ContextPool pool;
    private final Router router;
    private final Watchdog watchdog;
    private final ThreadPoolExecutor initPool;
    private final ThreadPoolExecutor backgroundThread;
    private final CallThreads callThreads;
    private final ExecLog execLog = new ExecLog();
    private final ReentrantLock execLock = new ReentrantLock();
    private final MemoryGuard memoryGuard;
    private final Timeouts timeouts;
    private final long maxCallTimeoutNanos;
    private final HostFunctions hostFunctions = new HostFunctions();
    private final ModuleScopes scopes = new ModuleScopes();
    private final Deployments deployments;
    private final CallStats callStats = new CallStats();
    private final PythonLog pythonLog = new PythonLog();
    private final Invocation.Env env;
    private final Streams streams;
    private final AsyncTicker asyncTicker;
    private volatile boolean closed;

    private PythonRuntime(HzpySettings settings, String name, boolean takesJobCode) {
        this.settings = settings;
        this.name = name;
        this.limiter = new PermitLimiter(settings.maxConcurrent());
        this.memoryGuard = new MemoryGuard(settings.memoryGuard());
        this.timeouts = new Timeouts(memoryGuard, settings.abandonAfter());
        this.maxCallTimeoutNanos = Timeouts.toNanos(settings.maxCallTimeout());
        int poolThreads = Math.max(1, Math.min(settings.contexts(), Runtime.getRuntime().availableProcessors()));
        this.initPool = new ThreadPoolExecutor(poolThreads, poolThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), CallThreads.threadFactory(name + "-init"));
        initPool.allowCoreThreadTimeOut(true);
        this.factory = CompletableFuture.supplyAsync(() -> newFactory(settings, scopes, pythonLog), initPool);
        // one thread, so background work takes one context at a time; not the init pool, which it
        // would hold from creating contexts for as long as a busy member leaves no idle moment
        this.backgroundThread = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                CallThreads.threadFactory(name + "-background"));
        backgroundThread.allowCoreThreadTimeOut(true);
        Admission admission = Admission.of(settings.executionMode(), settings.executors());
        this.pool = new ContextPool(this::newPythonContext, initPool, execLog, admission,
                settings.prewarm() ? WARM_UP_SLICES : 0, settings.prewarm() && !settings.warmupModules().isEmpty(),
                settings.prewarm() && takesJobCode && settings.warmupJobs() > 0 ? new JobScopeWarmUp(scopes, settings.warmupJobs()) : null, backgroundThread);
        this.router = new Router(settings.executionMode(), admission, pool);
        this.callThreads = new CallThreads(name, Math.max(settings.contexts(), settings.executors()));
        this.watchdog = new Watchdog(pool, memoryGuard, name);
        this.deployments = new Deployments(scopes, this::outermostFrames, this::interpreterModuleNames);
        watchdog.alsoEveryTick(deployments::sweep);
        this.env = new Invocation.Env(name, router, pool, limiter, memoryGuard, execLog, scopes, callThreads, () -> closed);
        this.streams = new Streams(env, settings.streamIdleTimeout());
        this.asyncTicker = new AsyncTicker(name, settings.asyncMaxPending(), Math.max(1, settings.contexts()));
        asyncTicker.useRunner(this::tickIn);
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
        return start(settings, name, false);
    }

    /**
     * As {@link #start(HzpySettings, String)}, for a member that runs code Jet jobs ship with them
     * ({@code takesJobCode}: Jet and its resource upload on): with pre-warm, each context also
     * runs a job's per-context work in the background ({@code hzpy.warmup-jobs} times), so that
     * its first jobs do not compile it.
     */
    public static PythonRuntime start(HzpySettings settings, String name, boolean takesJobCode) {
        PythonRuntime rt = new PythonRuntime(settings, name, takesJobCode);
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
            return factory.get(Timeouts.STARTUP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new PyUnavailableException("the GraalPy engine could not be created: " + e.getCause());
        } catch (TimeoutException e) {
            throw new PyUnavailableException("the GraalPy engine was not created within " + Timeouts.STARTUP_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyUnavailableException("interrupted while waiting for the GraalPy engine");
        }
    }

    /**
     * A new context for slot {@code index}. When loading the helpers fails, the polyglot context
     * (and, with per-context engines, its engine) is closed here: nobody else holds it.
     */
    private PythonContext newPythonContext(int index, PythonContext[] generation) {
        org.graalvm.polyglot.Context context = factory().newContext();
        try {
            PythonContext w = new PythonContext(index, generation, context, settings.executors(), timeouts, hostFunctions,
                    asyncTicker);
            w.useJsonDecoder(settings.jsonDecoder().name().toLowerCase(java.util.Locale.ROOT));
            if (settings.prewarm()) {
                w.configureModuleWarmUp(settings.warmupModules());
            }
            w.syncScopes(scopes); // before the pool replays exec code into it: that code may import a deployed module
            if (!deployments.knowsReservedNames()) { // read once, here: later, every context may be busy
                deployments.learnInterpreterNames(namesOf(w.reservedNames()));
            }
            return w;
        } catch (RuntimeException | Error e) {
            Timeouts.closeWithin(() -> context.close(true), "the failed hzpy context " + index);
            throw e;
        }
    }

    /**
     * A tick of {@code w}'s event loop: a frame in that context (bound to it, no permit: a tick serves
     * calls that already passed admission), under hzpy.call-timeout.
     */
    private AsyncLoop.Tick tickIn(PythonContext w, Invocation.Op<AsyncLoop.Tick> op) {
        Router.ThreadState ts = router.threadState();
        java.lang.ref.WeakReference<PythonContext> bound = ts.bound;
        router.bind(w);
        try {
            return invocation("asyncio", "tick", System.nanoTime(), timeoutNanosOf(null), op).callWithoutPermit();
        } finally {
            ts.bound = bound;
        }
    }

    private <T> Invocation<T> invocation(String module, String function, long startNanos, long timeoutNanos,
                                         Invocation.Op<T> op) {
        return new Invocation<>(env, module, function, startNanos, timeoutNanos, op);
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
        return counted(CallStats.Kind.CALL, origin, start, () -> awaitIfPending(invocation(module, function, start,
                timeoutNanosOf(timeout), (w, f) -> w.call(f, module, function, args, kwargs)).call(stop), stop));
    }

    /** A call whose coroutine is still pending: the caller waits for it (bounded; no permit or context held meanwhile). */
    private static Object awaitIfPending(Object result, StopToken stop) {
        return result instanceof PendingCoroutine p ? p.await(stop) : result;
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
        return callAsync(origin, module, function, args, kwargs, timeout, Duration.ZERO, () -> { });
    }

    /**
     * {@link #callAsync(CallStats.Origin, String, String, Object[], Map, Duration)} that waits out a
     * full limit for at most {@code permitWait} in the member's line, first come first served
     * ({@code onRefused} runs at each refusal); its timeout counts from when it has its permit.
     * Fails with {@link org.hzpy.OverloadedException} if no permit came within {@code permitWait}.
     */
    public CompletableFuture<Object> callAsync(CallStats.Origin origin, String module, String function, Object[] args,
                                               Map<String, Object> kwargs, Duration timeout, Duration permitWait,
                                               Runnable onRefused) {
        long start = System.nanoTime();
        AsyncCall<Object> call = invocation(module, function, start, timeoutNanosOf(timeout),
                (w, f) -> w.call(f, module, function, args, kwargs)).callAsync(permitWait.toNanos(), onRefused);
        call.whenComplete((value, error) -> callStats.record(CallStats.Kind.CALL, origin, error, start));
        return call;
    }

    /**
     * Calls {@code module.function(*args, **kwargs)} — a generator, an async generator (each batch a Task on
     * the context's event loop), or any iterable — and returns its items as a source for
     * {@link org.hzpy.PyStream#over}: pulled a batch at a time in the context it started in, each
     * pull bounded by {@code timeout} (null: the default). The stream holds a permit until it ends.
     *
     * @throws org.hzpy.OverloadedException when no permit is free
     * @throws PyException                  as {@link #call} would, and a Python TypeError when the
     *                                      result is not iterable
     */
    public org.hzpy.PyStream.Source openStream(CallStats.Origin origin, String module, String function, Object[] args,
                                               Map<String, Object> kwargs, Duration timeout) {
        long start = System.nanoTime();
        return counted(CallStats.Kind.CALL, origin, start, () -> streams.open(module, function, args, kwargs, timeoutNanosOf(timeout)));
    }

    /** Streams open on this member now. */
    public int streamsOpen() {
        return streams.openCount();
    }

    /** Stream pulls served since the runtime started. */
    public long streamPulls() {
        return streams.pulls();
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
        return counted(CallStats.Kind.EVAL, origin, start, () -> invocation("eval()", null, start, timeoutNanosOf(timeout),
                (w, f) -> w.eval(expression, locals)).call(stop));
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
        long timeoutNanos = timeoutNanosOf(timeout);
        long start = System.nanoTime();
        counted(CallStats.Kind.EXEC, origin, start, () -> invocation("exec()", null, start, timeoutNanos,
                (w, f) -> {
                    lockExec(start + timeoutNanos);
                    try {
                        w.execAndRecord(source, timeoutNanos, execLog);
                    } finally {
                        execLock.unlock();
                    }
                    return null;
                }).call(null));
    }

    /**
     * Records exec code that another member ran first: every context here applies it, exactly once
     * and in the order recorded, before it next serves a call. Runs nothing now.
     *
     * @param timeoutNanos the time each context's replay of it may take
     */
    public void appendExec(String source, long timeoutNanos) {
        lockExec(System.nanoTime() + Timeouts.EXEC_APPEND_WAIT.toNanos());
        try {
            execLog.append(source, timeoutNanos);
        } finally {
            execLock.unlock();
        }
    }

    /** One exec log entry as {@link #replaceExecLog} takes it: the code and the time each context's replay of it may take. */
    public record ExecCode(String source, long timeoutNanos) {
    }

    /**
     * Makes {@code code} this runtime's whole exec log, in order, in place of what it held: what a
     * member that merged into another cluster must run instead of its own. Runs nothing now. A context
     * cannot forget code it ran, so every context that ran exec code restarts and replays the new log:
     * an idle one now, a busy one before its next call (the call in it ends as it would have; only
     * then is the context retired). Waits for an exec running here at most as long as
     * {@link #appendExec} does; interruptible.
     */
    public void replaceExecLog(List<ExecCode> code) {
        List<ExecLog.Entry> entries = new ArrayList<>();
        code.forEach(c -> entries.add(new ExecLog.Entry(c.source(), c.timeoutNanos())));
        lockExec(System.nanoTime() + Timeouts.EXEC_APPEND_WAIT.toNanos());
        try {
            execLog.replace(entries);
        } finally {
            execLock.unlock();
        }
        pool.retireIdleThatRanReplacedCode();
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

    // ------------------------------------------------------------------ deployments

    /**
     * Makes version {@code version} of deployment {@code name} current on this member. Its files lie in
     * {@code directory} (the runtime takes it over: read-only from now on, deleted once no call can use
     * it any more, and at close); {@code topLevelNames} are the module and package names it provides.
     * Calls that begin after this returns import those names from it, in every context (including
     * contexts started later); calls already running finish on the version they began with (a module of
     * a version imports its own version's modules first; the replaced version stays importable until no
     * call that was running at the switch runs here any more, at most {@value Deployments#MAX_RETIRED}
     * replaced versions of one deployment at a time). Idempotent for the same name and version (then
     * {@code directory} is deleted at once). Thread-safe: switches and removals are serialized; the first
     * one reads the standard library's names from a context (it may wait for the first context to start).
     *
     * @throws org.hzpy.PyDeployException if a top-level name is reserved ({@link #reservedModuleNames}) or
     *                                    provided by another deployment here
     */
    public void switchDeployment(String name, long version, Path directory, java.util.Set<String> topLevelNames) {
        checkOpen();
        deployments.switchTo(name, version, directory, topLevelNames);
    }

    /**
     * {@link #switchDeployment}, also when version {@code version} is current here already: its files
     * in {@code directory} differ from the ones this member holds under that number (after a
     * split-brain merge both sides may have deployed the same version number).
     */
    public void replaceDeployment(String name, long version, Path directory, java.util.Set<String> topLevelNames) {
        checkOpen();
        deployments.switchTo(name, version, directory, topLevelNames, true);
    }

    /**
     * Removes deployment {@code name} here: its names import from hzpy.module-path (or nowhere) again
     * for calls that begin after this returns. Idempotent. Thread-safe.
     */
    public void removeDeployment(String name) {
        deployments.remove(name);
    }

    /** The current deployments here: name -> version. Thread-safe (a snapshot). */
    public Map<String, Long> deployedVersions() {
        return deployments.versions();
    }

    /**
     * The top-level module names the current deployments provide (the remote policy lets clients call
     * them like module-path modules). Thread-safe (a snapshot).
     */
    public java.util.Set<String> deployedModuleNames() {
        return deployments.providedNames();
    }

    /**
     * Names no deployment may provide: the standard library (sys.stdlib_module_names and the builtin
     * modules of GraalPy, computed once and cached), hzpy's own ({@code _hzpy*}, {@code hzpy}), and the
     * host's ({@code polyglot}, {@code java}, {@code __graalpython__}, {@code site}...). The first call
     * reads them from a context. Thread-safe.
     */
    public java.util.Set<String> reservedModuleNames() {
        return deployments.reservedNames();
    }

    private List<CallFrame> outermostFrames() {
        List<CallFrame> frames = new ArrayList<>();
        for (PythonContext w : pool.live()) {
            frames.addAll(w.outermostFrames());
        }
        return frames;
    }

    /** Only if no context has started yet (each start reads them): waits for the first one. */
    private java.util.Set<String> interpreterModuleNames() {
        return namesOf(invocation("sys.stdlib_module_names", null, System.nanoTime(), timeoutNanosOf(null),
                (w, frame) -> w.reservedNames()).callWithoutPermit());
    }

    @SuppressWarnings("unchecked")
    private static java.util.Set<String> namesOf(Object names) {
        java.util.Set<String> result = new java.util.HashSet<>();
        for (Object n : (List<Object>) names) {
            result.add(String.valueOf(n));
        }
        return result;
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
     * A call's timeout in nanoseconds: the caller's own (or hzpy.call-timeout when null), capped at
     * hzpy.max-call-timeout: no caller runs a call longer.
     */
    public long timeoutNanosOf(Duration timeout) {
        return Math.min(Timeouts.toNanos(timeout != null ? timeout : settings.callTimeout()), maxCallTimeoutNanos);
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
            pool.throwIfUnavailable(); // stopped, or every context's last start failed
        } catch (PyUnavailableException e) {
            return e.getMessage();
        }
        return null;
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
     * Waits until {@code count} contexts (capped at the pool size) serve and, with
     * {@code hzpy.prewarm}, have finished their start-up warm-up; false on timeout.
     */
    public boolean awaitReady(int count, Duration timeout) {
        return pool.awaitWarm(count, System.nanoTime() + timeout.toNanos());
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
        java.lang.ref.WeakReference<PythonContext> bound = ts.bound;
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
        if (!(context instanceof PythonContext w) || !w.isReady() || w.busy() || w.isBehind(execLog) || w.scopesBehind(scopes)) { // never replay for a reading
            return List.of();
        }
        router.bind(w);
        try {
            Object counts = invocation("gc.get_count()", null, System.nanoTime(), Timeouts.GC_COUNT_TIMEOUT.toNanos(),
                    (worker, frame) -> worker.gcCounts()).callWithoutPermit();
            return counts instanceof List<?> l ? (List<Long>) l : List.of();
        } catch (PyException e) {
            return List.of(); // taken by a call meanwhile, or closing
        }
    }

    /** Contexts busy, idle and starting right now. */
    public ContextStates contextStates() {
        return pool.contextStates();
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
        return new PyStats(pool.replays(), pool.replayFailures(), pool.restarts(), memoryGuard.trips(),
                memoryGuard.isTripped(), pool.abandoned(), pool.startFailures(), pool.abandonedAlive(),
                memoryGuard.requestedGcs(), unhealthyBecause(), JsonDecoders.inUse(router), streams.openCount(),
                asyncTicker.pendingCalls(), asyncTicker.pendingAwaits());
    }

    /** Coroutine calls pending on this member now (async def called through call/callAsync, not yet ended). */
    public int asyncCallsPending() {
        return asyncTicker.pendingCalls();
    }

    /** {@code hzpy.call_async} awaits pending on this member now (their Java result has not reached Python). */
    public int asyncAwaitsPending() {
        return asyncTicker.pendingAwaits();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        streams.shutdown(); // while calls still run: generators are closed in their contexts (bounded)
        closed = true;
        PyUnavailableException stopped = new PyUnavailableException("the hzpy runtime of " + name
                + " was closed (member shutting down) before the call completed");
        limiter.failWaiters(stopped); // calls in line for a permit never start
        callThreads.shutdown(stopped); // calls still queued never start: completed now, their permits back
        asyncTicker.close(); // pending coroutine calls fail with PyUnavailableException; no more ticks
        pool.background().stop();
        router.stop(); // running calls are cancelled and fail with PyUnavailableException; contexts close in parallel
        initPool.shutdownNow();
        backgroundThread.shutdownNow();
        watchdog.stop();
        deployments.close(); // after the contexts: no call reads a deployment's files any more
        try {
            initPool.awaitTermination(Timeouts.CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        callThreads.awaitTermination(stopped);
        // closes the engine now, or once a creation still in progress ends (never, if it never began);
        // bounded like every context's close: a thread stuck in host code must not hold up the member
        factory.thenAccept(f -> Timeouts.closeWithin(f::close, "the GraalPy engine of " + name));
        LOGGER.info("hzpy stopped");
    }

    /** Background steps (warm-up, json's training) the watchdog stopped. For tests. */
    long backgroundStepsStopped() {
        return pool.background().stepsStopped();
    }

    /** Threads of the call pool lent out in place of ones stuck in abandoned contexts. For tests. */
    int callThreadsLent() {
        return callThreads.lentThreads();
    }
}
