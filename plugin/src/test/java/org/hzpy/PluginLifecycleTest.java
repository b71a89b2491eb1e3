package org.hzpy;

import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The plugin as a member loads it from YAML: settings applied, started with the member, gone with it. */
class PluginLifecycleTest {

    @Test
    void memberFromYaml_startsHzpy_withItsSettings_andStopsItCleanly() throws Exception {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(TestMembers.config("members/plugin-lifecycle.yaml"));
        String threadPrefix = "hzpy-" + member.getName() + "-";
        Py py;
        try {
            py = Py.on(member);
            assertThat(py.executionMode()).isEqualTo(ExecutionMode.SHARED);
            assertThat(py.numExecutors()).isEqualTo(3);
            assertThat(py.semaphore().maxConcurrent()).isEqualTo(7);
            assertThat(py.settings().callTimeout()).isEqualTo(Duration.ofMillis(1500));
            assertThat(py.settings().sandbox()).isEqualTo(HzpySettings.Sandbox.TRUSTED);
            assertThat(py.eval("6 * 7")).isEqualTo(42L);
            assertThat(threadsNamed(threadPrefix)).isNotEmpty();
        } finally {
            member.shutdown();
        }

        assertThatThrownBy(() -> py.eval("1")).isInstanceOf(PyUnavailableException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> Py.on(member)).isInstanceOf(PyUnavailableException.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!threadsNamed(threadPrefix).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(threadsNamed(threadPrefix)).as("hzpy threads left after shutdown").isEmpty();
    }

    @Test
    void memberDefaultTimeout_fromYaml_interruptsCallsWithoutTheirOwn() {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(TestMembers.config("members/plugin-lifecycle.yaml"));
        try {
            Py py = Py.on(member);
            py.exec("def forever():\n    while True:\n        pass");

            assertThatThrownBy(() -> py.call("__main__", "forever"))
                    .isInstanceOf(PyTimeoutException.class)
                    .hasMessageContaining("1500 ms");
            assertThat(py.semaphore().current()).isZero();
        } finally {
            member.shutdown();
        }
    }

    @Test
    void trustedSandbox_allowsWhatStrictDenies() {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(TestMembers.config("members/plugin-lifecycle.yaml"));
        try {
            Py py = Py.on(member);
            py.exec("import subprocess\n"
                    + "def run_true():\n    return subprocess.run(['true']).returncode", Duration.ofMinutes(1));

            assertThat(py.call(PyCall.of("__main__", "run_true").timeout(Duration.ofMinutes(1)))).isEqualTo(0L);
            assertThat(py.eval("__import__('os').path.exists('/etc/hostname')")).isEqualTo(true);
        } finally {
            member.shutdown();
        }
    }

    @Test
    void badSettings_stopTheMember_namingEveryProblem() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> Hazelcast.newHazelcastInstance(TestMembers.config("members/bad-settings.yaml")));

        assertThat(e.getMessage())
                .contains("hzpy.contexts = '0'", "from 1 to 256")
                .contains("hzpy.call-timeout = 'soon'", "500ms")
                .contains("hzpy.module-path = '/no/such/dir'", "not a directory")
                .contains("hzpy.contxts = '2' is not an hzpy setting", "hzpy.contexts")
                .contains("hzpy.cluster-limit-backend = 'cp'", "auto | atomic-long | imap-entry-processor");
        assertThat(Hazelcast.getAllHazelcastInstances())
                .noneMatch(m -> m.getConfig().getClusterName().equals("hzpy-test-bad"));
    }

    @Test
    void atomicLongLimitAskedFor_onAClusterWithoutCp_stopsTheMember_sayingWhatToSet() {
        // Given hzpy.cluster-limit-backend: atomic-long on Hazelcast 5.5+ community (no CP subsystem)
        // When the member starts
        PyUnavailableException e = catchThrowableOfType(PyUnavailableException.class,
                () -> Hazelcast.newHazelcastInstance(TestMembers.config("members/atomic-long-without-cp.yaml")));

        // Then it does not run with a limit other than the one asked for
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("hzpy.cluster-limit-backend is atomic-long", "set it to auto or imap-entry-processor");
        assertThat(Hazelcast.getAllHazelcastInstances())
                .noneMatch(m -> m.getConfig().getClusterName().equals("hzpy-test-no-cp"));
    }

    private static Set<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
    }
}
