package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.hzpy.PyCancelledException;
import org.hzpy.PyContext;
import org.hzpy.PyException;
import org.hzpy.PyResourceException;
import org.hzpy.PySandboxException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;
import org.hzpy.PythonException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One Python context and everything needed to run calls in it. Entry is controlled by the
 * {@link Router}: {@link #lock} in ISOLATED mode (one thread at a time, reentrant for nested
 * calls), {@link #slots} in SHARED mode (up to {@code executors} threads). Every piece of Python
 * that runs for a call (the call, its conversions, the description of its error, the replay of
 * exec code) runs inside a {@link CallFrame} the watchdog can see. No {@link Value} leaves this
 * class except to {@link Conversions}.
 */
final class Worker implements PyContext {
    private static final ILogger LOGGER = Logger.getLogger(Worker.class);
    private static final int WARM_UP_CALLS_PER_SLICE = 100;
    private static final int MAX_CALL_SITES = 1024;

    /** How GraalPy words the host operations a strict context refuses. */
    private static final Pattern SANDBOX_DENIAL = Pattern.compile(
            "SecurityException|is not allowed|not allowed\\.|Native access not allowed|was excluded|UnsupportedPosixFeature");

    final int index;
    final ReentrantLock lock = new ReentrantLock();
    final Semaphore slots;
    /** The router generation (its workers array) this worker was started for. */
    final Worker[] generation;

    private final Context context;
    private final Limits limits;
    private final Value invoke;
    private final Value makeCallSite;
    /** Call sites by module and function; dropped when module scopes change (their modules may go). */
    private final Map<CallSiteKey, Value> callSites = new ConcurrentHashMap<>();
    private final Value invokeKw;
    private final Value invokeWithin;
    private final Value eval;
    private final Value exec;
    private final Value checkSyntax;
    private final Value describe;
    private final Conversions conversions;
    private final Value warmUp;
    private final Value trainJson;
    private final Value warmImports;
    private final Value syncScopes;
    private final Value gcCounts;
    private final Value useJsonDecoder;
    /** The scanner json.loads uses here: "native" or "python" (hzpy.json-decoder, or json's training). */
    private volatile String jsonDecoder = "native";

    /** Frames of the calls running in this context, per thread; guarded by {@link #guard}. */
    private final Map<Thread, CallFrame> running = new HashMap<>();
    private final Object guard = new Object();
    /** True while the watchdog's interrupt of this context is in flight; guarded by {@link #guard}. */
    private boolean interrupting;
    /** Serializes exec replay with exec-and-record (several threads share a SHARED-mode context). */
    private final ReentrantLock catchUpLock = new ReentrantLock();
    private volatile int appliedExecs;
    /** The {@link ModuleScopes} version this context last synced to. */
    private volatile long scopesSeen;
    private volatile boolean ready;
    private volatile boolean warm;
    private long callsStarted; // guarded by guard
    private volatile boolean closed;
    /** Taken out of service by its router (a failed replay): it serves nothing more. */
    private volatile boolean retired;

    /** Starts the context and loads the helpers. Runs on an init thread. */
    Worker(int index, Worker[] generation, Context context, int executors, Limits limits,
            HostFunctions hostFunctions) {
        this.index = index;
        this.generation = generation;
        this.context = context;
        this.limits = limits;
        this.slots = new Semaphore(executors);
        Value helpers = PythonHelpers.load(context);
        invoke = helpers.getMember("invoke");
        makeCallSite = helpers.getMember("call_site");
        invokeKw = helpers.getMember("invoke_kw");
        invokeWithin = helpers.getMember("invoke_within");
        eval = helpers.getMember("eval_");
        exec = helpers.getMember("exec_");
        checkSyntax = helpers.getMember("check_syntax");
        describe = helpers.getMember("describe");
        conversions = new Conversions(helpers);
        warmUp = helpers.getMember("warm_up");
        warmImports = helpers.getMember("warm_imports");
        trainJson = helpers.getMember("train_json");
        syncScopes = helpers.getMember("sync_scopes");
        gcCounts = helpers.getMember("gc_counts");
        useJsonDecoder = helpers.getMember("json_decoder");
        helpers.getMember("install_hzpy").execute((ProxyExecutable) arguments -> hostCall(hostFunctions, arguments));
    }

    /** How many calls (and other frames) have started here: json's training looks for idle contexts by it. */
    long callsStarted() {
        synchronized (guard) {
            return callsStarted;
        }
    }

    /**
     * Whether a call runs here now (a moment's answer, for the meters). The warm-up and json's
     * training hold the context too, but they are not calls: they make way for calls.
     */
    boolean busy() {
        synchronized (guard) {
            return !running.isEmpty();
        }
    }

    /** The innermost call the current thread runs here, or null. Its {@code outer} links are fixed once pushed. */
    private CallFrame currentFrame() {
        synchronized (guard) {
            return running.get(Thread.currentThread());
        }
    }

    /** When the call the current thread runs here must end (its innermost frame's deadline). */
    long currentDeadline() {
        CallFrame f = currentFrame();
        return f == null ? System.nanoTime() + Limits.MAX_TIMEOUT_NANOS : f.deadlineNanos;
    }

    /**
     * How long a Java function called from {@code frame} may wait: to its deadline if it stops
     * itself (a nested call: Python gets a catchable TimeoutError, as its trace hook would raise),
     * else a little past it, so that the watchdog's interrupt ends the wait and the call fails as
     * any timed-out call does.
     */
    private static long hostWaitDeadline(CallFrame frame) {
        if (frame == null) {
            return System.nanoTime() + Limits.MAX_TIMEOUT_NANOS;
        }
        return frame.stopsItself ? frame.deadlineNanos : frame.deadlineNanos + HOST_WAIT_PAST_DEADLINE_NANOS;
    }

    /**
     * Python's way into Java ({@code hzpy.*}): arguments[0] names the function. Answers
     * [True, result] or [False, Python exception type, message]; never throws into Python.
     */
    private Object hostCall(HostFunctions functions, Value[] arguments) {
        try {
            CallFrame frame = currentFrame();
            int depth = 0;
            for (CallFrame f = frame; f != null; f = f.outer) {
                depth++;
            }
            int allowed = StackBudget.nestingAllowed();
            if (depth >= allowed) { // refused before the stack runs out: an overflow can break GraalPy for the whole JVM
                return conversions.toPython(List.of(false, "RecursionError", "Python -> Java -> Python nesting "
                        + depth + " levels deep is as deep as the stack of thread '" + Thread.currentThread().getName()
                        + "' allows (" + allowed + " levels); nest less deeply, or start the call with callAsync, which runs on"
                        + " hzpy's threads (" + StackBudget.nestingOnHzpyThreads() + " levels)"));
            }
            String name = arguments[0].asString();
            List<Object> args = new ArrayList<>(arguments.length - 1);
            for (int i = 1; i < arguments.length; i++) {
                args.add(conversions.toJava(arguments[i]));
            }
            return conversions.toPython(Arrays.asList(true, functions.apply(name, args, hostWaitDeadline(frame))));
        } catch (RuntimeException e) {
            if (e instanceof PolyglotException p && (p.isCancelled() || p.isInterrupted() || p.isResourceExhausted())) {
                throw p; // a stop of this context, not the function's failure
            }
            return conversions.toPython(List.of(false, HostFunctions.pythonTypeOf(e), HostFunctions.messageOf(e)));
        } catch (StackOverflowError e) { // Python -> Java -> Python nesting deeper than this thread's stack
            return conversions.toPython(List.of(false, "RecursionError", stackUsedUp()));
        }
    }

    /** The slow, indivisible part of the warm-up: imports (seconds in a fresh context). */
    void warmUpImports() {
        warmImports.execute();
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
        return conversions.toJava(result);
    }

    /** module.function(*args), through its call site when it has one. */
    private Value invokePlain(String module, String function, Object[] args) {
        Value site = callSite(module, function);
        return site != null ? site.execute(conversions.toPythonArgs(args, 0))
                : invoke.execute(conversions.toPythonArgs(args, 2, module, function));
    }

    /**
     * The {@code call_site} of module.function, made on its first call here; null once
     * {@link #MAX_CALL_SITES} are kept (further functions go through {@code invoke}, which needs no
     * compiling per function).
     */
    private Value callSite(String module, String function) {
        CallSiteKey key = new CallSiteKey(module, function);
        Value site = callSites.get(key);
        if (site == null && callSites.size() < MAX_CALL_SITES) {
            site = makeCallSite.execute(module, function); // imports the module: its errors are the call's
            Value earlier = callSites.putIfAbsent(key, site);
            site = earlier != null ? earlier : site;
        }
        return site;
    }

    private record CallSiteKey(String module, String function) {
    }

    /** Python's gc.get_count() here. Caller holds entry, inside a frame. */
    Object gcCounts() {
        return conversions.toJava(gcCounts.execute());
    }

    Object eval(String expression, Map<String, ?> locals) {
        return conversions.toJava(eval.execute(expression, conversions.toPython(locals)));
    }

    private void exec(String source) {
        checkSyntax.execute(source);
        exec.execute(source);
    }

    // ------------------------------------------------------------------ exec log

    /** Whether this context has code from {@code exec} still to apply. */
    boolean isBehind(ExecLog log) {
        return appliedExecs < log.size();
    }

    /**
     * Applies the exec code this context has not run yet, each entry exactly once and in order,
     * each under a frame and deadline of its own (never a caller's). A replay that fails or is
     * interrupted leaves the context half-defined: it is then unfit, and the caller must retire it
     * ({@link ReplayFailedException}); a fresh context replays from the start.
     *
     * @return how many entries were applied
     */
    int catchUp(ExecLog log) {
        if (appliedExecs >= log.size()) {
            return 0;
        }
        lockCatchUp(log);
        try {
            int applied = 0;
            while (appliedExecs < log.size()) {
                int n = appliedExecs;
                ExecLog.Entry entry = log.get(n);
                long timeoutNanos = entry.timeoutNanos;
                CallFrame frame = new CallFrame(Thread.currentThread(), System.nanoTime() + timeoutNanos,
                        TimeUnit.NANOSECONDS.toMillis(timeoutNanos), "the replay of exec #" + (n + 1), null);
                try {
                    run(frame, w -> {
                        w.exec.execute(entry.source);
                        return null;
                    });
                } catch (RuntimeException e) {
                    throw new ReplayFailedException("context " + index + " could not replay exec #" + (n + 1)
                            + " and was discarded: " + e.getMessage(), e);
                }
                appliedExecs = n + 1;
                applied++;
            }
            return applied;
        } finally {
            catchUpLock.unlock();
        }
    }

    // ------------------------------------------------------------------ module scopes

    /** Whether module scopes opened or closed since this context last looked. */
    boolean scopesBehind(ModuleScopes scopes) {
        return scopesSeen != scopes.version();
    }

    /**
     * Tells this context the live module scopes: closed ones' modules are dropped, new ones become
     * importable. A failure leaves the context's imports in doubt: it is then unfit
     * ({@link ReplayFailedException}).
     */
    void syncScopes(ModuleScopes scopes) {
        ModuleScopes.Snapshot snapshot = scopes.snapshot();
        Map<String, Object> dirs = new HashMap<>();
        snapshot.scopes().forEach((name, dir) -> dirs.put(name, dir.toString()));
        long timeoutNanos = Limits.SCOPE_SYNC_TIMEOUT.toNanos();
        CallFrame frame = new CallFrame(Thread.currentThread(), System.nanoTime() + timeoutNanos,
                Limits.SCOPE_SYNC_TIMEOUT.toMillis(), "the update of module scopes", null);
        try {
            run(frame, w -> {
                syncScopes.execute(conversions.toPython(dirs));
                callSites.clear();
                return null;
            });
        } catch (RuntimeException e) {
            throw new ReplayFailedException("context " + index + " could not update its module scopes and was discarded: "
                    + e.getMessage(), e);
        }
        scopesSeen = snapshot.version();
    }

    /**
     * Runs exec code here and records it in the log, atomically with respect to catch-up (so no
     * thread of a SHARED context replays what this one just ran). Runs inside the caller's frame.
     */
    void execAndRecord(String source, long timeoutNanos, ExecLog log) {
        lockCatchUp(log);
        try {
            catchUp(log); // an exec from another context may have landed since the caller caught up
            exec(source);
            log.append(source, timeoutNanos);
            appliedExecs = log.size();
        } finally {
            catchUpLock.unlock();
        }
    }

    /** Bounded: another thread of a SHARED context may be replaying; it has at most its entries' timeouts. */
    private void lockCatchUp(ExecLog log) {
        long waitNanos = limits.catchUpLockSlackNanos;
        for (int i = appliedExecs; i < log.size(); i++) {
            waitNanos = Limits.saturatedAdd(waitNanos, log.get(i).timeoutNanos);
        }
        try {
            if (!catchUpLock.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
                throw new PyTimeoutException("context " + index + " was busy replaying exec code for longer than "
                        + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyUnavailableException("interrupted while waiting for context " + index + " to replay exec code");
        }
    }

    // ------------------------------------------------------------------ running a frame

    /**
     * Runs {@code op} as one unit of Python work: visible to the watchdog until it returns, and
     * every Python failure translated into an hzpy exception while still inside the frame, because
     * describing an error runs Python too ({@code str(exc)}, the traceback).
     */
    <T> T run(CallFrame frame, Function<Worker, T> op) {
        push(frame);
        try {
            T result = op.apply(this);
            if (frame.stopped != null) {
                throw stoppedLate(frame);
            }
            return result;
        } catch (PolyglotException e) {
            throw translate(e, frame);
        } finally {
            pop(frame);
            if (frame.stopped != null) {
                Thread.interrupted(); // set by the watchdog's interrupt, not by the caller
            }
        }
    }

    private void push(CallFrame frame) {
        synchronized (guard) {
            // An interrupt in flight hits every thread in the context: a new call waits it out
            // (bounded) instead of being hit by a stop meant for a call that just finished.
            long waitUntil = 0; // read the clock only when an interrupt is in flight
            while (interrupting && !closed) {
                if (waitUntil == 0) {
                    waitUntil = System.nanoTime() + limits.interruptGateNanos;
                }
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(guard, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PyUnavailableException("interrupted while context " + index + " was being interrupted");
                }
            }
            callsStarted++;
            CallFrame outer = running.get(frame.thread);
            if (outer != null && outer.stoppedHereOrOuter() != null) {
                throw new PyTimeoutException(frame.what() + " was not started because the call it is nested in was stopped ("
                        + outer.stoppedHereOrOuter().name().toLowerCase() + ")");
            }
            if (frame.token == null && outer != null) {
                frame.token = outer.token; // a nested call is part of its caller's call: the same cancel stops it
            }
            if (frame.token != null && frame.token.isCancelled()) { // the last check before Python: a cancel that landed
                throw new PyCancelledException(frame.what() + " was cancelled by its caller before it started"); // any earlier is never lost
            }
            frame.outer = outer;
            running.put(frame.thread, frame);
        }
    }

    private void pop(CallFrame frame) {
        synchronized (guard) {
            if (frame.outer == null) {
                running.remove(frame.thread);
            } else {
                running.put(frame.thread, frame.outer);
            }
        }
    }

    // ------------------------------------------------------------------ failures

    /** The hzpy exception for a failure of the Python code running in {@code frame}. Runs inside the frame. */
    RuntimeException translate(PolyglotException e, CallFrame frame) {
        if (e.isCancelled() && frame.stopped != null) { // given up (hzpy.abandon-after) and closed under it
            return interrupted(frame);
        }
        if (e.isCancelled() || closed) {
            return new PyUnavailableException(frame.what() + " was cancelled: its Python context was closed while it ran"
                    + " (router stopped, context replaced, or member shutting down)");
        }
        if (e.isInterrupted()) {
            return interrupted(frame);
        }
        if (e.isHostException()) {
            Throwable host = e.asHostException();
            return host instanceof RuntimeException ? (RuntimeException) host
                    : new PyException("Java code called from Python failed: " + host, host);
        }
        if (e.isInternalError()) {
            String message = String.valueOf(e.getMessage());
            if (SANDBOX_DENIAL.matcher(message).find()) {
                // GraalPy reports denied host operations (processes, threads, sockets) this way.
                return new PySandboxException("Python code attempted an operation the sandbox denies: " + message
                        + " (wider access is an explicit setting: hzpy.sandbox=trusted)");
            }
            if (message.contains("ThreadDeath")) {
                return new PythonException("SystemExit", "Python tried to end its thread (os._exit or similar);"
                        + " hzpy does not let Python end the member process", message);
            }
            return new PyException("GraalPy failed internally: " + message, e);
        }
        if (e.isResourceExhausted()) {
            return new PyResourceException("Python exhausted a resource: " + e.getMessage());
        }
        if (e.isExit()) { // SystemExit is caught by the helpers; this is what escapes them
            return new PythonException("SystemExit", String.valueOf(e.getExitStatus()), String.valueOf(e.getMessage()));
        }
        Value guest = e.getGuestObject();
        if (guest != null && !guest.isNull()) {
            try {
                Value d = describe.execute(guest);
                String type = d.getArrayElement(0).asString();
                if (frame.stopsItself && type.endsWith("NestedTimeout")) {
                    return new PyTimeoutException(frame.what() + " did not finish within " + frame.timeoutMillis
                            + " ms and was stopped (its outer call runs on)");
                }
                return new PythonException(type, d.getArrayElement(1).asString(), d.getArrayElement(2).asString());
            } catch (PolyglotException describeFailed) {
                if (describeFailed.isInterrupted() || describeFailed.isCancelled()) {
                    RuntimeException stop = interrupted(frame);
                    return stop instanceof PyTimeoutException
                            ? new PyTimeoutException(frame.what() + " raised an exception that could not be described within "
                                    + frame.timeoutMillis + " ms (its __str__ or traceback formatting did not return)"
                                    + " and was interrupted")
                            : stop;
                }
                // fall through to the polyglot message
            }
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("StackOverflowError")) { // too deep for this thread's stack to even describe
            return new PythonException("RecursionError", stackUsedUp(), message);
        }
        java.util.regex.Matcher typed = TYPED_MESSAGE.matcher(message); // GraalPy's own "Type: message"
        if (typed.matches()) {
            return new PythonException(typed.group(1), typed.group(2), message);
        }
        return new PythonException("Exception", message, message);
    }

    private static final long NESTED_STOP_GRACE_NANOS = Limits.NESTED_STOP_GRACE.toNanos();
    /** Beyond a call's deadline, how long a Java function it called may still wait: the watchdog interrupts first. */
    private static final long HOST_WAIT_PAST_DEADLINE_NANOS = Limits.NESTED_STOP_GRACE.toNanos() * 2;
    private static final Pattern TYPED_MESSAGE = Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*): (.*)", Pattern.DOTALL);

    /** Why a call failed when Python -> Java -> Python nesting used up its thread's stack. */
    private static String stackUsedUp() {
        return "maximum recursion depth exceeded: the stack of thread '" + Thread.currentThread().getName()
                + "' is used up by Python -> Java -> Python nesting; nest less deeply, or call from a thread with a"
                + " bigger stack (callAsync runs on hzpy's threads, 16 MB each)";
    }

    /** A frame the watchdog stopped whose Python returned anyway (the interrupt could not reach it in time). */
    private RuntimeException stoppedLate(CallFrame frame) {
        String late = " (it was inside an operation Python's interrupt cannot reach, such as one long builtin"
                + " computation); its late result was discarded";
        switch (frame.stopped) {
            case CANCELLED:
                return new PyCancelledException(frame.what() + " was cancelled by its caller" + late);
            case MEMORY:
                return new PyResourceException(frame.what() + " was stopped by the memory guard" + late + ": "
                        + limits.memoryGuardDescription());
            default:
                if (frame.outermost().abandoned) {
                    return new PyTimeoutException(frame.abandonedMessage() + "; its late result was discarded");
                }
                return new PyTimeoutException(frame.what() + " did not finish within " + frame.timeoutMillis + " ms" + late);
        }
    }

    private RuntimeException interrupted(CallFrame frame) {
        CallFrame.Stop stop = frame.stopped;
        if (stop == null && frame.outer != null) {
            stop = frame.outer.stoppedHereOrOuter();
            if (stop == CallFrame.Stop.TIMEOUT) {
                return new PyTimeoutException(frame.what() + " was interrupted because the call it is nested in timed out");
            }
        }
        if (stop == null && frame.nestedOverran != null) {
            return new PyTimeoutException(frame.what() + " was interrupted because " + frame.nestedOverran + ", nested in it,"
                    + " did not stop at its timeout (it caught the stop, or sat in a builtin) and the interrupt that"
                    + " stopped it stops the calls it is nested in too");
        }
        if (stop == null) {
            return new PyTimeoutException(frame.what() + " was interrupted because another call sharing this context"
                    + " (SHARED mode) timed out or was cancelled");
        }
        switch (stop) {
            case CANCELLED:
                return new PyCancelledException(frame.what() + " was cancelled by its caller and interrupted");
            case MEMORY:
                return new PyResourceException(frame.what() + " was interrupted by the memory guard: "
                        + limits.memoryGuardDescription());
            default:
                if (frame.outermost().abandoned) {
                    return new PyTimeoutException(frame.abandonedMessage());
                }
                return new PyTimeoutException(frame.what() + " did not finish within " + frame.timeoutMillis
                        + " ms and was interrupted");
        }
    }

    // ------------------------------------------------------------------ watchdog side

    /**
     * Marks the frames that must stop (past their deadline, cancelled, or all of them when
     * {@code memory} is set) and says whether to interrupt the context. Quick, and the only
     * part under {@link #guard}: the interrupt itself runs outside it ({@link #interruptNow}).
     * Called by the watchdog thread only.
     */
    boolean markStops(long now, boolean memory) {
        synchronized (guard) {
            if (interrupting || closed || running.isEmpty()) {
                return false;
            }
            boolean interrupt = false;
            for (CallFrame top : running.values()) {
                for (CallFrame f = top; f != null; f = f.outer) {
                    CallFrame.Stop why = memory ? CallFrame.Stop.MEMORY
                            : f.token != null && f.token.isCancelled() ? CallFrame.Stop.CANCELLED
                            : now - f.deadlineNanos >= 0 ? CallFrame.Stop.TIMEOUT : null;
                    if (why == CallFrame.Stop.TIMEOUT && f.stopsItself) {
                        if (now - f.deadlineNanos < NESTED_STOP_GRACE_NANOS) {
                            why = null; // Python stops it; an interrupt would unwind its outer call too
                        } else {
                            for (CallFrame o = f.outer; o != null; o = o.outer) {
                                o.nestedOverran = f.what(); // the interrupt will reach them: say why
                            }
                        }
                    }
                    if (why != null && (f.stopped == null || now - f.lastInterruptNanos >= limits.reinterruptNanos)) {
                        if (f.stopped == null) {
                            f.stopped = why;
                            f.firstInterruptNanos = now;
                        }
                        f.lastInterruptNanos = now;
                        interrupt = true;
                    }
                }
            }
            interrupting = interrupt;
            return interrupt;
        }
    }

    /**
     * The outermost frames of the threads here that have ignored their interrupts for longer than
     * {@code hzpy.abandon-after}: a builtin operation that never checks for an interrupt (e.g.
     * a huge {@code 3 ** n}). Each is reported once. Called by the watchdog thread only.
     */
    List<CallFrame> framesBeyondRescue(long now) {
        synchronized (guard) {
            List<CallFrame> lost = null;
            for (CallFrame top : running.values()) {
                for (CallFrame f = top; f != null; f = f.outer) {
                    if (f.stopped != null && now - f.firstInterruptNanos >= limits.abandonAfterNanos) {
                        CallFrame bottom = top.outermost();
                        if (!bottom.abandoned) {
                            bottom.abandoned = true;
                            if (lost == null) {
                                lost = new ArrayList<>();
                            }
                            lost.add(bottom);
                        }
                        break;
                    }
                }
            }
            return lost == null ? List.of() : lost;
        }
    }

    /** Interrupts the Python code running here; pair with a true {@link #markStops}. Never holds the guard. */
    void interruptNow() {
        try {
            context.interrupt(limits.interruptWait);
        } catch (TimeoutException e) {
            // a thread is in host code; the next tick tries again
        } catch (RuntimeException e) {
            // context closing concurrently: nothing left to interrupt
        } finally {
            synchronized (guard) {
                interrupting = false;
                guard.notifyAll();
            }
        }
    }

    boolean isRunningCalls() {
        synchronized (guard) {
            return !running.isEmpty();
        }
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
        synchronized (guard) {
            closed = true;
            guard.notifyAll();
        }
        Limits.closeWithin(this::closeNow, "hzpy context " + index);
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

    /** A context could not apply the exec log: it is unfit to serve and must be replaced. */
    static final class ReplayFailedException extends PyUnavailableException {
        private static final long serialVersionUID = 1L;

        ReplayFailedException(String message, Throwable cause) {
            super(message);
            if (cause != null) {
                initCause(cause);
            }
        }
    }
}
