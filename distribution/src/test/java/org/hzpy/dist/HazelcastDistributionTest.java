package org.hzpy.dist;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyMemoryStats;
import org.hzpy.support.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recipe for Hazelcast's own distribution (5.5.0, the newest on Maven Central; the build unpacks
 * it without its big connector jars, hazelcast-jet-*, which take no part): {@code
 * bin/hzpy-into-hazelcast HAZELCAST_DIR}, then Hazelcast's own {@code bin/hz start}; a client calls
 * Python; the member is stopped as its scripts stop it (SIGTERM) and no process is left. Port 6205.
 */
final class HazelcastDistributionTest {
    private static final int PORT = 6205;
    private static final String CLUSTER = "hzpy-into-hazelcast";
    private static final Duration COMMAND_LIMIT = Duration.ofMinutes(3);

    @Test
    void hazelcast550sDistribution_withTheRecipe_startsAMemberThatRunsPythonWithTheJit() throws Exception {
        Path dir = Commands.freshDirectory("it-into-hazelcast");
        Path hazelcast = copy(Path.of(System.getProperty("hzpy.test.hazelcast-distribution")), dir.resolve("hazelcast"));
        Path home = Commands.unpackTheTarball(dir);

        Commands.Outcome recipe = Commands.run(home, Map.of("JAVA_HOME", System.getProperty("java.home")), COMMAND_LIMIT,
                "bin/hzpy-into-hazelcast", hazelcast.toString());

        assertThat(recipe.status()).as(recipe.output()).isZero();
        Path log = home.getParent().resolve("hz-member.log");
        ProcessBuilder hz = new ProcessBuilder(hazelcast.resolve("bin/hz").toString(), "start").directory(hazelcast.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        hz.environment().putAll(Map.of("JAVA_HOME", System.getProperty("java.home"), "HZ_NETWORK_PORT_PORT",
                String.valueOf(PORT), "HZ_CLUSTERNAME", CLUSTER));
        Process member = hz.start();
        try {
            ClientConfig config = new ClientConfig();
            config.setClusterName(CLUSTER);
            config.getNetworkConfig().addAddress("127.0.0.1:" + PORT);
            config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(180_000);
            HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
            try {
                Py py = Py.on(client);

                Object hello = py.call(PyCall.of("example", "hello", "Hazelcast 5.5").timeout(Duration.ofMinutes(3)));

                assertThat(hello).asString().startsWith("Hello, Hazelcast 5.5, from GraalPy");
                assertThat(client.getCluster().getMembers().iterator().next().getVersion().toString()).startsWith("5.5.0");
                Await.until(Duration.ofMinutes(2), "the member reports the JIT", () -> {
                    List<PyMemoryStats> stats = py.memoryStats();
                    return stats.size() == 1 && stats.get(0).jitActive();
                });
            } finally {
                client.shutdown();
            }
        } finally {
            List<ProcessHandle> all = member.toHandle().descendants().toList();
            member.destroy(); // SIGTERM, as Hazelcast's bin/hz-stop sends
            if (!member.waitFor(60, TimeUnit.SECONDS)) {
                member.destroyForcibly();
                member.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("Hazelcast's member did not stop within 60 s of SIGTERM:\n" + tail(log));
            }
            Await.until(Duration.ofSeconds(10), "no process of the member is left",
                    () -> !member.isAlive() && all.stream().noneMatch(ProcessHandle::isAlive));
        }
    }

    /** A pristine copy of the unpacked distribution each run: the recipe changes it. */
    private static Path copy(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to.toAbsolutePath();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
