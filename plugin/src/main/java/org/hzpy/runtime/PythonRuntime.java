package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.ContextRouter;
import org.hzpy.ExecutionMode;
import org.hzpy.HzpySettings;
import org.hzpy.PySemaphore;
import org.hzpy.PyUnavailableException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Python runtime of one member: the engine, the contexts behind a {@link ContextRouter}, the
 * concurrency limit, the timeout watchdog and the code defined with {@code exec}. Internal: users
 * reach it through {@link org.hzpy.Py}. Thread-safe.
 */
public final class PythonRuntime implements AutoCloseable {
    private static final ILogger LOGGER = Logger.getLogger(PythonRuntime.class);
    /** Warm-up per context at start: slices of ~100 calls, between which user calls may run. */
    private static final int WARM_UP_SLICES = 10;
    /** The longest a call waits for the member's first context to start. */
    private static final Duration STARTUP_WAIT = Duration.ofMinutes(2);
    /** Stack of hzpy's own threads (async calls): deep Python -> Java -> Python nesting needs it. */
    private static final long THREAD_STACK_BYTES = 16L * 1024 * 1024;

    private final HzpySettings settings;
    private final String name;
    /** Built on an init thread: the engine's start-up overlaps the member's own. */
    private final CompletableFuture<ContextFactory> factory;
    private final PermitLimiter limiter;
    private final Router router;
    private final Watchdog watchdog;
    private final ExecutorService initPool;
    private final ThreadPoolExecutor asyncPool;
    private final List<String> execLog = new CopyOnWriteArrayList<>();
    private final Object execLock = new Object();
    private volatile boolean closed;

    private PythonRuntime(HzpySettings settings, String name) {
        this.settings = settings;
        this.name = name;
        this.limiter = new PermitLimiter(settings.maxConcurrent());
        int poolThreads = Math.max(1, Math.min(settings.contexts(), Runtime.getRuntime().availableProcessors()));
        this.initPool = new ThreadPoolExecutor(poolThreads, poolThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(name + "-init"));
        ((ThreadPoolExecutor) initPool).allowCoreThreadTimeOut(true);
        this.factory = CompletableFuture.supplyAsync(() -> newFactory(settings), initPool);
        this.router = new Router(settings.executionMode(), settings.executors(), this::newWorker, initPool,
                settings.prewarm() ? WARM_UP_SLICES : 0);
        int asyncThreads = Math.max(settings.contexts(), settings.executors());
        this.asyncPool = new ThreadPoolExecutor(asyncThreads, asyncThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(name + "-call"));
        this.asyncPool.allowCoreThreadTimeOut(true);
        this.watchdog = new Watchdog(router, name + "-watchdog");
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

    private static ContextFactory newFactory(HzpySettings settings) {
        long t0 = System.nanoTime();
        ContextFactory f = new ContextFactory(settings);
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
            return factory.join();
        } catch (CompletionException e) {
            throw new PyUnavailableException("the GraalPy engine could not be created: " + e.getCause());
        }
    }

    private Worker newWorker(int index) {
        return new Worker(index, factory().newContext(), settings.engineSharing() == HzpySettings.EngineSharing.PER_CONTEXT,
                settings.executors());
    }

    // ------------------------------------------------------------------ calls

    /** Runs {@code module.function(*args, **kwargs)}; {@code timeout} null means the default. */
    public Object call(String module, String function, Object[] args, Map<String, Object> kwargs, Duration timeout) {
        return run(module, function, timeout, true, w -> w.call(module, function, args, kwargs));
    }

