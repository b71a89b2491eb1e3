package org.hzpy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.cluster.ClientSide;
import org.hzpy.cluster.MemberSide;
import org.hzpy.state.PyState;
import org.hzpy.cluster.RemoteRuntime;

import java.time.Duration;
import java.util.List;
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
    /** The member's own runtime and parts (hzpy-plugin's); null on a client. */
    private final MemberSide runtime;
    /** Calls that run on another member: all of a client's, a member's keyed to another member. */
    private volatile RemoteRuntime remote;
    private final HazelcastInstance instance;

    private Py(HazelcastInstance instance, MemberSide runtime) {
        this.instance = instance;
        this.runtime = runtime;
    }

    /** Made on first use: most member-side Py objects never send a call elsewhere. */
    private RemoteRuntime remote() {
        RemoteRuntime r = remote;
        if (r == null) {
            r = new RemoteRuntime(instance);
            remote = r;
        }
        return r;
    }

    /**
     * hzpy on a member that loads the plugin from its configuration, or on a client of a cluster
     * whose members do: a client's calls run on members as tasks of hzpy's executor (a keyed call
     * on the key's owner, others on each member in turn), with the same results and exceptions.
     *
     * @throws PyUnavailableException if {@code instance} is a member without the plugin, or not running
     */
    public static Py on(HazelcastInstance instance) {
        Objects.requireNonNull(instance, "instance");
        if (!instance.getLifecycleService().isRunning()) {
            throw new PyUnavailableException(instance.getName() + " is not running");
        }
        if (isClient(instance)) {
            return new Py(instance, null);
        }
        MemberSide runtime = MemberSide.of(instance);
        if (runtime == null) {
            throw new PyUnavailableException("hzpy is not loaded on " + instance.getName() + ": add "
                    + "org.hzpy.cluster.HzpyPlugin under 'listeners:' in its hazelcast.yaml");
        }
        return new Py(instance, runtime);
    }

    private static boolean isClient(HazelcastInstance instance) {
        try {
            instance.getCluster().getLocalMember();
            return false;
        } catch (UnsupportedOperationException e) { // a client has no local member
            return true;
        }
    }

    /** Whether this Py sends every call to members (it is on a client). */
    public boolean isClient() {
        return runtime == null;
    }

    /**
     * Where this member serves its meters in the Prometheus text format
     * ({@code hzpy.metrics.prometheus-port}); empty when that is off, and on a client.
     */
    public java.util.Optional<java.net.URI> prometheusEndpoint() {
        return runtime == null ? java.util.Optional.empty() : runtime.prometheusEndpoint();
    }

    /**
     * Each member's memory as hzpy sees it (contexts, JVM heap, the memory guard, Python's gc counts
     * per context), from a member or a client alike, sorted by address. A member that does not
     * answer within 10 s is left out.
     */
    public List<PyMemoryStats> memoryStats() {
        return org.hzpy.cluster.MemoryStatsTask.ofCluster(instance);
    }

    /**
     * Python code deployed to the whole cluster, versioned (see {@link PyModules}). From a client,
     * changing deployments needs {@code hzpy.remote-deploy: true} on the members.
     */
    public PyModules modules() {
        if (runtime == null) {
            return new PyModules(new org.hzpy.cluster.RemoteDeployments(instance), 0);
        }
        return new PyModules(runtime.deployments(), runtime.settings().deployMaxBytes());
    }

    /** The member or client this Py is on. */
    public HazelcastInstance instance() {
        return instance;
    }

    private boolean runsHere(PyCall call) {
        if (runtime == null) {
            return false;
        }
        if (call.key() == null) {
            return true;
        }
        Member owner = instance.getPartitionService().getPartition(call.key()).getOwner();
        return owner == null || owner.localMember();
    }

    private MemberSide local(String what) {
        if (runtime == null) {
            throw new PyUnavailableException(what + " is a member's: this Py is on a client");
        }
        return runtime;
    }

    /** Calls {@code module.function(*args)} with the member's default timeout and returns its result. */
    public Object call(String module, String function, Object... args) {
        return call(PyCall.of(module, function, args));
    }

    /** Runs {@code call} and returns its result. */
    public Object call(PyCall call) {
        Objects.requireNonNull(call, "call");
        if (!runsHere(call)) {
            return remote().call(call);
        }
        return runtime.call(call.module(), call.function(), call.argsArray(), call.kwargs(), call.timeout());
    }

    /**
     * Runs {@code call} on one of hzpy's threads, never blocking the caller. A full concurrency limit
     * fails the returned stage with {@link OverloadedException}: the member's at once, the cluster's
     * as soon as the member knows (when it must lease permits, once the lease is answered); the
     * timeout counts from this method's call.
     * Cancelling the stage ({@code toCompletableFuture().cancel(true)}) interrupts the Python code
     * and frees its permit; the context stays usable. If the member shuts down first, the stage
     * fails with {@link PyUnavailableException}.
     */
    public CompletionStage<Object> callAsync(PyCall call) {
        Objects.requireNonNull(call, "call");
        if (!runsHere(call)) {
            return remote().callAsync(call);
        }
        return runtime.callAsync(call.module(), call.function(), call.argsArray(), call.kwargs(), call.timeout());
    }

    /**
     * The items of {@code call}'s generator (or async generator, or iterable) as they are consumed,
     * {@value PyStream#DEFAULT_BATCH_SIZE} at a time: see {@link PyStream}. The stream holds a permit
     * until it ends; close it (try-with-resources) when you stop reading early.
     *
     * @throws OverloadedException when no permit is free; otherwise as {@link #call(PyCall)}
     */
    public PyStream stream(PyCall call) {
        return stream(call, PyStream.DEFAULT_BATCH_SIZE);
    }

    /** {@link #stream(PyCall)} pulling {@code batchSize} items at a time (1 to {@value PyStream#MAX_BATCH_SIZE}). */
    public PyStream stream(PyCall call, int batchSize) {
        Objects.requireNonNull(call, "call");
        PyStream.checkBatchSize(batchSize);
        if (!runsHere(call)) {
            return remote().stream(call, batchSize);
        }
        return runtime.stream(call.module(), call.function(), call.argsArray(), call.kwargs(), call.timeout(), batchSize);
    }

    /**
     * Runs {@code calls} at once across the cluster and waits for all of them: keyed calls on
     * their keys' owners, grouped so that each member gets one executor task; the others spread
     * over the members by free permits. Each member runs its share as many at a time as it has
     * contexts (executor slots in SHARED mode), the rest as those free up. Returns one
     * {@link PyOutcome} per call, in the given order: a call that fails, is refused as overloaded
     * or times out is its own outcome and sinks no other; a batch whose member left before it
     * started is sent again. Waits at most the calls' timeouts one after another (no timeout of
     * its own: 10 minutes each) plus 30 s.
     */
    public List<PyOutcome> parallel(List<PyCall> calls) {
        List<PyCall> copy = checkCalls(calls);
        return RemoteRuntime.awaitAll(startParallel(copy), copy);
    }

    /** {@link #parallel} without waiting: the stage completes with every outcome, in order; it never fails. */
    public CompletionStage<List<PyOutcome>> parallelAsync(List<PyCall> calls) {
        return startParallel(checkCalls(calls));
    }

    private java.util.concurrent.CompletableFuture<List<PyOutcome>> startParallel(List<PyCall> calls) {
        return remote().parallel(calls, runtime == null ? null
                : c -> runtime.callAsync(c.module(), c.function(), c.argsArray(), c.kwargs(), c.timeout()),
                runtime == null ? null : runtime.settings());
    }

    private static List<PyCall> checkCalls(List<PyCall> calls) {
        Objects.requireNonNull(calls, "calls");
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i) == null) {
                throw new NullPointerException("calls[" + i + "] is null");
            }
        }
        return List.copyOf(calls);
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
        if (runtime == null) {
            return remote().eval(expression, locals, checkTimeout(timeout));
        }
        return runtime.eval(expression, locals, checkTimeout(timeout));
    }

    /**
     * Runs Python statements in {@code __main__} of every context of every member of the cluster,
     * each exactly once: now in one context of one member (this one, or one chosen by a client),
     * then in each other context — on every member, including contexts started and members that
     * join later — before it next serves a call. Definitions are then callable as
     * {@code call("__main__", name)}. The cluster keeps the code in the IMap {@code hzpy.exec-log}
     * (it survives the loss of a member), at most {@code hzpy.exec-log-limit} entries. A syntax or
     * runtime error is thrown here and the code is recorded nowhere; a full log fails with
     * {@link PyResourceException}.
     */
    public void exec(String code) {
        exec(code, null);
    }

    /** {@link #exec(String)} with its own timeout for the first context (null: the default). */
    public void exec(String code, Duration timeout) {
        Objects.requireNonNull(code, "code");
        if (runtime == null) {
            remote().exec(code, checkTimeout(timeout));
            return;
        }
        runtime.exec(code, checkTimeout(timeout));
    }

    private static Duration checkTimeout(Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return timeout;
    }

    public ExecutionMode executionMode() {
        return local("executionMode()").executionMode();
    }

    /** Threads that may run Python at once: contexts in ISOLATED mode, {@code hzpy.executors} in SHARED. */
    public int numExecutors() {
        return local("numExecutors()").numExecutors();
    }

    /** The member's concurrency limit; on a client, the cluster-wide one ({@link #clusterSemaphore()}). */
    public PySemaphore semaphore() {
        if (runtime == null) {
            return clusterSemaphore();
        }
        return runtime.semaphore();
    }

    /**
     * The cluster-wide limit on running Python calls ({@code hzpy.cluster-max-concurrent}): every
     * call on any member takes a permit of it as well as one of its member's limit, and fails at
     * once with {@link OverloadedException} when either is full. Changing it is seen by every member.
     *
     * @throws PyUnavailableException if the cluster runs without one
     */
    public PySemaphore clusterSemaphore() {
        return runtime == null ? ClientSide.clusterSemaphore(instance) : runtime.clusterSemaphore();
    }

    /**
     * The state shared by every context of every member and by clients (an IMap, {@code hzpy.state-map});
     * Python reaches it as {@code hzpy.state_get/state_set/state_incr/...}.
     */
    public PyState state() {
        return runtime == null ? ClientSide.state(instance) : runtime.state();
    }

    /**
     * Makes {@code fn} callable from Python on every member as {@code hzpy.call(name, *args)}
     * (replacing this member's function of that name). It runs on the member that registered it.
     *
     * @throws PyUnavailableException on a client: Python's calls back run on members
     */
    public void registerFunction(String name, PyFunction fn) {
        local("registerFunction()").registerFunction(name, fn, this::call); // its own Python calls: this member's call()
    }

    /** Removes this member's function {@code name}; Python calling it then gets a {@code LookupError}. */
    public void unregisterFunction(String name) {
        local("unregisterFunction()").unregisterFunction(name);
    }

    /** The member's contexts and how calls are routed to them. */
    public ContextRouter contexts() {
        return local("contexts()").contexts();
    }

    /** Whether GraalPy runs with the Graal JIT here; false means interpreter only (slow). */
    public boolean jitActive() {
        return local("jitActive()").jitActive();
    }

    /** The polyglot engine's implementation name, e.g. "GraalVM CE" or "Interpreted". */
    public String engineImplementation() {
        return local("engineImplementation()").engineImplementation();
    }

    /** The settings the member started with. */
    public HzpySettings settings() {
        return local("settings()").settings();
    }

    /** Counters of what the runtime did to stay healthy (exec replays, context restarts, memory-guard trips). */
    public PyStats stats() {
        return local("stats()").stats();
    }

    /** Waits until {@code contexts} contexts are started and warm; false if not within {@code timeout}. */
    public boolean awaitReady(int contexts, Duration timeout) {
        return local("awaitReady()").awaitReady(contexts, timeout);
    }
}
