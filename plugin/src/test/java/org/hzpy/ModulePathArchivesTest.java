package org.hzpy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Archives;
import org.hzpy.support.DebianFiles;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A member whose {@code hzpy.module-path} holds a zip (built here under target/) and one of
 * Debian's wheels: Python imports from both in place through zipimport, under the strict sandbox,
 * which reads the archives and still nothing else.
 */
class ModulePathArchivesTest {
    private static final Path ARCHIVES = Path.of("target/module-path-archives").toAbsolutePath();
    private static Path zip;
    private static Path secret;
    private static Path wheel;
    private static HazelcastInstance member;
    private static HazelcastInstance client;
    private static Py py;

    @BeforeAll
    static void startMember() throws IOException {
        Files.createDirectories(ARCHIVES);
        zip = ARCHIVES.resolve("app.zip");
        Files.deleteIfExists(zip);
        Archives.zip(zip, Map.of(
                "zipped_tools.py", "def double(x):\n    return x * 2\n",
                "zipped_pkg/__init__.py", "from .inner import greet\n",
                "zipped_pkg/inner.py", "def greet(name):\n    return 'hi ' + name\n"));
        secret = Files.writeString(ARCHIVES.resolve("secret.txt"), "next to the zip, not on the module path");
        wheel = DebianFiles.wheel("wheel", "python3-wheel-whl");

        Config config = TestMembers.config("members/module-path-archives.yaml");
        config.setProperty("hzpy.module-path", zip + "," + wheel);
        member = Hazelcast.newHazelcastInstance(config);
        py = TestMembers.py(member);

        ClientConfig clientConfig = new ClientConfig();
        clientConfig.setClusterName(member.getConfig().getClusterName());
        clientConfig.setProperty("hazelcast.logging.type", "jdk");
        clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort());
        client = HazelcastClient.newHazelcastClient(clientConfig);
    }

    @AfterAll
    static void stopMember() {
        if (client != null) {
            client.shutdown();
        }
        if (member != null) {
            member.shutdown();
        }
    }

    @Test
    void givenAZipOnTheModulePath_whenAModuleInItIsCalled_thenItRuns() {
        assertThat(py.call("zipped_tools", "double", 21)).isEqualTo(42L);
    }

    @Test
    void givenAZipOnTheModulePath_whenAPackageInItIsCalled_thenItsRelativeImportsWork() {
        assertThat(py.call("zipped_pkg", "greet", "Ada")).isEqualTo("hi Ada");
    }

    @Test
    void givenDebiansWheelOnTheModulePath_whenAFunctionOfItsPackageIsCalled_thenItRuns() {
        Object encoded = py.call("wheel.util", "urlsafe_b64encode", "hzpy".getBytes(StandardCharsets.US_ASCII));

        assertThat(encoded).isEqualTo("aHpweQ".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void givenDebiansWheelOnTheModulePath_whenImportlibMetadataAsksItsVersion_thenItIsTheWheels() {
        Object version = py.eval("__import__('importlib.metadata').metadata.version('wheel')");

        assertThat(version).isEqualTo(DebianFiles.versionOf(wheel));
    }

    @Test
    void givenAClientAndTheDefaultRemotePolicy_whenItCallsAModuleInTheZip_thenTheModuleCountsAsOnTheModulePath() {
        assertThat(Py.on(client).call("zipped_tools", "double", 4)).isEqualTo(8L);
    }

    @Test
    void givenTheArchivesReadable_whenPythonReadsAFileNextToTheZip_thenTheSandboxRefuses() {
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.eval("open(p).read()", Map.of("p", secret.toString())));

        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + secret + "'");
    }

    @Test
    void givenOneDebianWheelOnTheModulePath_whenPythonReadsAnotherOne_thenTheSandboxRefuses() {
        Path pip = DebianFiles.wheel("pip", "python3-pip-whl");

        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.eval("len(open(p, 'rb').read())", Map.of("p", pip.toString())));

        assertThat(e.pythonType()).isEqualTo("PermissionError");
    }

    @Test
    void givenAZipOnTheModulePath_whenPythonWritesToIt_thenTheSandboxRefuses_andTheZipIsUnchanged() throws IOException {
        byte[] before = Files.readAllBytes(zip);

        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.eval("open(p, 'ab').write(b'x')", Map.of("p", zip.toString())));

        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(Files.readAllBytes(zip)).isEqualTo(before);
    }
}
