package org.hzpy;

import com.hazelcast.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code hzpy.async-max-pending}: checked with the other settings, a secure default. No member needed. */
class AsyncSettingsTest {

    private static HzpySettings with(String value) {
        Properties p = new Properties();
        p.setProperty("hzpy.async-max-pending", value);
        return HzpySettings.fromProperties(p);
    }

    @Test
    void asyncMaxPending_defaultsTo100000() {
        assertThat(HzpySettings.defaults().asyncMaxPending()).isEqualTo(100_000);
    }

    @Test
    void asyncMaxPending_takesAValueInRange() {
        assertThat(with("2500").asyncMaxPending()).isEqualTo(2500);
    }

    @Test
    void asyncMaxPending_outOfRange_stopsTheMemberNamingTheKey() {
        assertThatThrownBy(() -> with("0")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.async-max-pending").hasMessageContaining("1 to 1000000");
        assertThatThrownBy(() -> with("lots")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.async-max-pending");
    }
}