    /** Like {@link #call} on one of the runtime's own threads; the permit is taken (or refused) now. */
    public CompletionStage<Object> callAsync(String module, String function, Object[] args, Map<String, Object> kwargs,
                                             Duration timeout) {
        long start = System.nanoTime();
        try {
            checkOpen();
            limiter.acquire();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Duration t = timeout != null ? timeout : settings.callTimeout();
        try {
            return onOurThread(() -> {
                try {
                    Duration left = t.minusNanos(System.nanoTime() - start);
                    return run(module, function, left.isNegative() || left.isZero() ? Duration.ofNanos(1) : left,
                            false, w -> w.call(module, function, args, kwargs));
                } finally {
                    limiter.release();
                }
            });
        } catch (PyUnavailableException e) {
            limiter.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    public Object eval(String expression, Map<String, ?> locals, Duration timeout) {
        return run("eval()", null, timeout, true, w -> w.eval(expression, locals));
    }

    /** Runs {@code source} in one context now and in every other context (now or later) exactly once. */
    public void exec(String source, Duration timeout) {
        run("exec()", null, timeout, true, w -> {
            synchronized (execLock) {
                w.execAndRecord(source, execLog);
            }
            return null;
        });
    }

    private <T> T run(String module, String function, Duration timeout, boolean takePermit,
                      Function<Worker, T> op) {
        checkOpen();
        Router.ThreadState ts = router.threadState();
        boolean outermost = ts.current == null;
        if (outermost && onCommonPool()) {
            Worker bound = ts.bound;
            return handOff(() -> {
                Router.ThreadState mine = router.threadState();
                mine.bound = bound; // the caller's bind() holds on our thread too
                try {
                    return run(module, function, timeout, takePermit, op);
                } finally {
                    mine.bound = null;
                }
            });
        }
        if (takePermit && outermost) {
            limiter.acquire();
        }
        try {
            if (outermost) {
                awaitFirstContext();
            }
            Duration t = timeout != null ? timeout : settings.callTimeout();
            long timeoutMillis = t.toMillis();
            long deadline = System.nanoTime() + t.toNanos();
            Worker w = router.enter(ts, deadline, timeoutMillis);
            try {
                return w.run(new CallFrame(Thread.currentThread(), deadline, timeoutMillis, module, function), worker -> {
                    worker.catchUp(execLog);
                    return op.apply(worker);
                });
            } finally {
                router.exit(ts, w);
            }
        } finally {
            if (takePermit && outermost) {
                limiter.release();
            }
        }
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

    /**
     * Runs {@code call} on one of hzpy's own (big-stack) threads. Failures complete the future with
     * the exception itself, not wrapped, so {@code whenComplete}/{@code exceptionally} see a PyException.
     */
    private <T> CompletableFuture<T> onOurThread(Supplier<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            asyncPool.execute(() -> {
                try {
                    result.complete(call.get());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new PyUnavailableException("the hzpy runtime of " + name + " is closed");
        }
        return result;
    }

    private <T> T handOff(Supplier<T> call) {
        CompletableFuture<T> result = onOurThread(call);
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }

    /**
     * Right after the member starts no context may be ready yet. Waiting for the first one is start-up,
     * not the call's own time, so it has its own bound and the call's timeout starts afterwards.
     */
    private void awaitFirstContext() {
        if (router.anyReady()) {
            return;
        }
        if (!router.awaitReady(1, System.nanoTime() + STARTUP_WAIT.toNanos())) {
            checkOpen();
            router.throwIfStartFailed();
            throw new PyUnavailableException("no Python context of " + name + " became ready within " + STARTUP_WAIT);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new PyUnavailableException("the hzpy runtime of " + name + " is closed");
        }
    }

    // ------------------------------------------------------------------ introspection

    public ExecutionMode executionMode() {
        return settings.executionMode();
    }

    public int numExecutors() {
        return settings.executors();
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

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watchdog.stop();
        asyncPool.shutdownNow();
        router.stop();
        initPool.shutdownNow();
        try {
            asyncPool.awaitTermination(5, TimeUnit.SECONDS);
            initPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // closes the engine now, or once a creation still in progress ends (never, if it never began)
        factory.thenAccept(ContextFactory::close);
        LOGGER.info("hzpy stopped");
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, prefix + "-" + n.incrementAndGet(), THREAD_STACK_BYTES);
            t.setDaemon(true);
            return t;
        };
    }
}
