package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.runtime.PythonRuntime;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The one entry point of hzpy: run Python on a Hazelcast member.
 *
 * <pre>{@code
 * Py py = Py.on(hazelcastInstance);
 * Object r = py.call("math", "sqrt", 16);      // 4.0
 * py.exec("def double(x):\n    return x * 2");
 * py.call("__main__", "double", 21);          // 42L
 * }</pre>
 *
 * Arguments and results are converted exactly (see docs/type-conversion.md); failures are
 * {@link PyException}s: {@link PythonException}, {@link PyTimeoutException},
 * {@link OverloadedException}, {@link PyConversionException}, {@link PySandboxException},
 * {@link PyResourceException}, {@link PyCancelledException}, {@link PyUnavailableException}. Thread-safe: share one instance freely.
 */
public final class Py {
    private final PythonRuntime runtime;

    private Py(PythonRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * hzpy on a member that loads the plugin from its configuration.
     *
     * @throws PyUnavailableException if the plugin is not loaded on {@code instance} or it is not running
     */
    public static Py on(HazelcastInstance instance) {
        Objects.requireNonNull(instance, "instance");
        if (!instance.getLifecycleService().isRunning()) {
            throw new PyUnavailableException(instance.getName() + " is not running");
        }
        Object runtime = instance.getUserContext().get(HzpyPlugin.USER_CONTEXT_KEY);
        if (!(runtime instanceof PythonRuntime)) {
            throw new PyUnavailableException("hzpy is not loaded on " + instance.getName() + ": add "
                    + HzpyPlugin.class.getName() + " under 'listeners:' in its hazelcast.yaml");
        }
        return new Py((PythonRuntime) runtime);
    }

    /** Calls {@code module.function(*args)} with the member's default timeout and returns its result. */
    public Object call(String module, String function, Object... args) {
        return call(PyCall.of(module, function, args));
    }

    /** Runs {@code call} and returns its result. */
    public Object call(PyCall call) {
        Objects.requireNonNull(call, "call");
        return runtime.call(call.module(), call.function(), call.argsArray(), call.kwargs(), call.timeout());
    }

    /**
     * Runs {@code call} on one of hzpy's threads. A full concurrency limit fails the returned stage
     * at once with {@link OverloadedException}; the timeout counts from this method's call.
     * Cancelling the stage ({@code toCompletableFuture().cancel(true)}) interrupts the Python code
     * and frees its permit; the context stays usable. If the member shuts down first, the stage
     * fails with {@link PyUnavailableException}.
     */
    public CompletionStage<Object> callAsync(PyCall call) {
        Objects.requireNonNull(call, "call");
        return runtime.callAsync(call.module(), call.function(), call.argsArray(), call.kwargs(), call.timeout());
    }

    /** Evaluates a Python expression in {@code __main__}; {@code eval("1 + 1")} is {@code 2L}. */
    public Object eval(String expression) {
        return eval(expression, null);
    }

    /** Evaluates a Python expression with these extra local variables. */
    public Object eval(String expression, Map<String, ?> locals) {
        return eval(expression, locals, null);
    }

    /** Evaluates a Python expression with these locals (may be null) and its own timeout (null: the default). */
    public Object eval(String expression, Map<String, ?> locals, Duration timeout) {
        Objects.requireNonNull(expression, "expression");
        return runtime.eval(expression, locals, checkTimeout(timeout));
    }

    /**
     * Runs Python statements in {@code __main__} of every context of this member, each exactly
     * once: now in one context, and in each other context (including ones started later) before
     * it next serves a call. Definitions are then callable as {@code call("__main__", name)}.
     * A syntax or runtime error is thrown here and the code is not recorded.
     */
    public void exec(String code) {
        exec(code, null);
    }

    /** {@link #exec(String)} with its own timeout for the first context (null: the default). */
    public void exec(String code, Duration timeout) {
        Objects.requireNonNull(code, "code");
        runtime.exec(code, checkTimeout(timeout));
    }

    private static Duration checkTimeout(Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return timeout;
    }

    public ExecutionMode executionMode() {
        return runtime.executionMode();
    }

    /** Threads that may run Python at once: contexts in ISOLATED mode, {@code hzpy.executors} in SHARED. */
    public int numExecutors() {
        return runtime.numExecutors();
    }

    /** The member's concurrency limit. */
    public PySemaphore semaphore() {
        return runtime.semaphore();
    }

    /** The member's contexts and how calls are routed to them. */
    public ContextRouter contexts() {
        return runtime.router();
    }

    /** Whether GraalPy runs with the Graal JIT here; false means interpreter only (slow). */
    public boolean jitActive() {
        return runtime.jitActive();
    }

    /** The polyglot engine's implementation name, e.g. "GraalVM CE" or "Interpreted". */
    public String engineImplementation() {
        return runtime.engineImplementation();
    }

    /** The settings the member started with. */
    public HzpySettings settings() {
        return runtime.settings();
    }

    /** Counters of what the runtime did to stay healthy (exec replays, context restarts, memory-guard trips). */
    public PyStats stats() {
        return runtime.stats();
    }

    /** Waits until {@code contexts} contexts are started and warm; false if not within {@code timeout}. */
    public boolean awaitReady(int contexts, Duration timeout) {
        return runtime.awaitReady(contexts, timeout);
    }
}
