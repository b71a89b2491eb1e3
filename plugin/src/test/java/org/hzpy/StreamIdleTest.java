package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a stream ends when its consumer does not end it: the idle timeout (this member's is 1 s), its
 * context stopped, the runtime closed. The member is this class's own (one context).
 */
class StreamIdleTest {
    private static HazelcastInstance member;
    private static Py py;

    @BeforeAll
    static void start() {
        member = TestMembers.startOwn("stream-idle");
        py = TestMembers.py(member);
    }

    @AfterAll
    static void stop() {
        if (member != null) {
            member.shutdown();
        }
    }

    private static long finalsOf(String tag) {
        return ((Number) py.call("streammod", "finals_of", tag)).longValue();
    }

    @Test
    void streamWithoutAPull_isClosedAfterTheIdleTimeout() {
        // Given an endless stream read once, then left alone
        PyStream stream = py.stream(PyCall.of("streammod", "endless", "idle"), 4);
        stream.next();
        assertThat(py.stats().streamsOpen()).isEqualTo(1);
        assertThat(py.semaphore().current()).isEqualTo(1);

        // When the idle timeout (1 s) passes
        Await.until(Duration.ofSeconds(20), "the idle stream closed", () -> py.stats().streamsOpen() == 0);

        // Then its permit is back, its generator's finally ran once, and a pull says why it ended
        Await.until(Duration.ofSeconds(10), "the idle stream's permit back", () -> py.semaphore().current() == 0);
        Await.until(Duration.ofSeconds(10), "the idle generator's finally", () -> finalsOf("idle") == 1);
        for (int i = 0; i < 3; i++) {
            stream.next(); // the rest of the batch pulled before it went idle
        }
        assertThatThrownBy(stream::hasNext).isInstanceOf(PyTimeoutException.class)
                .hasMessageContaining("hzpy.stream-idle-timeout");
        assertThat(finalsOf("idle")).isEqualTo(1);
    }

    @Test
    void streamWhoseContextStopped_failsItsNextPullAsUnavailable() {
        // Given an open stream
        PyStream stream = py.stream(PyCall.of("streammod", "endless", "context-stopped"), 1);
        stream.next();

        // When its context is stopped (and a new one started)
        py.contexts().stop();
        py.contexts().start(1);
        try {
            // Then its permit is freed, and the next pull fails with PyUnavailableException saying why
            Await.until(Duration.ofSeconds(10), "the stream ended with its context", () -> py.stats().streamsOpen() == 0);
            assertThat(py.semaphore().current()).isZero();
            assertThatThrownBy(stream::hasNext).isInstanceOf(PyUnavailableException.class)
                    .hasMessageContaining("context").hasMessageContaining("restarted, retired or abandoned");
        } finally {
            assertThat(py.awaitReady(1, Duration.ofMinutes(2))).isTrue();
        }
    }

    @Test
    void streamOpenWhenTheMemberShutsDown_failsItsNextPullAsUnavailable() {
        // Given a second member of this kind, with an open stream
        com.hazelcast.config.Config config = TestMembers.config("members/stream-idle.yaml");
        config.setInstanceName("hzpy-stream-shutdown");
        HazelcastInstance other = com.hazelcast.core.Hazelcast.newHazelcastInstance(config);
        Py otherPy = TestMembers.py(other);
        PyStream stream = otherPy.stream(PyCall.of("streammod", "endless", "shutdown"), 1);
        stream.next();

        // When the member shuts down
        other.shutdown();

        // Then the next pull fails with PyUnavailableException
        assertThatThrownBy(stream::hasNext).isInstanceOf(PyUnavailableException.class).hasMessageContaining("closed");
    }
}
