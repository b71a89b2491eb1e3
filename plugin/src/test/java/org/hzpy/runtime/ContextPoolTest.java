package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyTimeoutException;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The contexts' lifecycle: a start that fails is tried again; a context given up answers its callers first. */
@ExtendWith(Invariants.class)
class ContextPoolTest {
    /** 3 ** this: one builtin operation of seconds that never checks for an interrupt (see hardening.huge_power). */
    private static final int LONG_BUILTIN = 40_000_000;

    @Test
    void aContextWhoseStartFails_isStartedAgainAfterAPause_untilItServes() {
        // Given a member whose exec log holds code that refuses to run in a fresh context while the
        // state key 'refuse-starts' is set (context 0, where it ran first, is marked to let it pass)
        HazelcastInstance member = TestMembers.startOwn("context-start");
        try {
            Py py = TestMembers.py(member);
            py.state().store("refuse-starts", true);
            TestMembers.inContext(py, 0, () -> {
                py.eval("globals().__setitem__('first', True)");
                py.exec("import hzpy\nif hzpy.state_get('refuse-starts', False) and not globals().get('first'):\n"
                        + "    raise RuntimeError('this context may not start')\n");
                return null;
            });
            long failuresBefore = py.stats().contextStartFailures();

            // When every context is started afresh, so each start replays that code and fails, more
            // often than the 3 attempts a slot used to get before it stayed empty for good
            py.contexts().stop();
            py.contexts().start(2);
            Await.until(Duration.ofMinutes(3), "more than 3 failed starts of one slot", () ->
                    py.stats().contextStartFailures() - failuresBefore > 2 * Limits.REPLAY_ATTEMPTS);
            py.state().store("refuse-starts", false);

            // Then the starts go on after a pause and succeed once they can: both contexts serve
            assertThat(py.awaitReady(2, Duration.ofMinutes(2))).as("both contexts serve").isTrue();
            for (int i = 0; i < 2; i++) {
                int context = i;
                assertThat(TestMembers.inContext(py, i, () -> py.call("hardening", "echo", context))).isEqualTo((long) i);
            }
        } finally {
            member.shutdown();
        }
    }

    @Test
    void anAbandonedAsyncCall_isAnsweredWhileItsOperationStillRuns_andItsThreadIsGivenBackAfter() throws Exception {
        // Given an asynchronous call stuck in one builtin operation that never checks for an interrupt
        HazelcastInstance member = TestMembers.runaway();
        Py py = TestMembers.py(member);
        PythonRuntime runtime = (PythonRuntime) member.getUserContext().get(HzpyPlugin.USER_CONTEXT_KEY);
        CompletableFuture<Object> call = py.callAsync(PyCall.of("hardening", "huge_power", LONG_BUILTIN)
                .timeout(Duration.ofMillis(500))).toCompletableFuture();

        // When hzpy gives up on it (its timeout of 500 ms and hzpy.abandon-after of 1 s have passed)
        ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> call.get(2, TimeUnit.MINUTES));
        long aliveWhenAnswered = py.stats().abandonedContextsAlive();

        // Then the caller was answered before the abandoned context could close (its operation
        // still ran then), the call pool lent a thread in place of the stuck one, and both come back
        // once the operation returns
        assertThat(e.getCause()).isInstanceOf(PyTimeoutException.class).hasMessageContaining("hzpy.abandon-after");
        assertThat(aliveWhenAnswered).as("abandoned contexts alive when the caller had its answer").isEqualTo(1);
        Await.until(Duration.ofMinutes(2), "the abandoned context closed", () -> py.stats().abandonedContextsAlive() == 0);
        Await.until(Duration.ofMinutes(1), "the lent call thread given back", () -> runtime.callThreadsLent() == 0);
        assertThat(py.awaitReady(2, Duration.ofMinutes(2))).as("both contexts serve").isTrue();
    }
}
