package org.hzpy.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** Embedded single members with the hzpy plugin: loopback only, no join, their own cluster name. */
final class Members {
    static final String PLUGIN = "org.hzpy.cluster.HzpyPlugin";
    /** Members take ports from here up: not the tests' fixed 59xx ports, so benchmarks and tests may run at once. */
    static final int FIRST_PORT = 6901;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration JSON_TRAINING_WAIT = Duration.ofMinutes(4);

    private Members() {
    }

    /** Starts a member with the plugin and these {@code hzpy.*} properties (the rest default). */
    static HazelcastInstance start(Map<String, String> hzpyProperties) {
        return start(hzpyProperties, c -> { });
    }

    /** Like {@link #start(Map)}, with more configuration by {@code more}. */
    static HazelcastInstance start(Map<String, String> hzpyProperties, java.util.function.Consumer<Config> more) {
        Config config = new Config();
        config.setClusterName("hzpy-bench-" + UUID.randomUUID());
        config.getListenerConfigs().add(new ListenerConfig(PLUGIN));
        config.setProperty("hazelcast.logging.type", "jdk");
        hzpyProperties.forEach(config::setProperty);
        // -Dhzpy.KEY=VALUE on the benchmark JVM's command line fills in what the benchmark leaves unset
        Variants.hzpySettingsFromSystemProperties().forEach((k, v) -> {
            if (config.getProperties().getProperty(k) == null) {
                config.setProperty(k, v);
            }
        });
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(FIRST_PORT).setPortAutoIncrement(true);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        more.accept(config);
        return Hazelcast.newHazelcastInstance(config);
    }

    /**
     * Configuration that puts members started with it ({@link #start(Map, java.util.function.Consumer)})
     * into one new cluster of up to {@code size} members of this JVM, on the ports from {@link #FIRST_PORT}.
     */
    static java.util.function.Consumer<Config> oneCluster(String name, int size) {
        String cluster = name + "-" + UUID.randomUUID();
        return c -> {
            c.setClusterName(cluster);
            var tcp = c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true);
            for (int port = FIRST_PORT; port < FIRST_PORT + size; port++) {
                tcp.addMember("127.0.0.1:" + port);
            }
        };
    }

    /** How long {@link #awaitCompilerQuiet()} waits at most. */
    private static final Duration COMPILER_QUIET_WAIT = Duration.ofSeconds(120);

    /**
     * hzpy on {@code member} once {@code contexts} contexts are started and warm, and (with pre-warm)
     * their background warm-up (hzpy.warmup-modules, json's training) has ended: it runs in idle
     * contexts, so a benchmark that left some member idle would otherwise share the cores with it.
     */
    static Py ready(HazelcastInstance member, int contexts) {
        Py py = Py.on(member);
        if (!py.awaitReady(contexts, READY_TIMEOUT)) {
            throw new IllegalStateException(contexts + " Python context(s) of " + member.getName()
                    + " were not ready within " + READY_TIMEOUT.toSeconds() + " s");
        }
        if (!"false".equals(member.getConfig().getProperty("hzpy.prewarm"))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < contexts; i++) {
                py.contexts().bind(py.contexts().context(i));
                try {
                    while (!Boolean.TRUE.equals(py.call("_hzpy_internal", "warmup_settled"))) {
                        if (System.nanoTime() - t0 > JSON_TRAINING_WAIT.toNanos()) {
                            throw new IllegalStateException("json's training in " + member.getName()
                                    + " did not end within " + JSON_TRAINING_WAIT.toSeconds() + " s");
                        }
                        sleep(500); // idle: the training takes idle contexts only
                    }
                } finally {
                    py.contexts().unbind();
                }
            }
            System.out.printf("%s: the background warm-up (modules, json's training) ended after %.1f s more%n", member.getName(), (System.nanoTime() - t0) / 1e9);
        }
        return py;
    }

    /**
     * Waits (at most {@link #COMPILER_QUIET_WAIT}) until Graal's Truffle compiler threads have used
     * under a tenth of a core for 3 seconds in a row: the warm-up leaves them a backlog (its modules
     * and json's training, compiled once per context's engine) that took ~1 of the 2 cores for
     * another minute after it ended, while P5's jobs ran. A member that has run a while is past that;
     * measuring before it would count the member's start-up against the benchmark. P2 waits too: a
     * JFR of its run showed the compiler threads busy through its measurement (~1.4 cores, json's
     * training and convert_class compiled once per engine). P3 waits too: without the wait its
     * 2-context warm-up sat at ~135 calls/s for 30 s (the second engine's fib queued behind that
     * backlog) and the table read 1.59x; with it, 1.93x. P9 waits too: without the wait its plain
     * call read 2.73 and 3.92 us (two runs; in the second the compiler went quiet 10 s after the
     * warm-up ended); with it, 0.599.
     * (The other benchmarks keep their method, so runs compare; whether they need it is not measured.)
     */
    static void awaitCompilerQuiet() {
        CompilerCpu compiler = new CompilerCpu();
        long t0 = System.nanoTime();
        int quietSeconds = 0;
        while (quietSeconds < 3 && System.nanoTime() - t0 < COMPILER_QUIET_WAIT.toNanos()) {
            sleep(1_000);
            quietSeconds = compiler.coresSinceLastCall() < 0.1 ? quietSeconds + 1 : 0;
        }
        System.out.printf("the JIT compiler's threads %s after %.1f s%n", quietSeconds >= 3 ? "went quiet" : "were still busy",
                (System.nanoTime() - t0) / 1e9);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for json's training", e);
        }
    }

    /** Records which engine ran the benchmark. */
    static void recordEngine(Result result, Py py) {
        result.fact("engine", py.engineImplementation());
        result.fact("jit", String.valueOf(py.jitActive()));
    }
}
