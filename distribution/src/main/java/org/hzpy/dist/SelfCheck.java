package org.hzpy.dist;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;

import java.io.IOException;
import java.io.Writer;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code bin/hzpy-member check} and the fast start's training run: starts a member from the
 * configuration the launcher names ({@code -Dhazelcast.config}), alone in a cluster of its own,
 * runs Python on it and reports the engine and how long the JVM took to the first result.
 * <p>
 * Usage: {@code SelfCheck check [RESULT_FILE]} (reports, writes the times as properties to
 * RESULT_FILE, stops at once) or {@code SelfCheck train} (also waits for every context to start
 * and warm up, then exits normally, which is when the JVM writes its AOT cache). Single-threaded.
 */
public final class SelfCheck {
    /** Generous: under load a context takes 5-60 s, and the training run also waits for pre-warm. */
    private static final Duration READY_WAIT = Duration.ofMinutes(3);
    /** Each call of the run, whatever the member's hzpy.call-timeout says: a loaded machine is slow. */
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
    /** The whole run: past it the JVM stops (status 4), so that no start waits for it forever. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(8);

    /** Held so the level sticks: java.util.logging keeps loggers weakly. */
    private static final java.util.logging.Logger HAZELCAST_LOG = java.util.logging.Logger.getLogger("com.hazelcast");

    private SelfCheck() {
    }

    public static void main(String[] args) {
        stopAfter(RUN_LIMIT);
        try {
            run(args);
        } catch (Throwable e) { // a member's threads would keep the JVM alive: stop, without writing an AOT cache
            System.err.println("hzpy check failed: " + e);
            e.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(String[] args) throws IOException {
        boolean training = args.length > 0 && args[0].equals("train");
        if (!training) { // the check's own lines, not the member's chatter (the training run's goes to its log)
            HAZELCAST_LOG.setLevel(java.util.logging.Level.WARNING);
        }
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainAt = System.currentTimeMillis();
        Config config = Config.load(); // what the member would load: -Dhazelcast.config, HZ_* overrides
        aloneInACluster(config);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        long memberUpAt = System.currentTimeMillis();
        Py py = Py.on(member);
        Object root = py.call(PyCall.of("math", "sqrt", 16).timeout(CALL_TIMEOUT));
        long firstResultAt = System.currentTimeMillis();
        Map<String, Long> cpuAtFirstResult = cpuSoFar();
        if (!Double.valueOf(4.0).equals(root)) {
            throw new IllegalStateException("math.sqrt(16) returned " + root);
        }
        String engine = py.engineImplementation() + (py.jitActive() ? " (Graal JIT active)" : " (NO JIT: interpreter only)");
        if (training) {
            train(py);
            member.shutdown();
            System.exit(0); // a training run writes its AOT cache at a normal exit
        }
        System.out.printf("hzpy check: Python answered (math.sqrt(16) = %s); engine %s; JVM start -> first Python "
                + "result %d ms (member up after %d ms)%n", root, engine, firstResultAt - jvmStart, memberUpAt - jvmStart);
        if (args.length > 1) {
            Properties times = new Properties();
            times.setProperty("jvmStart", String.valueOf(jvmStart));
            times.setProperty("main", String.valueOf(mainAt));
            times.setProperty("memberUp", String.valueOf(memberUpAt));
            times.setProperty("firstResult", String.valueOf(firstResultAt));
            times.setProperty("engine", py.engineImplementation());
            times.setProperty("jitActive", String.valueOf(py.jitActive()));
            cpuAtFirstResult.forEach((k, v) -> times.setProperty(k, String.valueOf(v)));
            try (Writer w = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8)) {
                times.store(w, "epoch millis");
            }
        }
        System.out.flush();
        // Checked; stop at once: a clean shutdown would cancel contexts still starting (logged as
        // errors) and add seconds. The member was alone in its own cluster: nothing to hand over.
        Runtime.getRuntime().halt(py.jitActive() ? 0 : 3);
    }

    /**
     * What the training run does beyond the first result, so that the AOT cache holds it too: the
     * standard library modules people use first, and every context's start and pre-warm.
     */
    private static void train(Py py) {
        py.call(PyCall.of("json", "dumps", Map.of("trained", List.of(1, 2, 3))).timeout(CALL_TIMEOUT));
        py.call(PyCall.of("re", "findall", "\\w+", "hzpy trains the fast start").timeout(CALL_TIMEOUT));
        py.awaitReady(py.contexts().numContexts(), READY_WAIT);
    }

    /**
     * Where the CPU went up to now, in ms: the whole process; the Truffle compiler threads (Python
     * code being compiled); HotSpot's own JIT (which also compiles the Graal compiler itself, a Java
     * program on this JDK).
     */
    private static Map<String, Long> cpuSoFar() {
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long truffle = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().contains("TruffleCompilerThread")) {
                truffle += Math.max(0, threads.getThreadCpuTime(t.getThreadId())) / 1_000_000;
            }
        }
        CompilationMXBean hotspot = ManagementFactory.getCompilationMXBean();
        long hotspotMs = hotspot != null && hotspot.isCompilationTimeMonitoringSupported() ? hotspot.getTotalCompilationTime() : -1;
        return Map.of("cpuProcessMs", process, "cpuTruffleCompilerMs", truffle, "hotspotCompileMs", hotspotMs);
    }

    private static void stopAfter(Duration limit) {
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("hzpy check: not done within " + limit + "; stopping");
            Runtime.getRuntime().halt(4);
        }, "hzpy-check-limit");
        stopper.setDaemon(true);
        stopper.start();
    }

    /** No join of any kind and a cluster name of its own: this member never meets the user's members. */
    private static void aloneInACluster(Config config) {
        config.setClusterName("hzpy-check-" + UUID.randomUUID());
        JoinConfig join = new JoinConfig();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().setJoin(join);
        config.setProperty("hzpy.metrics.prometheus-port", "off");
    }
}
