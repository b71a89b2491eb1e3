package org.hzpy;

import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hzpy.max-call-timeout caps the timeout any caller asks for: remote and local calls alike (the member's cap: 2 s). */
class MaxCallTimeoutTest {
    private static final Duration A_CENTURY = Duration.ofDays(365 * 100);
    private static HazelcastInstance member;

    @BeforeAll
    static void start() {
        member = TestMembers.startOwn("max-call-timeout");
    }

    @AfterAll
    static void stop() {
        member.shutdown();
    }

    @Test
    void aRemoteCallAskingForACentury_isStoppedAtTheMembersCap() {
        // Given a client
        Py client = Py.on(TestMembers.clientOf(member));

        // When it calls a function that never returns, with a timeout of a century
        var call = client.callAsync(PyCall.of("hardening", "spin_forever").timeout(A_CENTURY)).toCompletableFuture();

        // Then the member stops it at its cap
        assertThatThrownBy(() -> call.get(2, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PyTimeoutException.class).hasMessageContaining("within 2000 ms");
    }

    @Test
    void aLocalCallAskingForACentury_isStoppedAtTheCapToo() {
        // Given the member's own hzpy
        Py py = TestMembers.py(member);

        // When it calls a function that never returns, with a timeout of a century
        var call = py.callAsync(PyCall.of("hardening", "spin_forever").timeout(A_CENTURY)).toCompletableFuture();

        // Then the call is stopped at the cap as well
        assertThatThrownBy(() -> call.get(2, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PyTimeoutException.class).hasMessageContaining("within 2000 ms");
    }

    @Test
    void aDefaultTimeoutLongerThanTheCap_isRefusedWithBothSettingsNamed() {
        Properties p = new Properties();
        p.setProperty("hzpy.call-timeout", "2h");

        assertThatThrownBy(() -> HzpySettings.fromProperties(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hzpy.call-timeout = PT2H is longer than hzpy.max-call-timeout = PT1H");
    }

    @Test
    void theCap_isAnHourByDefault() {
        assertThat(HzpySettings.defaults().maxCallTimeout()).isEqualTo(Duration.ofHours(1));
    }
}
