package org.hzpy.support;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real embedded members, started once per test JVM and shared by every test class: a member's
 * first Python context costs seconds, so starting one per class would dominate the suite.
 */
public final class TestMembers {
    private static final Map<String, HazelcastInstance> MEMBERS = new ConcurrentHashMap<>();
    private static final Map<String, HazelcastInstance> CLIENTS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            CLIENTS.values().forEach(HazelcastInstance::shutdown);
            MEMBERS.values().forEach(HazelcastInstance::shutdown);
        }));
    }

    private TestMembers() {
    }

    /** The ISOLATED member: 2 contexts, max-concurrent 16, module path with testmod.py. */
    public static HazelcastInstance isolated() {
        return shared("isolated");
    }

    /** The SHARED member: one context, 4 executors. */
    public static HazelcastInstance sharedMode() {
        return shared("shared");
    }

    /** A member whose json decodes with {@code decoder} ("native" or "python"): ISOLATED, 1 context, no pre-warm. */
    public static HazelcastInstance jsonDecoding(String decoder) {
        return shared("json-" + decoder);
    }

    /**
     * The hardening member: ISOLATED, 2 contexts, no pre-warm. For tests that use exec or replace
     * contexts, so the other shared members keep a short exec log and their contexts. Without
     * pre-warm no background work (json's training) ever takes one of its contexts.
     */
    public static HazelcastInstance hardening() {
        return shared("hardening");
    }

    /**
     * The runaway member: ISOLATED, 2 contexts, {@code hzpy.abandon-after: 1s}. Runaway code may
     * leave its contexts replaced and a thread busy for a while.
     */
    public static HazelcastInstance runaway() {
        return shared("runaway");
    }

    /** Member a of the 2-member test cluster (with {@link #clusterB()}): 1 context each, remote eval on. */
    public static HazelcastInstance clusterA() {
        return shared("cluster-a");
    }

    /** Member b of the 2-member test cluster; starting it also starts a, so that both are in the cluster. */
    public static HazelcastInstance clusterB() {
        clusterA();
        return shared("cluster-b");
    }

    /** The member with the default remote policy (no remote eval, module-path modules only). */
    public static HazelcastInstance remoteDefaults() {
        return shared("remote-defaults");
    }

    /** Member a of the trust cluster (with {@link #trustB()}): the default remote policy. */
    public static HazelcastInstance trustA() {
        return shared("trust-a");
    }

    /**
     * Member b of the trust cluster: the loosest policy ({@code remote-modules: any},
     * {@code remote-callbacks: true}); starting it also starts a.
     */
    public static HazelcastInstance trustB() {
        trustA();
        return shared("trust-b");
    }

    /** Member a of the remote-streams cluster (with {@link #streamsB()}): 1 context each, default remote policy. */
    public static HazelcastInstance streamsA() {
        return shared("stream-a");
    }

    /** Member b of the remote-streams cluster; starting it also starts a. */
    public static HazelcastInstance streamsB() {
        streamsA();
        return shared("stream-b");
    }

    /** The cancellation member: one context, two threads in hzpy's executor, the test modules callable remotely. */
    public static HazelcastInstance cancel() {
        return shared("cancel");
    }

    /** The streams member (StreamTest): ISOLATED with one context, so a stream and calls share it. */
    public static HazelcastInstance streams() {
        return shared("streams");
    }

    /** The callbacks member: one context, max-concurrent 1 (nested work must stay in its chain). */
    public static HazelcastInstance callbacks() {
        return shared("callbacks");
    }

    /** Member a of the deploy test cluster (with {@link #deployB()}): clients may deploy, 2 contexts each, deploy-max-bytes 12MB. */
    public static HazelcastInstance deployA() {
        return shared("deploy-a");
    }

    /** Member b of the deploy test cluster; starting it also starts a. */
    public static HazelcastInstance deployB() {
        deployA();
        return shared("deploy-b");
    }

    /** A client of the cluster {@code member} is in, shared by every test; closed when the JVM ends. */
    public static HazelcastInstance clientOf(HazelcastInstance member) {
        String cluster = member.getConfig().getClusterName();
        // a client of a member that has since shut down (a test's own member) has given up: a new one
        return CLIENTS.compute(cluster, (c, known) -> known != null && known.getLifecycleService().isRunning() ? known : newClient(c, member));
    }

    private static HazelcastInstance newClient(String cluster, HazelcastInstance member) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster);
        config.setProperty("hazelcast.logging.type", "jdk");
        // bounded: a client whose test's own member shut down gives up instead of retrying for the rest of the run
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(120_000);
        for (com.hazelcast.cluster.Member m : member.getCluster().getMembers()) {
            config.getNetworkConfig().addAddress("127.0.0.1:" + m.getAddress().getPort());
        }
        return HazelcastClient.newHazelcastClient(config);
    }

    /** A member of the test's own from {@code members/NAME.yaml}; the test shuts it down. */
    public static HazelcastInstance startOwn(String name) {
        return Hazelcast.newHazelcastInstance(config("members/" + name + ".yaml"));
    }

    public static Py py(HazelcastInstance member) {
        Py py = Py.on(member);
        if (!py.awaitReady(Integer.MAX_VALUE, Duration.ofMinutes(3))) { // started and warmed up
            throw new IllegalStateException("the Python contexts of " + member.getName() + " did not start");
        }
        return py;
    }

    /** Runs {@code call} with the current thread bound to context {@code index} of {@code py}. */
    public static <T> T inContext(Py py, int index, java.util.function.Supplier<T> call) {
        py.contexts().bind(py.contexts().context(index));
        try {
            return call.get();
        } finally {
            py.contexts().unbind();
        }
    }

    /**
     * Whether json's training has ended in context {@code index}, whichever scanner won. Asks after a
     * second: a call every poll would leave the context never idle, so never trained.
     */
    public static boolean jsonTrainingEnded(Py py, int index) {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return Boolean.TRUE.equals(inContext(py, index, () -> py.call("_hzpy_internal", "json_settled")));
    }

    /** hzpy on every shared member started so far. */
    public static java.util.List<Py> started() {
        return MEMBERS.values().stream().filter(m -> m.getLifecycleService().isRunning()).map(Py::on)
                .collect(java.util.stream.Collectors.toList());
    }

    private static HazelcastInstance shared(String name) {
        return MEMBERS.computeIfAbsent(name, n -> Hazelcast.newHazelcastInstance(config("members/" + n + ".yaml")));
    }

    /** A member configuration from a YAML file under src/test/resources. */
    public static Config config(String resource) {
        try (InputStream in = TestMembers.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return new YamlConfigBuilder(in).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
