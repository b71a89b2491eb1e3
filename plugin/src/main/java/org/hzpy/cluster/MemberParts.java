package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.callbacks.Callbacks;
import org.hzpy.runtime.PythonRuntime;
import org.hzpy.state.PyState;

/**
 * The parts of hzpy a member keeps in its {@link HazelcastInstance#getUserContext()} (the runtime,
 * the remote policy, the exec log, the running remote calls, the cluster-wide limit, the shared
 * state, the Java functions, the metrics address), and the look-ups of them that {@code Py} (through
 * {@link RuntimeMemberSide}), the remote tasks (through {@link MemberTaskHandlers}) and the Jet
 * stages use. {@code HzpyPlugin} puts them there; this class knows neither
 * the plugin nor {@code Py}, so no import circle runs through it. Stateless; thread-safe.
 */
public final class MemberParts {
    /** Where the runtime is kept (also {@code HzpyPlugin#USER_CONTEXT_KEY}). */
    public static final String RUNTIME_KEY = "org.hzpy.runtime";
    /** The executor remote calls run on (see {@code HzpyPlugin.EXECUTOR}). */
    public static final String EXECUTOR = RemoteRuntime.EXECUTOR;
    /** The executor hzpy's control messages run on (see {@code HzpyPlugin.CONTROL_EXECUTOR}). */
    public static final String CONTROL_EXECUTOR = RemoteRuntime.CONTROL_EXECUTOR;
    static final String TRUST_KEY = "org.hzpy.trust";
    static final String POLICY_KEY = "org.hzpy.remotePolicy";
    static final String EXEC_LOG_KEY = "org.hzpy.execLog";
    static final String DEPLOYMENTS_KEY = "org.hzpy.deployments";
    static final String RUNNING_CALLS_KEY = "org.hzpy.runningCalls";
    static final String CLUSTER_LIMIT_KEY = "org.hzpy.clusterLimit";
    static final String STATE_KEY = "org.hzpy.state";
    static final String CALLBACKS_KEY = "org.hzpy.callbacks";
    /** The metrics endpoint's address (a URI), when it runs. */
    static final String PROMETHEUS_KEY = "org.hzpy.prometheus";
    static final String SERVING_KEY = "org.hzpy.serving";
    static final String JOIN_FAILURE_KEY = "org.hzpy.joinFailure";
    /** Where members tell clients what they need to know of their settings (the state map's name). */
    static final String CLUSTER_INFO_MAP = ClientSide.CLUSTER_INFO_MAP;
    /** How long remote work that reaches a member still joining waits for it to be ready. */
    private static final java.time.Duration JOIN_WAIT = java.time.Duration.ofSeconds(60);

    private MemberParts() {
    }

    /**
     * Runs {@code code} on {@code member} and, once it succeeded there, records it in the cluster's
     * exec log, which every other member (now or joining later) applies. Used by {@code Py#exec}.
     */
    public static void exec(HazelcastInstance member, String code, java.time.Duration timeout,
                            org.hzpy.runtime.CallStats.Origin origin) {
        execLogOf(member).exec(code, timeout, origin);
    }

    /**
     * The cluster-wide limit on {@code instance}: the member's own lease of it, or a client's view.
     * Used by {@code Py#clusterSemaphore()}.
     *
     * @throws org.hzpy.PyUnavailableException if the cluster runs without one
     */
    public static org.hzpy.PySemaphore clusterSemaphore(HazelcastInstance instance, boolean client) {
        if (client) {
            return ClientSide.clusterSemaphore(instance);
        }
        Object limit = instance.getUserContext().get(CLUSTER_LIMIT_KEY);
        if (!(limit instanceof ClusterLimit)) {
            throw new org.hzpy.PyUnavailableException("this member runs without a cluster-wide limit: set"
                    + " hzpy.cluster-max-concurrent in its hazelcast.yaml");
        }
        return (ClusterLimit) limit;
    }

    /**
     * The shared state as {@code instance} reaches it: a member's own, or on a client the map the
     * members name in the cluster's info map. Used by {@code Py#state()}.
     */
    public static PyState stateOf(HazelcastInstance instance, boolean client) {
        if (!client) {
            return partOf(instance, STATE_KEY, PyState.class);
        }
        return ClientSide.state(instance);
    }

