package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.hzpy.PyContext;
import org.hzpy.PySandboxException;
import org.hzpy.PyUnavailableException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One Python context: its lifecycle (start with hzpy's helpers, ready, warm, retired, closed) and
 * the operations a call runs in it. Entry is controlled by the {@link Router}: {@link #lock} in
 * ISOLATED mode (one thread at a time, reentrant for nested calls), {@link #slots} in SHARED mode
 * (up to {@code executors} threads). Every piece of Python that runs for a call runs inside a
 * {@link CallFrame} registered with its {@link Frames}, which the watchdog sees; failures are
 * translated by {@link Failures}, exec replay and scope sync are {@link ContextMaintenance}'s,
 * Python's calls into Java go through the {@link HostBridge}. No {@link Value} leaves this class
 * except to {@link Conversions}. Thread-safe.
 */
final class PythonContext implements PyContext {
    private static final ILogger LOGGER = Logger.getLogger(PythonContext.class);
    private static final int WARM_UP_CALLS_PER_SLICE = 100;

    final int index;
    final ReentrantLock lock = new ReentrantLock();
    final Semaphore slots;
    /** The router generation (its contexts array) this context was started for. */
    final PythonContext[] generation;

    private final Context context;
    private final Frames frames;
    private final Failures failures;
    private final ContextMaintenance maintenance;
    private final CallSites callSites;
    private final Conversions conversions;
    private final Value invoke;
    private final Value invokeKw;
    private final Value invokeWithin;
    private final Value eval;
    private final Value warmUp;
    private final Value trainJson;
    private final Value warmImports;
    /** {@code _hzpy_internal.module_warmup}: hzpy.warmup-modules, warmed up in idle moments. */
    private final Value moduleWarmUp;
    private final Value gcCounts;
    private final Value reservedNames;
    private final Value forgetDeniedImports;
    private final Value useJsonDecoder;
    /** {@code _hzpy_internal.streams}: the streams open in this context (see {@link Streams}). */
    private final Value streams;
    /** This context's asyncio event loop (Java side): coroutine calls, Java awaits, ticks. */
    private final AsyncLoop asyncLoop;
    /** The scanner json.loads uses here: "native" or "python" (hzpy.json-decoder, or json's training). */
    private volatile String jsonDecoder = "native";

    private volatile boolean ready;
    private volatile boolean warm;
    private volatile boolean closed;
    /** Taken out of service by its router (a failed replay): it serves nothing more. */
    private volatile boolean retired;

    /** Starts the context and loads the helpers. Runs on an init thread. */
    PythonContext(int index, PythonContext[] generation, Context context, int executors, Timeouts timeouts,
            HostFunctions hostFunctions, AsyncTicker ticker) {
        this.index = index;
        this.generation = generation;
        this.context = context;
        this.slots = new Semaphore(executors);
        String name = "context " + index;
        this.frames = new Frames(name, Frames.Timing.of(timeouts), () -> context.interrupt(timeouts.interruptWait));
        Value helpers = PythonHelpers.load(context);
        conversions = new Conversions(helpers);
        failures = new Failures(helpers.getMember("describe"), () -> closed, timeouts::memoryGuardDescription);
        callSites = new CallSites(helpers.getMember("call_site"));
        maintenance = new ContextMaintenance(name, (frame, python) -> run(frame, w -> {
            python.run();
            return null;
        }), helpers, conversions, callSites::clear, timeouts.catchUpLockSlackNanos);
        invoke = helpers.getMember("invoke");
        invokeKw = helpers.getMember("invoke_kw");
        invokeWithin = helpers.getMember("invoke_within");
        eval = helpers.getMember("eval_");
        warmUp = helpers.getMember("warm_up");
        warmImports = helpers.getMember("warm_imports");
        moduleWarmUp = helpers.getMember("module_warmup");
        trainJson = helpers.getMember("train_json");
        gcCounts = helpers.getMember("gc_counts");
        reservedNames = helpers.getMember("reserved_names");
        forgetDeniedImports = helpers.getMember("forget_denied_imports");
        useJsonDecoder = helpers.getMember("json_decoder");
        streams = helpers.getMember("streams");
        asyncLoop = new AsyncLoop(this, ticker, helpers.getMember("aio"), conversions);
        helpers.getMember("install_hzpy").execute(new HostBridge(hostFunctions, conversions, frames, asyncLoop));
    }

    /** How many calls (and other frames) have started here: json's training looks for idle contexts by it. */
    long framesStarted() {
        return frames.started();
    }

    /**
     * Whether a call runs here now (a moment's answer, for the meters). The warm-up and json's
     * training hold the context too, but they are not calls: they make way for calls.
     */
    boolean busy() {
        return !frames.isEmpty();
    }

    /** When the call the current thread runs here must end (its innermost frame's deadline). */
    long currentDeadline() {
        CallFrame f = frames.current();
        return f == null ? System.nanoTime() + Timeouts.MAX_TIMEOUT_NANOS : f.deadlineNanos;
    }

    /** The slow, indivisible part of the warm-up: imports (seconds in a fresh context). */
    void warmUpImports() {
        warmImports.execute();
    }

    /** Sets the modules to warm up here (hzpy.warmup-modules), before the context serves. */
    void configureModuleWarmUp(List<String> modules) {
        moduleWarmUp.invokeMember("configure", conversions.toPython(modules));
    }

    /**
     * Warms the configured modules up for about {@code seconds}; null while some remain, else the
     * problems met on the way ("module: error" for each that could not be imported or run).
     */
    List<String> warmUpModules(double seconds) {
        Value problems = moduleWarmUp.invokeMember("exercise", seconds);
        if (problems.isNull()) {
            return null;
        }
        List<String> out = new java.util.ArrayList<>();
        for (long i = 0; i < problems.getArraySize(); i++) {
            out.add(problems.getArrayElement(i).asString());
        }
        return out;
    }

    /** See {@link ContextMaintenance#warmUpJobs}; the caller holds this context in a frame. */
    boolean warmUpJobs(String directory, double seconds, int rounds) {
        return maintenance.warmUpJobs(directory, seconds, rounds);
    }

    /**
     * Trains json's pure-Python scanner for about {@code seconds}; true once json has settled on a
     * scanner (the Python one when it beat the native one, see {@code _hzpy_internal.py}).
     */
    boolean trainJson(double seconds) {
        Value outcome = trainJson.execute(seconds);
        if (outcome.isNull()) {
            return false;
        }
        jsonDecoder = outcome.asString();
        LOGGER.info("hzpy context " + index + ": json decodes with its " + jsonDecoder + " scanner from now on");
        return true;
    }

    /** Sets json's decoder ({@code hzpy.json-decoder}: auto, native or python) before the context serves calls. */
    void useJsonDecoder(String mode) {
        useJsonDecoder.execute(mode);
        jsonDecoder = "python".equals(mode) ? "python" : "native";
    }

    /** The scanner json.loads uses in this context now: "native" or "python". Thread-safe. */
    String jsonDecoder() {
        return jsonDecoder;
    }

    /**
     * One slice of the start-up warm-up: the call path, the conversions and some common library
     * code. The caller holds entry, so user calls interleave with the slices.
     */
    void warmUpSlice() {
        warmUp.execute(50);
        Object[] args = {1L, "text", 2.5, List.of(1L, "a"), Map.of("k", 1L)};
        for (int i = 0; i < WARM_UP_CALLS_PER_SLICE; i++) {
            conversions.toJava(invokePlain("_hzpy_internal", "make_list", args));
        }
    }

    // ------------------------------------------------------------------ operations (caller holds entry, inside a frame)

    Object call(CallFrame frame, String module, String function, Object[] args, Map<String, Object> kwargs) {
        Value result;
        if (frame.stopsItself) {
            double seconds = Math.max(0, frame.deadlineNanos - System.nanoTime()) / 1e9;
            Object kw = kwargs == null || kwargs.isEmpty() ? null : conversions.toPython(kwargs);
            result = invokeWithin.execute(conversions.toPythonArgs(args, 4, seconds, module, function, kw));
        } else if (kwargs == null || kwargs.isEmpty()) {
            result = invokePlain(module, function, args);
        } else {
            result = invokeKw.execute(conversions.toPythonArgs(args, 3, module, function, conversions.toPython(kwargs)));
        }
        if (isCoroutine(result)) { // an async def: its Task runs on this context's event loop
            return asyncLoop.startCall(this, frame, result);
        }
        return conversions.toJava(result);
    }

    /** Whether a call's result is a coroutine; plain values are told apart without asking Python. */
    private static boolean isCoroutine(Value v) {
        return !v.isNull() && !v.isNumber() && !v.isString() && !v.isBoolean() && !v.hasArrayElements()
                && !v.hasHashEntries() && "coroutine".equals(v.getMetaObject().getMetaSimpleName());
    }

    AsyncLoop asyncLoop() {
        return asyncLoop;
    }

    /** module.function(*args), through its call site when it has one. */
    private Value invokePlain(String module, String function, Object[] args) {
        Value site = callSites.get(module, function);
        return site != null ? site.execute(conversions.toPythonArgs(args, 0))
                : invoke.execute(conversions.toPythonArgs(args, 2, module, function));
    }

    /** Starts a stream of module.function(*args, **kwargs) here; returns its id in this context. Inside a frame. */
    long openStream(String module, String function, Object[] args, Map<String, Object> kwargs) {
        Object kw = kwargs == null || kwargs.isEmpty() ? null : conversions.toPython(kwargs);
        return streams.invokeMember("open_", conversions.toPythonArgs(args, 3, module, function, kw)).asLong();
    }

    /** The next at most {@code max} items of stream {@code id} and whether it is exhausted: [items, done]. Inside a frame. */
    /**
     * The next batch of stream {@code id} ([items, done]) or, for an async generator, the
     * {@link PendingCoroutine} of the batch's Task on this context's event loop (the caller awaits it
     * outside the context). Inside a frame.
     */
    Object streamBatch(CallFrame frame, long id, int max) {
        Value batch = streams.invokeMember("next_batch", id, max);
        if (isCoroutine(batch)) {
            return asyncLoop.startCall(this, frame, batch);
        }
        return conversions.toJava(batch);
    }

    /** Closes stream {@code id} here (its generator's finally runs), if it is still open. Inside a frame. */
    void closeStream(long id) {
        streams.invokeMember("close", id);
    }

    /** Streams open in this context (Python's registry), for tests. Inside a frame. */
    int streamsOpenHere() {
        return streams.invokeMember("open_count").asInt();
    }

    /** Python's gc.get_count() here. Caller holds entry, inside a frame. */
    Object gcCounts() {
        return conversions.toJava(gcCounts.execute());
    }

    /** The standard library's and the interpreter's module names (see {@link Deployments}). */
    Object reservedNames() {
        return conversions.toJava(reservedNames.execute());
    }

    Object eval(String expression, Map<String, ?> locals) {
        return conversions.toJava(eval.execute(expression, conversions.toPython(locals)));
    }

    // ------------------------------------------------------------------ maintenance (see ContextMaintenance)

    boolean isBehind(ExecLog log) {
        return maintenance.isBehind(log);
    }

    /** @see ContextMaintenance#ranReplacedCode */
    boolean ranReplacedCode(ExecLog log) {
        return maintenance.ranReplacedCode(log);
    }

    /** @return how many exec log entries were applied; see {@link ContextMaintenance#catchUp} */
    int catchUp(ExecLog log) {
        return maintenance.catchUp(log);
    }

    boolean scopesBehind(ModuleScopes scopes) {
        return maintenance.scopesBehind(scopes);
    }

    void syncScopes(ModuleScopes scopes) {
        maintenance.syncScopes(scopes);
    }

    void execAndRecord(String source, long timeoutNanos, ExecLog log) {
        maintenance.execAndRecord(source, timeoutNanos, log);
    }

    // ------------------------------------------------------------------ running a frame

    /**
     * Runs {@code op} as one unit of Python work: visible to the watchdog until it returns, and
     * every Python failure translated into an hzpy exception while still inside the frame, because
     * describing an error runs Python too ({@code str(exc)}, the traceback).
     */
    <T> T run(CallFrame frame, Function<PythonContext, T> op) {
        frames.push(frame);
        try {
            T result = op.apply(this);
            if (frame.stopped != null) {
                throw failures.stoppedLate(frame);
            }
            return result;
        } catch (PolyglotException e) {
            RuntimeException failure = failures.translate(e, frame);
            if (failure instanceof PySandboxException && frame.outer == null) {
                forgetDeniedImports();
            }
            throw failure;
        } finally {
            frames.pop(frame);
            if (frame.stopped != null) {
                Thread.interrupted(); // set by the watchdog's interrupt, not by the caller
            }
        }
    }

    /**
     * A sandbox denial skips Python's finally blocks: an import it interrupted would stay
     * half-initialized (later imports of it fail as plain errors, or wait on its lock). Undone here,
     * inside the frame, so the next attempt is denied again as such.
     */
    private void forgetDeniedImports() {
        try {
            forgetDeniedImports.execute();
        } catch (PolyglotException e) {
            // the denial is what the caller hears about; a failed clean-up leaves the context as it was
        }
    }

    /** The hzpy exception for a failure of the Python code running in {@code frame}. Runs inside the frame. */
    RuntimeException translate(PolyglotException e, CallFrame frame) {
        return failures.translate(e, frame);
    }

    // ------------------------------------------------------------------ watchdog side (see Frames)

    /** @see Frames#markStops */
    boolean markStops(long now, boolean memory) {
        return frames.markStops(now, memory);
    }

    /** @see Frames#beyondRescue */
    /** The outermost frame of each call running here now (see {@link Deployments}: what still runs on a replaced version). */
    List<CallFrame> outermostFrames() {
        return frames.outermost();
    }

    List<CallFrame> framesBeyondRescue(long now) {
        return frames.beyondRescue(now);
    }

    /** @see Frames#interruptNow */
    void interruptNow() {
        frames.interruptNow();
    }

    boolean isRunningCalls() {
        return !frames.isEmpty();
    }

    // ------------------------------------------------------------------ lifecycle

    void markReady() {
        ready = true;
    }

    void markWarm() {
        warm = true;
    }

    boolean isWarm() {
        return warm;
    }

    @Override
    public boolean isReady() {
        return ready && !closed;
    }

    boolean isClosed() {
        return closed;
    }

    boolean isRetired() {
        return retired;
    }

    void markRetired() {
        retired = true;
    }

    @Override
    public int index() {
        return index;
    }

    /**
     * Cancels whatever runs and closes the context (and its engine, if it owns one). Bounded: a
     * thread stuck in host code can keep a context from closing, and that must not keep the
     * member from shutting down, so the close goes on in the background after the wait.
     */
    void close() {
        closed = true;
        asyncLoop.close(new PyUnavailableException("hzpy context " + index + " was closed (restarted, stopped or"
                + " shut down) while the coroutine was pending in it; its event loop ended with it"));
        frames.close();
        Timeouts.closeWithin(this::closeNow, "hzpy context " + index);
    }

    /** Closes the context and, with per-context engines, its implicit engine with it. */
    private void closeNow() {
        try {
            context.close(true);
        } catch (RuntimeException e) {
            // already closed or closing
        }
    }

    @Override
    public String toString() {
        return "PyContext[" + index + (isReady() ? ", ready" : closed ? ", closed" : ", starting") + "]";
    }

    /**
     * A context could not apply the exec log: it is unfit to serve and must be replaced. Also thrown,
     * as no failure of its own ({@link #failed}), by a context whose exec log was replaced under it.
     */
    static final class ReplayFailedException extends PyUnavailableException {
        private static final long serialVersionUID = 1L;
        /** False when the context is sound but ran exec code the runtime's log no longer holds. */
        final boolean failed;

        ReplayFailedException(String message, Throwable cause) {
            this(message, cause, true);
        }

        private ReplayFailedException(String message, Throwable cause, boolean failed) {
            super(message);
            if (cause != null) {
                initCause(cause);
            }
            this.failed = failed;
        }

        /** {@code context} ran exec code of a log version that was replaced since (see {@link ExecLog#replace}). */
        static ReplayFailedException logReplaced(String context) {
            return new ReplayFailedException(context + " ran exec code that the runtime's exec log no longer holds"
                    + " (it was replaced after a split-brain merge), so it restarts", null, false);
        }
    }
}
