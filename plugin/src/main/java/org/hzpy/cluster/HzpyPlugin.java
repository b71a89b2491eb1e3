package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.HzpySettings;
import org.hzpy.runtime.PythonRuntime;
import org.hzpy.state.PyState;
import org.hzpy.callbacks.Callbacks;
import org.hzpy.Py;
import org.hzpy.metrics.PrometheusEndpoint;

/**
 * Loads hzpy into a member. Name it in {@code hazelcast.yaml}:
 *
 * <pre>
 * hazelcast:
 *   listeners:
 *     - org.hzpy.cluster.HzpyPlugin
 *   properties:
 *     hzpy.contexts: 2
 * </pre>
 *
 * Hazelcast creates it while the member starts; it reads the {@code hzpy.*} properties (a bad
 * one stops the member), starts the Python runtime and closes it when the member shuts down.
 */
public final class HzpyPlugin implements HazelcastInstanceAware, LifecycleListener {
    /** Where the runtime is kept in the member's {@link HazelcastInstance#getUserContext()}. */
    public static final String USER_CONTEXT_KEY = "org.hzpy.runtime";
    /**
     * The executor remote calls run on. Size it in {@code hazelcast.yaml} ({@code executor-service:
     * hzpy: pool-size: N}); calls beyond the member's limit are refused, not queued, either way.
     */
    public static final String EXECUTOR = "hzpy";
    /**
     * The executor hzpy's control messages run on (cancellations, exec spreading): apart from the
     * calls, so that a member whose {@value #EXECUTOR} threads are all in long calls still takes
     * them at once. The plugin configures it ({@value #CONTROL_POOL_SIZE} threads) unless
     * {@code hazelcast.yaml} does.
     */
    public static final String CONTROL_EXECUTOR = "hzpy-control";
    private static final int CONTROL_POOL_SIZE = 4;
    private static final String POLICY_KEY = "org.hzpy.remotePolicy";
    private static final String EXEC_LOG_KEY = "org.hzpy.execLog";
    private static final String RUNNING_CALLS_KEY = "org.hzpy.runningCalls";
    private static final String CLUSTER_LIMIT_KEY = "org.hzpy.clusterLimit";
    private static final String STATE_KEY = "org.hzpy.state";
    private static final String CALLBACKS_KEY = "org.hzpy.callbacks";
    private static final String PROMETHEUS_KEY = "org.hzpy.prometheus";
    static final String TRUST_KEY = "org.hzpy.trust";
    private static final String SERVING_KEY = "org.hzpy.serving";
    private static final String JOIN_FAILURE_KEY = "org.hzpy.joinFailure";
    /** How long remote work that reaches a member still joining waits for it to be ready. */
    private static final java.time.Duration JOIN_WAIT = java.time.Duration.ofSeconds(60);
    /** How long a joining member looks for the cluster's secret before it makes its own. */
    private static final java.time.Duration TRUST_WAIT = java.time.Duration.ofSeconds(60);
    /** hzpy's own maps: configured by hzpy, whatever {@code map: default} says. */
    /** Where members tell clients what they need to know of their settings (the state map's name). */
    private static final String CLUSTER_INFO_MAP = "hzpy.cluster-info";
    private static final java.util.List<String> OWN_MAPS = java.util.List.of(ClusterExecLog.MAP, LimitStore.NAME,
            CLUSTER_INFO_MAP, MemberLoad.MAP);
    /** How long a client's state operations wait for an answer. */
    private static final java.time.Duration CLIENT_STATE_WAIT = java.time.Duration.ofSeconds(30);

    private static final ILogger LOGGER = Logger.getLogger(HzpyPlugin.class);

    private HazelcastInstance instance;
    private PythonRuntime runtime;
    private ClusterExecLog execLog;
    private ClusterTrust trust;
    private final java.util.concurrent.CountDownLatch serving = new java.util.concurrent.CountDownLatch(1);
    private ClusterLimit clusterLimit;
    private MemberLoad load;
    private PrometheusEndpoint prometheus;

