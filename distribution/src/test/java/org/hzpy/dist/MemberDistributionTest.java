package org.hzpy.dist;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyMemoryStats;
import org.hzpy.support.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The member distribution as a user gets it: the built tarball unpacked into a fresh directory, and
 * the README's three commands — {@code tar xzf}, {@code bin/hzpy-member start 2},
 * {@code bin/hzpy-member call example.hello World} — then {@code bin/hzpy-member stop}. The members
 * listen on 6201-6203 (Hazelcast's own {@code HZ_NETWORK_PORT_PORT} override); the first start
 * builds the fast start (jlink + an AOT training run), which is the slow part of this class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class MemberDistributionTest {
    private static final int PORT = 6201;
    private static final Map<String, String> PORTS = Map.of("HZ_NETWORK_PORT_PORT", String.valueOf(PORT));
    /** A first start builds the fast start, then starts two members: minutes on a loaded 2-core machine. */
    private static final Duration START_LIMIT = Duration.ofMinutes(12);
    private static final Duration COMMAND_LIMIT = Duration.ofMinutes(3);

    private Path home;
    private Commands.Outcome started;
    private List<Long> pids;

    @BeforeAll
    void unpackTheTarballAndStartTwoMembers() {
        home = Commands.unpackTheTarball(Commands.freshDirectory("it-member"));
        long t0 = System.nanoTime();
        started = Commands.run(home.getParent(), Map.of("HZ_NETWORK_PORT_PORT", String.valueOf(PORT),
                "HZPY_START_TIMEOUT", "600"), START_LIMIT, home.getFileName() + "/bin/hzpy-member", "start", "2");
        System.out.printf("MemberDistributionTest: 'start 2' (fast start built, two members up) took %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        pids = Commands.memberPids(home);
    }

    @AfterAll
    void stopWhatIsStillRunning() {
        if (home != null && pids.stream().anyMatch(Commands::alive)) {
            Commands.run(home, Map.of(), COMMAND_LIMIT, "bin/hzpy-member", "stop");
        }
    }

    @Test
    @Order(1)
    void start2_startsTwoMembers_theFastWay_afterBuildingTheFastStart() {
        assertThat(started.status()).as(started.output()).isZero();
        assertThat(started.output()).contains("building the fast start", "fast start built in", "member 1 up",
                "member 2 up", "with the Graal JIT");
        assertThat(pids).hasSize(2).allMatch(Commands::alive);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse(""))
                    .isEqualTo(home.resolve("cache/fast-start/jdk/bin/java").toString());
        }
    }

    @Test
    @Order(2)
    void aJavaClient_callsPython_andEachMemberReportsTheJit() {
        ClientConfig config = new ClientConfig();
        config.setClusterName("hzpy"); // conf/hazelcast.yaml's
        config.getNetworkConfig().addAddress("127.0.0.1:" + PORT, "127.0.0.1:" + (PORT + 1));
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(120_000);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        try {
            Py py = Py.on(client);

            // a long timeout: a member just up may still be warming its contexts up on a loaded machine
            Object hello = py.call(PyCall.of("example", "hello", "Java").timeout(Duration.ofMinutes(3)));

            assertThat(hello).asString().startsWith("Hello, Java, from GraalPy");
            Await.until(Duration.ofMinutes(2), "both members report the JIT", () -> {
                List<PyMemoryStats> stats = py.memoryStats();
                return stats.size() == 2 && stats.stream().allMatch(PyMemoryStats::jitActive);
            });
        } finally {
            client.shutdown();
        }
    }

    @Test
    @Order(3)
    void theCallCommand_printsTheResult_andTheJitOfEachMember() {
        Commands.Outcome call = Commands.run(home.getParent(), PORTS, COMMAND_LIMIT,
                home.getFileName() + "/bin/hzpy-member", "call", "example.hello", "World");

        assertThat(call.status()).as(call.output()).isZero();
        assertThat(call.output()).contains("Hello, World, from GraalPy");
        assertThat(call.output().split("Graal JIT active", -1)).hasSize(3); // once per member
    }

    @Test
    @Order(4)
    void status_listsBothMembers() {
        Commands.Outcome status = Commands.run(home, Map.of(), COMMAND_LIMIT, "bin/hzpy-member", "status");

        assertThat(status.status()).isZero();
        assertThat(status.output()).contains("member-1: running, pid ", "member-2: running, pid ");
    }

    @Test
    @Order(5)
    void stop_endsBothMembers_andLeavesNoProcess() {
        Commands.Outcome stop = Commands.run(home, Map.of(), COMMAND_LIMIT, "bin/hzpy-member", "stop");

        assertThat(stop.status()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("stopped 2 member(s)");
        assertThat(pids).noneMatch(Commands::alive);
        assertThat(Commands.memberPids(home)).isEmpty();
    }

    @Test
    @Order(6)
    void aChangedJvmOptionsFile_makesTheNextStartRebuildTheFastStart_andSaySo() throws IOException {
        Path options = home.resolve("conf/jvm.options");
        Files.writeString(options, Files.readString(options).replace("-Xmx2g", "-Xmx1536m"));

        Commands.Outcome check = Commands.run(home, PORTS, START_LIMIT, "bin/hzpy-member", "check");

        assertThat(check.status()).as(check.output()).isZero();
        assertThat(check.output()).contains("the fast start's cache is stale", "fast start built in",
                "hzpy check: Python answered", "Graal JIT active");
    }

    @Test
    @Order(7)
    void anUnchangedInstall_startsFromTheCache_withoutRebuilding() {
        Commands.Outcome check = Commands.run(home, PORTS, COMMAND_LIMIT, "bin/hzpy-member", "check");

        assertThat(check.status()).as(check.output()).isZero();
        assertThat(check.output()).contains("Graal JIT active").doesNotContain("fast start built", "stale");
    }

    @Test
    @Order(8)
    void aRelativeConfigurationPath_isFoundInTheInstallDirectory_fromAnyDirectory() {
        Map<String, String> env = new java.util.HashMap<>(PORTS);
        env.put("HZPY_CONF", "conf/hazelcast.yaml");

        Commands.Outcome check = Commands.run(home.getParent(), env, COMMAND_LIMIT, home.resolve("bin/hzpy-member").toString(),
                "check");

        assertThat(check.status()).as(check.output()).isZero();
        assertThat(check.output()).contains("hzpy check: Python answered");
    }

    @Test
    void aMissingConfiguration_isNamed_beforeAnyJvmStarts() {
        Commands.Outcome check = Commands.run(home, Map.of("HZPY_CONF", "nowhere.yaml"), COMMAND_LIMIT,
                "bin/hzpy-member", "check");

        assertThat(check.status()).isEqualTo(1);
        assertThat(check.output()).contains("no member configuration at " + home.resolve("nowhere.yaml"),
                "(HZPY_CONF=nowhere.yaml)");
    }

    @Test
    void withoutJava21_theLauncherSaysWhatItFoundAndWhatIsMissing() throws IOException {
        Path noJdks = Files.createDirectories(home.getParent().resolve("no-jdks"));

        Commands.Outcome check = Commands.run(home, Map.of("JAVA_HOME", "/nonexistent", "PATH", "/usr/bin:/bin",
                "HZPY_JVM_DIRS", noJdks.toString()), COMMAND_LIMIT, "bin/hzpy-member", "check");

        assertThat(check.status()).isEqualTo(1);
        assertThat(check.output()).contains("hzpy needs Java 21 or newer", "JAVA_HOME=/nonexistent",
                "no Java 21+ under " + noJdks, "Install a JDK 21+");
    }

    @Test
    void theConfiguration_isTheAnnotatedOneWithTheDistributionsSecureDefaults() throws IOException {
        String yaml = Files.readString(home.resolve("conf/hazelcast.yaml"));

        assertThat(yaml).contains("hzpy.remote-eval: false", "hzpy.remote-deploy: false", "hzpy.sandbox: strict",
                "hzpy.remote-modules: module-path", "hzpy.metrics.prometheus-port: off", "resource-upload-enabled: false",
                "hzpy.module-path: python", "- org.hzpy.cluster.HzpyPlugin");
    }
}
