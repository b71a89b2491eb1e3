package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.ContextRouter;
import org.hzpy.ExecutionMode;
import org.hzpy.HzpySettings;
import org.hzpy.PyCall;
import org.hzpy.PyFunction;
import org.hzpy.PySemaphore;
import org.hzpy.PyStats;
import org.hzpy.PyStream;
import org.hzpy.state.PyState;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * hzpy on a member, as {@link org.hzpy.Py} uses it there: the member's own Python runtime and parts.
 * {@code hzpy-plugin} implements it and puts it in the member's {@link HazelcastInstance#getUserContext()}
 * under {@link #USER_CONTEXT_KEY} while the runtime runs; {@code Py.on(member)} finds it there, so
 * {@code Py} itself needs no GraalPy. Not for users. Implementations are thread-safe.
 */
public interface MemberSide {
    /** Where a member keeps it in its user context. */
    String USER_CONTEXT_KEY = "org.hzpy.memberSide";

    /** The member's side, or null if hzpy is not loaded on {@code member}. */
    static MemberSide of(HazelcastInstance member) {
        return member.getUserContext().get(USER_CONTEXT_KEY) instanceof MemberSide side ? side : null;
    }

    // A call's parts, not the PyCall: its arguments' array is handed over without a copy.
    Object call(String module, String function, Object[] args, Map<String, Object> kwargs, Duration timeout);

    CompletionStage<Object> callAsync(String module, String function, Object[] args, Map<String, Object> kwargs,
            Duration timeout);

    PyStream stream(String module, String function, Object[] args, Map<String, Object> kwargs, Duration timeout,
            int batchSize);

    Object eval(String expression, Map<String, ?> locals, Duration timeout);

    /** Runs {@code code} here and records it in the cluster's exec log (see {@code Py#exec}). */
    void exec(String code, Duration timeout);

    HzpySettings settings();

    ExecutionMode executionMode();

    int numExecutors();

    PySemaphore semaphore();

    /** @throws org.hzpy.PyUnavailableException if the cluster runs without a cluster-wide limit */
    PySemaphore clusterSemaphore();

    PyState state();

    ModuleStore deployments();

    Optional<URI> prometheusEndpoint();

    /** Registers {@code fn} for Python; {@code ownCalls} runs its own Python calls (this member's {@code Py#call}). */
    void registerFunction(String name, PyFunction fn, Function<PyCall, Object> ownCalls);

    void unregisterFunction(String name);

    ContextRouter contexts();

    boolean jitActive();

    String engineImplementation();

    PyStats stats();

    boolean awaitReady(int contexts, Duration timeout);
}
