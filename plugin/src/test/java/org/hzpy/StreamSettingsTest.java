package org.hzpy;

import com.hazelcast.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The setting hzpy.stream-idle-timeout. */
class StreamSettingsTest {
    @Test
    void idleTimeout_defaultsToSixtySeconds() {
        assertThat(HzpySettings.defaults().streamIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void idleTimeout_takesADuration() {
        Properties p = new Properties();
        p.setProperty("hzpy.stream-idle-timeout", "500ms");

        assertThat(HzpySettings.fromProperties(p).streamIdleTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void idleTimeout_thatIsNoDuration_stopsTheMemberNamingTheKey() {
        Properties p = new Properties();
        p.setProperty("hzpy.stream-idle-timeout", "forever");

        assertThatThrownBy(() -> HzpySettings.fromProperties(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.stream-idle-timeout").hasMessageContaining("forever");
    }
}
