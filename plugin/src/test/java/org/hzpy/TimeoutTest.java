package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(Invariants.class)
class TimeoutTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @BeforeEach
    void pinToOneContext() {
        py.contexts().bind(py.contexts().context(0));
    }

    @AfterEach
    void unpin() {
        py.contexts().unbind();
    }

    @Test
    void infiniteLoop_isInterrupted_andThrowsTimeout() {
        assertThatThrownBy(() -> py.call(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(300))))
                .isInstanceOf(PyTimeoutException.class)
                .hasMessageContaining("testmod.spin()")
                .hasMessageContaining("300 ms");
    }

    @Test
    void contextStaysUsable_afterTimeout() {
        assertThatThrownBy(() -> py.call(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(200))))
                .isInstanceOf(PyTimeoutException.class);

        assertThat(py.call("testmod", "echo", "still alive")).isEqualTo("still alive");
        assertThat(py.eval("sum(range(10))")).isEqualTo(45L);
    }

    @Test
    void timedOutCall_stopsRunning_insteadOfFinishingInTheBackground() throws Exception {
        // Given a call in context 0 that spins until released (then marks itself finished), past its
        // timeout (run on a thread of its own, so that a call that is never stopped fails the test
        // after a bound instead of hanging it)
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Object> spinning = caller.submit(() -> TestMembers.inContext(py, 0, () -> py.call(
                    PyCall.of("testmod", "spin_until_released_then_mark", "t1").timeout(Duration.ofMillis(200)))));
            assertThatThrownBy(() -> spinning.get(1, TimeUnit.MINUTES))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(PyTimeoutException.class);
        } finally {
            caller.shutdownNow();
        }

        // When it is released in its context (which a call still spinning there would hold: the
        // release would then time out)
        py.call(PyCall.of("testmod", "release", "t1").timeout(Duration.ofSeconds(10)));

        // Then it never got as far as marking itself finished
        assertThat(py.call("testmod", "was_finished", "t1")).isEqualTo(false);
    }

    @Test
    void lateResult_neverReachesTheNextCaller() {
        assertThatThrownBy(() -> py.call(PyCall.of("testmod", "sleep_then", 1.0, "late").timeout(Duration.ofMillis(200))))
                .isInstanceOf(PyTimeoutException.class);

        for (int i = 0; i < 20; i++) {
            assertThat(py.call("testmod", "sleep_then", 0.05, "fresh-" + i)).isEqualTo("fresh-" + i);
        }
    }

    @Test
    void timeout_releasesThePermit() {
        assertThatThrownBy(() -> py.call(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(100))))
                .isInstanceOf(PyTimeoutException.class);
        assertThat(py.semaphore().current()).isZero();
    }
}
