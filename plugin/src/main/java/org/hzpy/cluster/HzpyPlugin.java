package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.jet.config.JetConfig;
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
    public static final String USER_CONTEXT_KEY = MemberParts.RUNTIME_KEY;
    /**
     * The executor remote calls run on. Size it in {@code hazelcast.yaml} ({@code executor-service:
     * hzpy: pool-size: N}); calls beyond the member's limit are refused, not queued, either way.
     */
    public static final String EXECUTOR = MemberParts.EXECUTOR;
    /**
     * The executor hzpy's control messages run on (cancellations, exec spreading): apart from the
     * calls, so that a member whose {@value #EXECUTOR} threads are all in long calls still takes
     * them at once. The plugin configures it ({@value #CONTROL_POOL_SIZE} threads) unless
     * {@code hazelcast.yaml} does.
     */
    public static final String CONTROL_EXECUTOR = MemberParts.CONTROL_EXECUTOR;
    /** How long a client whose connection to this member dropped may take to connect again before its calls here are cancelled. */
    static final java.time.Duration CLIENT_GRACE = java.time.Duration.ofSeconds(5);
    /** Runs the grace periods' ends (a moment's work each; never the common pool, which a 2-core member may lack). */
    private static final java.util.concurrent.Executor GRACE_TIMER = r -> {
        Thread t = new Thread(r, "hzpy-client-grace");
        t.setDaemon(true);
        t.start();
    };
    private static final int CONTROL_POOL_SIZE = 4;
    private static final String POLICY_KEY = MemberParts.POLICY_KEY;
    private static final String EXEC_LOG_KEY = MemberParts.EXEC_LOG_KEY;
    private static final String RUNNING_CALLS_KEY = MemberParts.RUNNING_CALLS_KEY;
    private static final String CLUSTER_LIMIT_KEY = MemberParts.CLUSTER_LIMIT_KEY;
    private static final String STATE_KEY = MemberParts.STATE_KEY;
    private static final String CALLBACKS_KEY = MemberParts.CALLBACKS_KEY;
    private static final String PROMETHEUS_KEY = MemberParts.PROMETHEUS_KEY;
    static final String TRUST_KEY = MemberParts.TRUST_KEY;
    private static final String SERVING_KEY = MemberParts.SERVING_KEY;
    private static final String JOIN_FAILURE_KEY = MemberParts.JOIN_FAILURE_KEY;
    /** How long a joining member looks for the cluster's secret before it makes its own. */
    private static final java.time.Duration TRUST_WAIT = java.time.Duration.ofSeconds(60);
    /** hzpy's own maps: configured by hzpy, whatever {@code map: default} says. */
    /** Where members tell clients what they need to know of their settings (the state map's name). */
    private static final String CLUSTER_INFO_MAP = MemberParts.CLUSTER_INFO_MAP;
    private static final java.util.List<String> OWN_MAPS = java.util.List.of(ClusterExecLog.MAP, LimitStore.NAME,
            CLUSTER_INFO_MAP, MemberLoad.MAP, ClusterDeployments.MAP, ClusterDeployments.FILES_MAP);

    private static final ILogger LOGGER = Logger.getLogger(HzpyPlugin.class);

    private HazelcastInstance instance;
    private PythonRuntime runtime;
    private RuntimeMemberSide memberSide;
    private ClusterExecLog execLog;
    private ClusterDeployments deployments;
    private ClusterTrust trust;
    private final java.util.concurrent.CountDownLatch serving = new java.util.concurrent.CountDownLatch(1);
    private volatile ClusterLimit clusterLimit; // read by the merge's thread
    private SplitBrainMerge merge;
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
        JetConfig jet = instance.getConfig().getJetConfig();
        runtime = PythonRuntime.start(settings, "hzpy-" + instance.getName(), jet.isEnabled() && jet.isResourceUploadEnabled());
        Object previous = instance.getUserContext().putIfAbsent(USER_CONTEXT_KEY, runtime);
        if (previous == null) {
            instance.getUserContext().put(POLICY_KEY, new RemotePolicy(settings, runtime::deployedModuleNames));
            instance.getUserContext().put(SERVING_KEY, serving);
            trust = new ClusterTrust(instance);
            instance.getUserContext().put(TRUST_KEY, trust);
            execLog = new ClusterExecLog(instance, runtime, trust, settings.execLogLimit());
            instance.getUserContext().put(EXEC_LOG_KEY, execLog);
            deployments = new ClusterDeployments(instance, runtime, trust);
            instance.getUserContext().put(MemberParts.DEPLOYMENTS_KEY, deployments);
            merge = new SplitBrainMerge(instance, trust, deployments, execLog, () -> clusterLimit);
            RunningCalls running = new RunningCalls();
            instance.getUserContext().put(RUNNING_CALLS_KEY, running);
            stopCallsOfCallersThatLeave(running);
            PyState state = new PyState(instance, settings.stateMap(), settings.callTimeout());
            instance.getUserContext().put(STATE_KEY, state);
            state.pythonFunctions().forEach((name, fn) -> runtime.hostFunctions().register(name, (args, deadline) -> fn.apply(args)));
            Callbacks callbacks = new Callbacks(instance, FunctionTask::runOn);
            instance.getUserContext().put(CALLBACKS_KEY, callbacks);
            runtime.hostFunctions().register("call", (args, deadline) -> callbacks.invoke(args, deadline));
            runtime.hostFunctions().register("call_async", (args, deadline) -> callbacks.invokeAsync(args, deadline));
            // last: the wire classes' handlers and Py's member side (hzpy-client finds them here)
            instance.getUserContext().put(TaskHandlers.USER_CONTEXT_KEY, new MemberTaskHandlers());
            memberSide = new RuntimeMemberSide(instance, runtime);
            instance.getUserContext().put(MemberSide.USER_CONTEXT_KEY, memberSide);
        } else {
            runtime.close();
            runtime = null;
            LOGGER.warning("hzpy is listed twice in this member's configuration; the second one is ignored");
        }
    }

    /**
     * A client that disconnects, or a member that leaves, can no longer take its calls' answers:
     * its calls here are cancelled, which gives their permits back. Hazelcast tells a member of a
     * client's connection *to it*, which can drop and come back while the client stays in the
     * cluster (a member joining, a network blip): a client's calls are cancelled only if it has not
     * connected again within {@link #CLIENT_GRACE}.
     */
    private void stopCallsOfCallersThatLeave(RunningCalls running) {
        java.util.Map<String, Object> disconnected = new java.util.concurrent.ConcurrentHashMap<>();
        instance.getClientService().addClientListener(new com.hazelcast.client.ClientListener() {
            @Override
            public void clientConnected(com.hazelcast.client.Client client) {
                disconnected.remove(client.getUuid().toString());
                running.callerBack(client.getUuid().toString());
            }

            @Override
            public void clientDisconnected(com.hazelcast.client.Client client) {
                String id = client.getUuid().toString();
                Object mark = new Object();
                disconnected.put(id, mark);
                java.util.concurrent.CompletableFuture.delayedExecutor(CLIENT_GRACE.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS, GRACE_TIMER).execute(() -> {
                            // not back meanwhile: no connect event since, and not connected now (a
                            // reconnect's event can come before the old connection's disconnect event)
                            if (disconnected.remove(id, mark) && !connectedNow(id)) {
                                int stopped = running.cancelCallsOf(id);
                                if (stopped > 0) {
                                    LOGGER.info("hzpy cancelled " + stopped + " call(s) of client " + id
                                            + ", which disconnected and did not come back within " + CLIENT_GRACE.toSeconds() + " s");
                                }
                            }
                        });
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

    private boolean connectedNow(String clientId) {
        for (com.hazelcast.client.Client c : instance.getClientService().getConnectedClients()) {
            if (c.getUuid().toString().equals(clientId)) {
                return true;
            }
        }
        return false;
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

    /** The member's own runtime (see {@link MemberParts#runtimeOf}). */
    public static PythonRuntime runtimeOf(HazelcastInstance member) {
        return MemberParts.runtimeOf(member);
    }

    /** See {@link MemberParts#clusterSemaphore}. */
    public static org.hzpy.PySemaphore clusterSemaphore(HazelcastInstance instance, boolean client) {
        return MemberParts.clusterSemaphore(instance, client);
    }

    static ClusterExecLog execLogOf(HazelcastInstance member) {
        return MemberParts.execLogOf(member);
    }

    static boolean serving(HazelcastInstance member) {
        return MemberParts.serving(member);
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
            instance.getUserContext().put(PROMETHEUS_KEY, prometheus.uri()); // the address: all Py needs
            LOGGER.info("hzpy serves its metrics at " + prometheus.uri());
        } catch (java.io.UncheckedIOException e) {
            LOGGER.severe("hzpy: no metrics endpoint on this member (hzpy.metrics.prometheus-port): " + e.getMessage());
        }
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
            deployments.start(); // before the exec log: exec code may import deployed modules
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
        if (event.getState() == LifecycleEvent.LifecycleState.MERGING && merge != null) {
            merge.merging();
        }
        if ((event.getState() == LifecycleEvent.LifecycleState.MERGED || event.getState() == LifecycleEvent.LifecycleState.MERGE_FAILED)
                && merge != null) {
            merge.merged(); // its data was reset either way: it takes the cluster's again
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && merge != null) {
            merge.stop(); // first: a rejoin still running must not hold up the shutdown
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN
                && instance.getUserContext().get(RUNNING_CALLS_KEY) instanceof RunningCalls running) {
            running.streams().forgetAll(); // the runtime, closed next, ends the streams served to callers elsewhere
        }
        // The runtime first: Python still running must not lose its Java functions (LookupError) and
        // no call may start without the cluster limit while the rest shuts down.
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && runtime != null) {
            if (memberSide != null) { // null if the start failed before it was made
                instance.getUserContext().remove(MemberSide.USER_CONTEXT_KEY, memberSide);
            }
            instance.getUserContext().remove(USER_CONTEXT_KEY, runtime);
            runtime.close();
            runtime = null;
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && instance.getUserContext().get(CALLBACKS_KEY) instanceof Callbacks c) {
            c.unregisterAll();
        }
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && prometheus != null) {
            instance.getUserContext().remove(PROMETHEUS_KEY, prometheus.uri());
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
        if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN && deployments != null) {
            deployments.stop(); // after the runtime: it deleted the versions it held
        }
    }
}
