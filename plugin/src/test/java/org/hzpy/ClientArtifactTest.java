package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.ClientArtifactClient;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client whose JVM has only the hzpy-client artifact and Hazelcast's jar on its class path (and
 * the one class it runs, {@link ClientArtifactClient}) calls Python on two real members: a call, a
 * stream, the members' memory stats, a parallel batch, a deployment and a Jet job with a Python
 * stage all work, and neither GraalPy
 * nor hzpy's runtime nor its plugin can be loaded there. The members are embedded in the test JVM
 * (ports 6191-6192); the client JVM is started once for the class.
 */
class ClientArtifactTest {
    private static HazelcastInstance a;
    private static HazelcastInstance b;
    private static MemberProcess client;
    private static List<String> classPath;

    @BeforeAll
    static void startTheMembersAndTheClient() throws IOException, URISyntaxException {
        // Given two members that load the plugin
        a = TestMembers.startOwn("client-artifact-a");
        b = TestMembers.startOwn("client-artifact-b");
        TestMembers.py(a);
        TestMembers.py(b);
        // and a client JVM whose class path is the client's main class, hzpy-client and Hazelcast
        classPath = List.of(mainClassAlone().toString(), locationOf(Py.class), locationOf(HazelcastInstance.class));
        client = MemberProcess.start(180, String.join(File.pathSeparator, classPath), ClientArtifactTest::notTheJit, List.of(),
                ClientArtifactClient.class, a.getConfig().getClusterName(), "127.0.0.1:6191");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        for (HazelcastInstance m : new HazelcastInstance[] {a, b}) {
            if (m != null) {
                m.shutdown();
            }
        }
    }

    @Test
    void theClientJvm_hasOnlyTheClientArtifactAndHazelcast() throws InterruptedException {
        // Then its class path is those three entries, none of them the plugin's or GraalPy's
        assertThat(client.awaitLine("CLASSPATH", 60)).isEqualTo("CLASSPATH 3");
        assertThat(classPath.get(1)).contains("client").doesNotContain("plugin");
        assertThat(classPath).noneMatch(entry -> entry.contains("graalvm"));
    }

    @Test
    void graalPyAndTheRuntime_cannotBeLoadedInTheClientJvm() throws InterruptedException {
        assertThat(client.awaitLine("GRAALPY", 60)).isEqualTo("GRAALPY false");
        assertThat(client.awaitLine("RUNTIME", 60)).isEqualTo("RUNTIME false");
        assertThat(client.awaitLine("PLUGIN", 60)).isEqualTo("PLUGIN false");
    }

    @Test
    void aCall_returnsThePythonResult() throws InterruptedException {
        assertThat(client.awaitLine("CALL", 120)).isEqualTo("CALL 42");
    }

    @Test
    void aStream_yieldsTheGeneratorsItems() throws InterruptedException {
        assertThat(client.awaitLine("STREAM", 120)).isEqualTo("STREAM [0, 1, 2, 3, 4]");
    }

    @Test
    void memoryStats_answerForEveryMember() throws InterruptedException {
        assertThat(client.awaitLine("MEMORY", 120)).isEqualTo("MEMORY [6191, 6192]");
    }

    @Test
    void aParallelBatch_returnsEachCallsOutcome() throws InterruptedException {
        assertThat(client.awaitLine("PARALLEL", 120)).isEqualTo("PARALLEL [3, 7]");
    }

    @Test
    void aModuleDeployedFromTheClient_isCallable() throws InterruptedException {
        assertThat(client.awaitLine("DEPLOY", 150)).isEqualTo("DEPLOY deployed");
    }

    @Test
    void aJetJobWithAPythonStage_runsItsPythonOnTheMembers() throws InterruptedException {
        assertThat(client.awaitLine("JET", 180)).isEqualTo("JET [2, 4, 6]");
    }

    /** The test JVM's options without the Graal JIT's: its compiler jars are not the client's to have. */
    private static boolean notTheJit(String option) {
        return !option.contains("JVMCI") && !option.startsWith("--upgrade-module-path") && !option.contains("UnlockExperimentalVMOptions");
    }

    /** The directory or jar a class was loaded from: hzpy-client's own for {@link Py}, Hazelcast's for its classes. */
    private static String locationOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** A directory holding {@link ClientArtifactClient}'s class file and nothing else of the tests. */
    private static Path mainClassAlone() throws IOException {
        String file = ClientArtifactClient.class.getName().replace('.', '/') + ".class";
        Path dir = Files.createDirectories(Path.of("target", "client-artifact-main"));
        Path target = dir.resolve(file);
        Files.createDirectories(target.getParent());
        try (InputStream in = ClientArtifactClient.class.getClassLoader().getResourceAsStream(file)) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return dir.toAbsolutePath();
    }
}
