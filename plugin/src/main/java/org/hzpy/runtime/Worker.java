package org.hzpy.runtime;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.hzpy.PyContext;
import org.hzpy.PyException;
import org.hzpy.PySandboxException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;
import org.hzpy.PythonException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.function.Function;

/**
 * One Python context and everything needed to run calls in it. Entry is controlled by the
 * {@link Router}: {@link #lock} in ISOLATED mode (one thread at a time, reentrant for nested
 * calls), {@link #slots} in SHARED mode (up to {@code executors} threads). No {@link Value} leaves
 * this class except to {@link Conversions}.
 */
final class Worker implements PyContext {
    private static final String HELPERS_RESOURCE = "/org/hzpy/python/_hzpy_internal.py";
    private static final String HELPERS_SOURCE = readResource(HELPERS_RESOURCE);
    private static final int WARM_UP_CALLS_PER_SLICE = 100;
    /**
     * How long the watchdog waits for an interrupted thread to stop. If it does not (a thread in
     * host code, or a starved CPU), Truffle drops the interrupt and the watchdog retries later;
     * too short a wait lost interrupts of sleeping threads on a loaded 2-core machine.
     */
    private static final Duration INTERRUPT_WAIT = Duration.ofMillis(500);
    private static final long REINTERRUPT_NANOS = Duration.ofMillis(100).toNanos();

    /** How GraalPy words the host operations a strict context refuses. */
    private static final Pattern SANDBOX_DENIAL = Pattern.compile(
            "SecurityException|is not allowed|not allowed\\.|was excluded|UnsupportedPosixFeature");

    final int index;
    final ReentrantLock lock = new ReentrantLock();
    final Semaphore slots;

    private final Context context;
    private final boolean ownsEngine;
    private final Value invoke;
    private final Value invokeKw;
    private final Value eval;
    private final Value exec;
    private final Value checkSyntax;
    private final Value describe;
    private final Conversions conversions;
    private final Value warmUp;
    private final Value warmImports;

    /** Frames of calls running in this context, per thread; guarded by {@link #guard}. */
    private final Map<Thread, CallFrame> running = new HashMap<>();
    private final Object guard = new Object();
    private final Object catchUpLock = new Object();
    private volatile int appliedExecs;
    private volatile boolean ready;
    private volatile boolean warm;
    private volatile boolean closed;

    /** Starts the context and loads the helpers. Runs on an init thread. */
    Worker(int index, Context context, boolean ownsEngine, int executors) {
        this.index = index;
        this.context = context;
        this.ownsEngine = ownsEngine;
        this.slots = new Semaphore(executors);
        context.getBindings("python").putMember("_hzpy_src", HELPERS_SOURCE);
        Value helpers = context.eval("python",
                "import sys as _s, types as _t\n"
                        + "_m = _t.ModuleType('_hzpy_internal')\n"
                        + "_m.__file__ = '" + HELPERS_RESOURCE + "'\n"
                        + "exec(compile(_hzpy_src, '" + HELPERS_RESOURCE + "', 'exec'), _m.__dict__)\n"
                        + "_s.modules['_hzpy_internal'] = _m\n"
                        + "del _s, _t, _m, _hzpy_src\n"
                        + "__import__('_hzpy_internal')");
        invoke = helpers.getMember("invoke");
        invokeKw = helpers.getMember("invoke_kw");
        eval = helpers.getMember("eval_");
        exec = helpers.getMember("exec_");
        checkSyntax = helpers.getMember("check_syntax");
        describe = helpers.getMember("describe");
        conversions = new Conversions(helpers);
        warmUp = helpers.getMember("warm_up");
        warmImports = helpers.getMember("warm_imports");
    }

    /** The slow, indivisible part of the warm-up: imports (seconds in a fresh context). */
    void warmUpImports() {
        warmImports.execute();
    }

    /**
     * One slice of the start-up warm-up: the call path, the conversions and some common library
     * code. The caller holds entry, so user calls interleave with the slices.
     */
    void warmUpSlice() {
        warmUp.execute(50);
        Object[] args = {1L, "text", 2.5, List.of(1L, "a"), Map.of("k", 1L)};
        for (int i = 0; i < WARM_UP_CALLS_PER_SLICE; i++) {
            conversions.toJava(invoke.execute(conversions.toPythonArgs(args, 2, "_hzpy_internal", "make_list")));
        }
    }

    // ------------------------------------------------------------------ operations (caller holds entry)

    Object call(String module, String function, Object[] args, Map<String, Object> kwargs) {
        Value result;
        if (kwargs == null || kwargs.isEmpty()) {
            result = invoke.execute(conversions.toPythonArgs(args, 2, module, function));
        } else {
            result = invokeKw.execute(conversions.toPythonArgs(args, 3, module, function, conversions.toPython(kwargs)));
        }
        return conversions.toJava(result);
    }

    Object eval(String expression, Map<String, ?> locals) {
        return conversions.toJava(eval.execute(expression, conversions.toPython(locals)));
    }

    void exec(String source) {
        checkSyntax.execute(source);
        exec.execute(source);
    }

