package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(Invariants.class)
class OverloadTest {
    private final Py py = TestMembers.py(TestMembers.isolated());
    private final int configuredMax = py.settings().maxConcurrent();

    @AfterEach
    void restoreLimit() {
        py.semaphore().setMaxConcurrent(configuredMax);
    }

    @Test
    void limit_defaultsToTheConfiguredValue() {
        assertThat(py.semaphore().maxConcurrent()).isEqualTo(16);
        assertThat(py.semaphore().current()).isZero();
    }

    @Test
    void exhaustedLimit_failsFastWithCurrentAndMax() throws Exception {
        py.semaphore().setMaxConcurrent(1);
        CompletableFuture<Object> holder = py.callAsync(PyCall.of("testmod", "sleep_then", 1.0, "held")).toCompletableFuture();
        waitUntilCurrentIs(1);

        OverloadedException e = catchThrowableOfType(OverloadedException.class, () -> py.call("testmod", "echo", 1));

        assertThat(e.current()).isEqualTo(1);
        assertThat(e.max()).isEqualTo(1);
        assertThat(e).hasMessageContaining("1 of 1");
        assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("held");
    }

    @Test
    void burstOfFailures_leavesNoPermitBehind() throws Exception {
        py.semaphore().setMaxConcurrent(1);
        CompletableFuture<Object> holder = py.callAsync(PyCall.of("testmod", "sleep_then", 1.0, "held")).toCompletableFuture();
        waitUntilCurrentIs(1);
        for (int i = 0; i < 500; i++) {
            assertThatThrownBy(() -> py.call("testmod", "echo", 1)).isInstanceOf(OverloadedException.class);
        }
        assertThat(py.callAsync(PyCall.of("testmod", "echo", 1)).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(5)).withThrowableThat().withCauseInstanceOf(OverloadedException.class);
        holder.get(10, TimeUnit.SECONDS);
        py.semaphore().setMaxConcurrent(configuredMax);

        // failures of every other kind release their permits too
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> py.call("testmod", "fail", "x")).isInstanceOf(PythonException.class);
            assertThatThrownBy(() -> py.call("testmod", "opaque")).isInstanceOf(PyConversionException.class);
            assertThatThrownBy(() -> py.call("testmod", "echo", new Object())).isInstanceOf(PyConversionException.class);
        }
        assertThatThrownBy(() -> py.call(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(50))))
                .isInstanceOf(PyTimeoutException.class);

        assertThat(py.semaphore().current()).isZero();
    }

    @Test
    void raisingTheLimit_letsWaitingLoadThrough() throws Exception {
        py.semaphore().setMaxConcurrent(1);
        CompletableFuture<Object> holder = py.callAsync(PyCall.of("testmod", "sleep_then", 0.5, "held")).toCompletableFuture();
        waitUntilCurrentIs(1);

        py.semaphore().setMaxConcurrent(2);

        assertThat(py.call("testmod", "echo", "through")).isEqualTo("through");
        holder.get(10, TimeUnit.SECONDS);
    }

    @Test
    void invalidLimit_isRejected() {
        assertThatThrownBy(() -> py.semaphore().setMaxConcurrent(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        assertThat(py.semaphore().maxConcurrent()).isEqualTo(configuredMax);
    }

    private void waitUntilCurrentIs(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (py.semaphore().current() != n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(py.semaphore().current()).isEqualTo(n);
    }
}
