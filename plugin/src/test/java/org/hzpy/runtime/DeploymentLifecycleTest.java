package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.DeployedFiles;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Deployments across the life of a member's contexts and of the member itself (a member of its own per test). */
class DeploymentLifecycleTest {
    private HazelcastInstance member;
    private Py py;
    private PythonRuntime runtime;

    @BeforeEach
    void start() {
        member = TestMembers.startOwn("deploy-close");
        py = TestMembers.py(member);
        runtime = HzpyPlugin.runtimeOf(member);
    }

    @AfterEach
    void stop() {
        member.shutdown();
    }

    @Test
    void contextsStartedAfterASwitch_importTheCurrentVersion() {
        // Given version 2 current
        runtime.switchDeployment("pricing", 1, DeployedFiles.pricing(1), Set.of("pricing"));
        runtime.switchDeployment("pricing", 2, DeployedFiles.pricing(2), Set.of("pricing"));
        // When the contexts are replaced by new ones
        py.contexts().stop();
        py.contexts().start(1);
        // Then the new context's calls run version 2
        assertThat(py.call("deploy_client", "version_by_import")).isEqualTo(2L);
    }

    @Test
    void closingTheRuntime_deletesTheDeployedDirectories() {
        // Given a deployment current on the member
        Path v1 = DeployedFiles.pricing(1);
        runtime.switchDeployment("pricing", 1, v1, Set.of("pricing"));
        assertThat(py.call("deploy_client", "version_by_import")).isEqualTo(1L);
        // When the member shuts down
        member.shutdown();
        // Then its directory is gone
        assertThat(v1).doesNotExist();
    }
}
