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
import java.util.concurrent.Future;
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
    /** Where each member's output and GC log are kept (NN-PORT.log, NN-PORT-gc.log; NN the order started). */
    private static final java.nio.file.Path LOGS = java.nio.file.Path.of("target", "chaos-members");
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
        java.nio.file.Files.createDirectories(LOGS);
        List<String> jvm = new ArrayList<>(MEMBER_JVM);
        jvm.add("-Xlog:gc:file=" + gcLog(started.size() + 1, port) + ":uptime");
        MemberProcess p = MemberProcess.start(lifetimeSeconds, System.getProperty("java.class.path"),
                ChaosCluster::notTheGraalJit, jvm,
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
        return probeAsync(port, probe).get(seconds, TimeUnit.SECONDS);
    }

    /** Sends {@code probe} to the member at {@code port}; its answer completes the future. */
    public Future<Map<String, Object>> probeAsync(int port, ChaosProbe probe) {
        Member target = null;
        for (Member m : client().getCluster().getMembers()) {
            if (m.getAddress().getPort() == port) {
                target = m;
            }
        }
        if (target == null) {
            throw new IllegalStateException("member :" + port + " is not in the client's view " + inClientView());
        }
        return client().getExecutorService("chaos-probe").submitToMember(probe, target);
    }

    /**
     * What the member at {@code port} is doing, for a member that does not answer: its process state
     * (R running, S sleeping, T stopped…), its last GC pauses, and the top frames of the threads in a
     * probe and of every running Hazelcast or hzpy thread (jcmd Thread.print, kept in chaos-members/).
     */
    public String diagnose(int port) {
        MemberProcess p = members.get(port);
        String state = processState(p.pid());
        StringBuilder out = new StringBuilder("process state ").append(state);
        for (int i = started.size() - 1; i >= 0; i--) {
            if (started.get(i).getValue() == p) {
                out.append("; last GC log lines: ").append(lastLines(gcLog(i + 1, port), 4));
            }
        }
        if (!state.equals("T")) { // jcmd would wait on a stopped process
            out.append("; threads: ").append(busyThreads(port));
        }
        return out.toString();
    }

    /** Writes the member's thread stacks (jcmd Thread.print) to {@code file}; false if jcmd took over 30 s. */
    public boolean dumpThreads(int port, java.nio.file.Path file) throws IOException, InterruptedException {
        String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(members.get(port).pid()), "Thread.print")
                .redirectErrorStream(true).redirectOutput(file.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return true;
    }

    private static java.nio.file.Path gcLog(int order, int port) {
        return LOGS.resolve(String.format(java.util.Locale.ROOT, "%02d-%d-gc.log", order, port));
    }

    private static String processState(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }

    private static String lastLines(java.nio.file.Path file, int n) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(file);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "none (" + e + ")";
        }
    }

    /**
     * The threads in a probe, and the hz./hzpy- threads that run (not those runnable only in a
     * native wait for I/O), each with its top 5 frames; at most 4,000 characters.
     */
    private String busyThreads(int port) {
        java.nio.file.Path file = LOGS.resolve("threads-" + port + "-" + System.currentTimeMillis() + ".txt");
        String dump;
        try {
            if (!dumpThreads(port, file)) {
                return "no thread dump within 30 s";
            }
            dump = java.nio.file.Files.readString(file);
        } catch (IOException e) {
            return "no thread dump (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump (interrupted)";
        }
        List<String> picked = new ArrayList<>();
        for (String thread : dump.split("\\n\\s*\\n")) {
            String[] lines = thread.strip().split("\\n");
            String head = lines[0];
            List<String> frames = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.startsWith("at ")) {
                    frames.add(line.substring(3).replaceAll("\\(.*\\)$", ""));
                }
            }
            boolean probe = thread.contains("ChaosProbe"); // the probes run on Hazelcast's cached pool
            boolean runs = thread.contains("State: RUNNABLE") && (head.startsWith("\"hz.") || head.startsWith("\"hzpy-"))
                    && !frames.isEmpty() && !frames.get(0).matches(".*(EPoll\\.wait|accept|poll|read0|Selector.*select).*");
            if (probe || runs) {
                String name = head.substring(0, Math.max(1, head.indexOf('"', 1) + 1));
                String state = thread.contains("State: ") ? thread.substring(thread.indexOf("State: ") + 7).split("\\n")[0].strip() : "?";
                picked.add(name + " " + state + " < " + String.join(" < ", frames.subList(0, Math.min(5, frames.size()))));
            }
        }
        String all = String.join("; ", picked);
        all = all.length() > 4_000 ? all.substring(0, 4_000) + "…" : all;
        return picked.isEmpty() ? "no thread in a probe, none running (" + dump.length() + " chars dumped)" : all;
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
                started.get(i).getValue().saveOutput(LOGS.resolve(
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