    /** The Java functions registered on {@code member} for Python. Used by {@code Py#registerFunction}. */
    public static Callbacks callbacksOf(HazelcastInstance member) {
        return partOf(member, CALLBACKS_KEY, Callbacks.class);
    }

    static RunningCalls runningCallsOf(HazelcastInstance member) {
        return partOf(member, RUNNING_CALLS_KEY, RunningCalls.class);
    }

    /**
     * The member's runtime for work that arrived through the cluster: waits (at most
     * {@code JOIN_WAIT}) while the member is still joining — applying the exec log, joining the
     * cluster-wide limit — so that no remote call runs without the code and the limit every other
     * call has.
     *
     * @throws org.hzpy.PyUnavailableException if the member is not ready within that time
     */
    public static PythonRuntime servingRuntimeOf(HazelcastInstance member) {
        Object latch = member.getUserContext().get(SERVING_KEY);
        if (latch instanceof java.util.concurrent.CountDownLatch l && l.getCount() > 0) {
            try {
                if (!l.await(JOIN_WAIT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    throw new org.hzpy.PyUnavailableException("hzpy on " + member.getName() + " is still joining the cluster"
                            + " (applying the exec log, joining the cluster-wide limit) after " + JOIN_WAIT.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new org.hzpy.PyCancelledException("interrupted while " + member.getName() + " was joining the cluster");
            }
        }
        if (member.getUserContext().get(JOIN_FAILURE_KEY) instanceof String failure) {
            throw new org.hzpy.PyUnavailableException("hzpy on " + member.getName() + " takes no remote calls: it could not"
                    + " join the cluster's Python: " + failure);
        }
        return runtimeOf(member);
    }

    /** Whether the member serves remote work yet (see {@link #servingRuntimeOf}). */
    static boolean serving(HazelcastInstance member) {
        return member.getUserContext().get(SERVING_KEY) instanceof java.util.concurrent.CountDownLatch l && l.getCount() == 0
                && !(member.getUserContext().get(JOIN_FAILURE_KEY) instanceof String);
    }

    /** The member's own runtime. Used by the Jet stages, which need module scopes. */
    public static PythonRuntime runtimeOf(HazelcastInstance member) {
        return partOf(member, RUNTIME_KEY, PythonRuntime.class);
    }

    /** The member's deployed modules. Used by {@code Py#modules()}. */
    public static ClusterDeployments deploymentsOf(HazelcastInstance member) {
        return partOf(member, DEPLOYMENTS_KEY, ClusterDeployments.class);
    }

    static ClusterExecLog execLogOf(HazelcastInstance member) {
        return partOf(member, EXEC_LOG_KEY, ClusterExecLog.class);
    }

    /**
     * Refuses {@code module.function} on {@code member} as a client's call of it would be refused
     * (the remote policy): for Python work that reaches the member another way, a Jet job's stage.
     *
     * @throws org.hzpy.PySandboxException saying which setting would allow it, or that none does
     */
    public static void checkRemoteCall(HazelcastInstance member, String module, String function) {
        policyOf(member).checkCall(module, function);
    }

    /**
     * For a module a Jet job ships in its attached directory (the job's own code): only the
     * refusals that hold whatever a module's origin (internal module names, code-running functions).
     *
     * @throws org.hzpy.PySandboxException saying why
     */
    public static void checkJobCodeCall(HazelcastInstance member, String module, String function) {
        policyOf(member).checkJobCodeCall(module, function);
    }

    /** The member's policy for Python work arriving through the cluster. */
    static RemotePolicy policyOf(HazelcastInstance member) {
        return partOf(member, POLICY_KEY, RemotePolicy.class);
    }

    /** Where {@code member} serves its metrics; empty when {@code hzpy.metrics.prometheus-port} is off. */
    public static java.util.Optional<java.net.URI> prometheusEndpointOf(HazelcastInstance member) {
        return member.getUserContext().get(PROMETHEUS_KEY) instanceof java.net.URI uri
                ? java.util.Optional.of(uri) : java.util.Optional.empty();
    }

    private static <T> T partOf(HazelcastInstance member, String key, Class<T> type) {
        Object part = member.getUserContext().get(key);
        if (!type.isInstance(part)) {
            throw new org.hzpy.PyUnavailableException("hzpy is not loaded on " + member.getName());
        }
        return type.cast(part);
    }
}
