package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(Invariants.class)
class AsyncCallTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @Test
    void callAsync_completesWithTheResult() {
        List<CompletableFuture<Object>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(py.callAsync(PyCall.of("testmod", "add", i, 1)).toCompletableFuture());
        }
        for (int i = 0; i < 10; i++) {
            assertThat(results.get(i)).succeedsWithin(Duration.ofSeconds(30)).isEqualTo((long) i + 1);
        }
    }

    @Test
    void callAsync_failsWithThePythonException() {
        assertThat(py.callAsync(PyCall.of("testmod", "fail", "async boom")).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(30))
                .withThrowableThat().withCauseInstanceOf(PythonException.class).withMessageContaining("async boom");
    }

    @Test
    void callAsync_failure_reachesStageCallbacksUnwrapped() {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        py.callAsync(PyCall.of("testmod", "fail", "seen")).whenComplete((r, e) -> seen.complete(e));

        assertThat(seen).succeedsWithin(Duration.ofSeconds(30)).isInstanceOf(PythonException.class);
    }

    @Test
    void callAsync_timesOut() {
        assertThat(py.callAsync(PyCall.of("testmod", "spin").timeout(Duration.ofMillis(200))).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(30))
                .withThrowableThat().withCauseInstanceOf(PyTimeoutException.class);
    }
}
