package org.hzpy.support;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The chaos suite's cluster: member JVMs of their own ({@link ChaosMember}, {@code members/chaos.yaml})
 * on 127.0.0.1, ports 6051-6059, and one client in the test JVM. Every member process ends: when it
 * is killed, on {@link #close()}, when its lifetime is up, or when the test JVM goes. Not thread-safe:
 * one test thread drives it.
 */
public final class ChaosCluster implements AutoCloseable {
    public static final String CLUSTER = "hzpy-chaos";
    static final int FIRST_PORT = 6051;
    static final int LAST_PORT = 6059;
    /**
     * Modest members: three GraalPy members, a client and Maven share two cores. Python runs
     * interpreter-only here (the test JVM's Graal JIT options are not passed on): the suite's Python
     * is trivial, and the JIT's compiler threads would take a core from each starting member. The
     * JVM's own JIT stops at C1, for the same reason. (Not the serial GC: hzpy's memory guard then
     * refuses to start, its threshold being over the old generation's maximum.)
     */
    private static final List<String> MEMBER_JVM = List.of("-Xmx768m", "-Xms256m", "-XX:TieredStopAtLevel=1",
            "-Dpolyglot.engine.WarnInterpreterOnly=false");
    private final long lifetimeSeconds;
    private final Map<Integer, MemberProcess> members = new TreeMap<>();
    /** Every member process started, in order (a port's member is replaced in {@link #members}). */
    private final List<Map.Entry<Integer, MemberProcess>> started = new ArrayList<>();
    private final List<Integer> usedPorts = new ArrayList<>();
    private HazelcastInstance client;

    public ChaosCluster(long lifetimeSeconds) {
        this.lifetimeSeconds = lifetimeSeconds;
    }

    /** Starts {@code n} members at once and waits (at most {@code seconds}) until each is ready. */
    public List<Integer> start(int n, int seconds) throws IOException, InterruptedException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(launch());
        }
        for (int port : ports) {
            members.get(port).awaitLine("READY", seconds);
        }
        return ports;
    }

    /** Starts one more member on a port not used before and waits (at most {@code seconds}) until it is ready. */
    public int startReplacement(int seconds) throws IOException, InterruptedException {
        int port = launch();
        members.get(port).awaitLine("READY", seconds);
        return port;
    }

    private int launch() throws IOException {
        int port = nextPort();
        usedPorts.add(port);
        MemberProcess p = MemberProcess.start(lifetimeSeconds, System.getProperty("java.class.path"),
                ChaosCluster::notTheGraalJit, MEMBER_JVM,
                ChaosMember.class, Integer.toString(port), Long.toString(lifetimeSeconds));
        members.put(port, p);
        started.add(Map.entry(port, p));
        return port;
    }

    private static boolean notTheGraalJit(String jvmOption) {
        return !jvmOption.equals("-XX:+EnableJVMCI") && !jvmOption.startsWith("--upgrade-module-path");
    }

    /**
     * A port never used, else the one whose member died longest ago: a port is reused only rounds
     * after its member's death, so that a failure naming it names the member lost then.
     */
    private int nextPort() {
        for (int p = FIRST_PORT; p <= LAST_PORT; p++) {
            if (!usedPorts.contains(p)) {
                return p;
            }
        }
        for (int p : usedPorts) {
            if (!members.get(p).isAlive()) {
                usedPorts.remove(Integer.valueOf(p));
                return p;
            }
        }
        throw new IllegalStateException("every port from " + FIRST_PORT + " to " + LAST_PORT + " has a live member");
    }

    /** The client (made on first use) that knows every port the cluster may use. */
    public HazelcastInstance client() {
        if (client == null) {
            ClientConfig config = new ClientConfig();
            config.setClusterName(CLUSTER);
            config.setProperty("hazelcast.logging.type", "jdk");
            config.setProperty("hazelcast.client.invocation.timeout.seconds", "60");
            // a state write whose backup did not confirm fails (hzpy sends it again) instead of counting as done
            config.setProperty("hazelcast.client.operation.fail.on.indeterminate.state", "true");
            for (int p = FIRST_PORT; p <= LAST_PORT; p++) {
                config.getNetworkConfig().addAddress("127.0.0.1:" + p);
            }
            config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(120_000);
            client = HazelcastClient.newHazelcastClient(config);
        }
        return client;
    }

    /** Ports of the member processes alive now. */
    public List<Integer> alive() {
        List<Integer> out = new ArrayList<>();
        members.forEach((port, p) -> {
            if (p.isAlive()) {
                out.add(port);
            }
        });
        return out;
    }

    public MemberProcess process(int port) {
        return members.get(port);
    }

    /** The port of the member that owns {@code key}'s partition of a map, as the client sees it now. */
    public int ownerOf(Object key) {
        Member owner = client().getPartitionService().getPartition(key).getOwner();
        if (owner == null) {
            throw new IllegalStateException("no owner of " + key + "'s partition yet");
        }
        return owner.getAddress().getPort();
    }

    /** The members in the client's view of the cluster, by port. */
    public List<Integer> inClientView() {
        List<Integer> out = new ArrayList<>();
        for (Member m : client().getCluster().getMembers()) {
            out.add(m.getAddress().getPort());
        }
        out.sort(null);
        return out;
    }

    /** Runs {@code probe} on the member at {@code port} and waits at most {@code seconds}. */
    public Map<String, Object> probe(int port, ChaosProbe probe, int seconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        Member target = null;
        for (Member m : client().getCluster().getMembers()) {
            if (m.getAddress().getPort() == port) {
                target = m;
            }
        }
        if (target == null) {
            throw new IllegalStateException("member :" + port + " is not in the client's view " + inClientView());
        }
        return client().getExecutorService("chaos-probe").submitToMember(probe, target).get(seconds, TimeUnit.SECONDS);
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill(int port) throws InterruptedException {
        members.get(port).kill();
    }

    /**
     * Kills every member process (SIGKILL ends a stopped one too), then closes the client. What each
     * member printed is kept in target/chaos-members/NN-PORT.log, in the order they started.
     */
    @Override
    public void close() {
        for (int i = 0; i < started.size(); i++) {
            try {
                started.get(i).getValue().saveOutput(java.nio.file.Path.of("target", "chaos-members",
                        String.format(java.util.Locale.ROOT, "%02d-%d.log", i + 1, started.get(i).getKey())));
            } catch (IOException e) {
                System.out.println("chaos: could not keep a member's output: " + e);
            }
        }
        for (MemberProcess p : members.values()) {
            try {
                p.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (client != null) {
            client.shutdown();
        }
    }
}