    /**
     * Applies code from {@link org.hzpy.Py#exec} that this context has not run yet, each piece
     * exactly once and in order.
     */
    void catchUp(List<String> execLog) {
        if (appliedExecs >= execLog.size()) {
            return;
        }
        synchronized (catchUpLock) {
            while (appliedExecs < execLog.size()) {
                int n = appliedExecs;
                appliedExecs = n + 1; // once, even if it fails: a replay would repeat side effects
                try {
                    exec.execute(execLog.get(n));
                } catch (PolyglotException e) {
                    RuntimeException t = translate(e, null);
                    if (!(t instanceof PythonException)) {
                        throw e; // interrupted or cancelled: the caller's frame decides what it means
                    }
                    PythonException p = (PythonException) t;
                    throw new PythonException(p.pythonType(), "code from exec #" + (n + 1)
                            + " failed when replayed in context " + index + ": " + p.message(), p.traceback());
                }
            }
        }
    }

    /** Runs exec code here and records it in the log, atomically with respect to catch-up. */
    void execAndRecord(String source, List<String> execLog) {
        synchronized (catchUpLock) {
            catchUp(execLog);
            exec(source);
            execLog.add(source);
            appliedExecs = execLog.size();
        }
    }

    /**
     * Runs {@code op} as one call: visible to the watchdog until it returns, every Python failure
     * translated into an hzpy exception.
     */
    <T> T run(CallFrame frame, Function<Worker, T> op) {
        push(frame);
        PolyglotException failure;
        try {
            return op.apply(this);
        } catch (PolyglotException e) {
            failure = e;
        } finally {
            pop(frame);
            if (frame.timedOut) {
                Thread.interrupted(); // set by the watchdog's interrupt, not by the caller
            }
        }
        if (failure.isInterrupted()) {
            Thread.interrupted();
        }
        throw translate(failure, frame);
    }

    private void push(CallFrame frame) {
        synchronized (guard) {
            frame.outer = running.put(frame.thread, frame);
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

    RuntimeException translate(PolyglotException e, CallFrame frame) {
        if (e.isCancelled() || closed) {
            return new PyUnavailableException("the Python context was closed while the call ran (router stopped or member shutting down)");
        }
        if (e.isInterrupted()) {
            if (frame != null && frame.timedOut) {
                return new PyTimeoutException(frame.what() + " did not finish within " + frame.timeoutMillis
                        + " ms and was interrupted");
            }
            if (frame != null && frame.isTimedOutHereOrOuter()) {
                return new PyTimeoutException(frame.what() + " was interrupted because the call it is nested in timed out");
            }
            return new PyTimeoutException((frame == null ? "the call" : frame.what())
                    + " was interrupted because another call sharing this context (SHARED mode) timed out");
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
            return new PyException("GraalPy failed internally: " + message, e);
        }
        if (e.isResourceExhausted()) {
            return new PyException("Python exhausted a resource: " + e.getMessage(), e);
        }
        if (e.isExit()) {
            return new PythonException("SystemExit", String.valueOf(e.getExitStatus()), "SystemExit: " + e.getExitStatus());
        }
        Value guest = e.getGuestObject();
        if (guest != null && !guest.isNull()) {
            try {
                Value d = describe.execute(guest);
                return new PythonException(d.getArrayElement(0).asString(), d.getArrayElement(1).asString(),
                        d.getArrayElement(2).asString());
            } catch (PolyglotException describeFailed) {
                // fall through to the polyglot message
            }
        }
        return new PythonException("Exception", String.valueOf(e.getMessage()), String.valueOf(e.getMessage()));
    }

    // ------------------------------------------------------------------ watchdog side

    /** Interrupts this context if a call in it is past its deadline. Called by the watchdog thread only. */
    void interruptOverdue(long now) {
        synchronized (guard) {
            boolean interrupt = false;
            for (CallFrame top : running.values()) {
                for (CallFrame f = top; f != null; f = f.outer) {
                    if (now - f.deadlineNanos >= 0
                            && (!f.timedOut || now - f.lastInterruptNanos >= REINTERRUPT_NANOS)) {
                        f.timedOut = true;
                        f.lastInterruptNanos = now;
                        interrupt = true;
                    }
                }
            }
            if (!interrupt || closed) {
                return;
            }
            // Under the guard: a call that finished cannot be replaced by the next one while we interrupt.
            try {
                context.interrupt(INTERRUPT_WAIT);
            } catch (TimeoutException e) {
                // the thread is in host code; the next tick tries again
            } catch (RuntimeException e) {
                // context closing concurrently: nothing left to interrupt
            }
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

    @Override
    public int index() {
        return index;
    }

    /** Cancels whatever runs and closes the context (and its engine, if it owns one). */
    void close() {
        closed = true;
        Engine engine = null;
        try {
            engine = context.getEngine();
            context.close(true);
        } catch (RuntimeException e) {
            // already closed or closing
        }
        if (ownsEngine && engine != null) {
            engine.close(true);
        }
    }

    @Override
    public String toString() {
        return "PyContext[" + index + (isReady() ? ", ready" : closed ? ", closed" : ", starting") + "]";
    }

    private static String readResource(String name) {
        try (InputStream in = Worker.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("hzpy is missing its resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