    @Override
    public synchronized void setHazelcastInstance(HazelcastInstance instance) {
        if (this.instance != null) {
            return;
        }
        this.instance = instance;
        HzpySettings settings = HzpySettings.fromProperties(instance.getConfig().getProperties());
        OwnMaps.configure(instance.getConfig(), OWN_MAPS);
        runtime = PythonRuntime.start(settings, "hzpy-" + instance.getName());
        Object previous = instance.getUserContext().putIfAbsent(USER_CONTEXT_KEY, runtime);
        if (previous == null) {
            instance.getUserContext().put(POLICY_KEY, new RemotePolicy(settings));
            instance.getUserContext().put(SERVING_KEY, serving);
            trust = new ClusterTrust(instance);
            instance.getUserContext().put(TRUST_KEY, trust);
            execLog = new ClusterExecLog(instance, runtime, trust, settings.execLogLimit());
            instance.getUserContext().put(EXEC_LOG_KEY, execLog);
            RunningCalls running = new RunningCalls();
            instance.getUserContext().put(RUNNING_CALLS_KEY, running);
            stopCallsOfCallersThatLeave(running);
            PyState state = new PyState(instance, settings.stateMap(), settings.callTimeout());
            instance.getUserContext().put(STATE_KEY, state);
            state.pythonFunctions().forEach((name, fn) -> runtime.hostFunctions().register(name, (args, deadline) -> fn.apply(args)));
            Callbacks callbacks = new Callbacks(instance);
            instance.getUserContext().put(CALLBACKS_KEY, callbacks);
            runtime.hostFunctions().register("call", (args, deadline) -> callbacks.invoke(args, deadline, Py.on(instance)::call));
        } else {
            runtime.close();
            runtime = null;
            LOGGER.warning("hzpy is listed twice in this member's configuration; the second one is ignored");
        }
    }

