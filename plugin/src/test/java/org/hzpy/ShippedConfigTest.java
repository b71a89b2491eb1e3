package org.hzpy;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemYamlConfig;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;

/** The hazelcast.yaml users copy from the repository keeps every setting that lets a client run code off. */
class ShippedConfigTest {
    @Test
    void theHazelcastYamlUsersCopy_letsNoClientRunCodeItSends() throws FileNotFoundException {
        // Given the member configuration shipped at the top of the repository
        Config shipped = new FileSystemYamlConfig("../hazelcast.yaml");

        // When hzpy reads its settings from it (its module path is relative to the repository's top)
        java.util.Properties properties = shipped.getProperties();
        properties.setProperty("hzpy.module-path", "../" + properties.getProperty("hzpy.module-path"));
        HzpySettings settings = HzpySettings.fromProperties(properties);

        // Then remote eval/exec is off and remote calls reach module-path modules only
        assertThat(settings.remoteEval()).isFalse();
        assertThat(settings.remoteModules()).containsExactly(HzpySettings.MODULE_PATH);
        assertThat(settings.sandbox()).isEqualTo(HzpySettings.Sandbox.STRICT);
    }
}