    /**
     * A client that disconnects, or a member that leaves, can no longer take its calls' answers:
     * its calls here are cancelled, which gives their permits back.
     */
    private void stopCallsOfCallersThatLeave(RunningCalls running) {
        instance.getClientService().addClientListener(new com.hazelcast.client.ClientListener() {
            @Override
            public void clientConnected(com.hazelcast.client.Client client) {
                running.callerBack(client.getUuid().toString());
            }

            @Override
            public void clientDisconnected(com.hazelcast.client.Client client) {
                int stopped = running.cancelCallsOf(client.getUuid().toString());
                if (stopped > 0) {
                    LOGGER.info("hzpy cancelled " + stopped + " call(s) of client " + client.getUuid() + ", which disconnected");
                }
            }
        });
        instance.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
                running.cancelCallsOf(event.getMember().getUuid().toString());
            }
        });
    }

    /**
     * Gives {@link #CONTROL_EXECUTOR} a configuration of its own unless the member's has one (never
     * {@code default}'s, which users size for their own tasks). Its threads are made on first use.
     */
    private void configureControlExecutor() {
        com.hazelcast.config.Config config = instance.getConfig();
        if (config.getExecutorConfigs().containsKey(CONTROL_EXECUTOR)) {
            return;
        }
        try {
            config.addExecutorConfig(new com.hazelcast.config.ExecutorConfig(CONTROL_EXECUTOR, CONTROL_POOL_SIZE)
                    .setStatisticsEnabled(false));
        } catch (RuntimeException e) { // a conflicting one from another member: theirs serves as well
            LOGGER.warning("hzpy could not configure its executor " + CONTROL_EXECUTOR + ": " + e);
        }
    }

    /**
     * Runs {@code code} on {@code member} and, once it succeeded there, records it in the cluster's
     * exec log, which every other member (now or joining later) applies. Used by {@link org.hzpy.Py#exec}.
     */
    public static void exec(HazelcastInstance member, String code, java.time.Duration timeout) {
        execLogOf(member).exec(code, timeout, org.hzpy.runtime.CallStats.Origin.MEMBER);
    }

    /**
     * The cluster-wide limit on {@code instance}: the member's own lease of it, or a client's view.
     * Used by {@link org.hzpy.Py#clusterSemaphore()}.
     *
     * @throws org.hzpy.PyUnavailableException if the cluster runs without one
     */
    public static org.hzpy.PySemaphore clusterSemaphore(HazelcastInstance instance, boolean client) {
        if (client) {
            return new ClusterSemaphoreView(instance);
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
     * members name in the cluster's info map. Used by {@link org.hzpy.Py#state()}.
     */
    public static PyState stateOf(HazelcastInstance instance, boolean client) {
        if (!client) {
            return partOf(instance, STATE_KEY, PyState.class);
        }
        Object name = instance.getMap(CLUSTER_INFO_MAP).get("state-map");
        return new PyState(instance, name instanceof String s ? s : PyState.DEFAULT_MAP, CLIENT_STATE_WAIT);
    }

    /** The Java functions registered on {@code member} for Python. Used by {@link org.hzpy.Py#registerFunction}. */
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
        return partOf(member, USER_CONTEXT_KEY, PythonRuntime.class);
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

    /** One of the parts the plugin keeps in the member's user context. */
    private void startPrometheus() {
        HzpySettings settings = runtime.settings();
        if (settings.prometheusPort().isEmpty()) {
            return;
        }
        try {
            prometheus = PrometheusEndpoint.start(Py.on(instance), settings.prometheusHost(), settings.prometheusPort().getAsInt(),
                    "hzpy-metrics-" + instance.getName());
            instance.getUserContext().put(PROMETHEUS_KEY, prometheus);
            LOGGER.info("hzpy serves its metrics at " + prometheus.uri());
        } catch (java.io.UncheckedIOException e) {
            LOGGER.severe("hzpy: no metrics endpoint on this member (hzpy.metrics.prometheus-port): " + e.getMessage());
        }
    }

    /** Where {@code member} serves its metrics; empty when {@code hzpy.metrics.prometheus-port} is off. */
    public static java.util.Optional<java.net.URI> prometheusEndpointOf(HazelcastInstance member) {
        return member.getUserContext().get(PROMETHEUS_KEY) instanceof PrometheusEndpoint p
                ? java.util.Optional.of(p.uri()) : java.util.Optional.empty();
    }

    private static <T> T partOf(HazelcastInstance member, String key, Class<T> type) {
        Object part = member.getUserContext().get(key);
        if (!type.isInstance(part)) {
            throw new org.hzpy.PyUnavailableException("hzpy is not loaded on " + member.getName());
        }
        return type.cast(part);
    }

    /**
     * Once the member is in the cluster: the cluster's secret, the exec log, the cluster-wide limit,
     * then its load is published and it serves remote work. Nothing a client wrote can make this
     * fail (the exec log skips what does not verify); a setting the cluster cannot serve stops the
     * member, with the message naming it.
     */
    private void join() {
        configureControlExecutor(); // not earlier: dynamic configuration needs the cluster's version
        try {
            trust.start(TRUST_WAIT);
            execLog.start();
            instance.getMap(CLUSTER_INFO_MAP).set("state-map", runtime.settings().stateMap());
            int clusterMax = runtime.settings().clusterMaxConcurrent();
            if (clusterMax > 0) {
                clusterLimit = new ClusterLimit(instance,
                        LimitStore.forMember(instance, runtime.settings().clusterLimitBackend()), clusterMax);
                instance.getUserContext().put(CLUSTER_LIMIT_KEY, clusterLimit);
                runtime.useClusterLimit(clusterLimit);
            }
            serving.countDown();
        } catch (RuntimeException e) { // a setting the cluster cannot serve (e.g. atomic-long without CP)
            instance.getUserContext().put(JOIN_FAILURE_KEY, e.toString());
            serving.countDown();
            LOGGER.severe("hzpy could not join this member to the cluster's Python; the member stops: " + e, e);
            throw e; // reaches newHazelcastInstance, which shuts the member down: it never runs half-joined
        }
        load = new MemberLoad(instance, runtime.semaphore(), this::unhealthyBecause);
        startPrometheus();
    }

    private String unhealthyBecause() {
        PythonRuntime r = runtime;
        return r == null ? "its hzpy runtime is closed" : r.unhealthyBecause();
    }

    @Override
    public synchronized void stateChanged(LifecycleEvent event) {
        if (event.getState() == LifecycleEvent.LifecycleState.STARTED && execLog != null) {
            join();
        }
        // The runtime first: Python still running must not lose its Java functions (LookupError) and
        // no call may start without the cluster limit while the rest shuts down.
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && runtime != null) {
            instance.getUserContext().remove(USER_CONTEXT_KEY, runtime);
            runtime.close();
            runtime = null;
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && instance.getUserContext().get(CALLBACKS_KEY) instanceof Callbacks c) {
            c.unregisterAll();
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && prometheus != null) {
            instance.getUserContext().remove(PROMETHEUS_KEY, prometheus);
            prometheus.close();
            prometheus = null;
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && load != null) {
            load.stop(instance);
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && clusterLimit != null) {
            clusterLimit.stop(); // the runtime is closed: no call takes a permit any more
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && execLog != null) {
            execLog.stop();
        }
    }
}
