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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
                    py.stats().contextStartFailures() - failuresBefore > 2 * Timeouts.REPLAY_ATTEMPTS);
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
    void anAbandonedAsyncCall_isAnsweredBeforeItsContextsBoundedClose_andItsThreadIsGivenBackAfter() throws Exception {
        // Given an asynchronous call stuck in one builtin operation that never checks for an interrupt
        // (closing its context waits for the operation, at most 5 s, then logs that it goes on in the background)
        HazelcastInstance member = TestMembers.runaway();
        Py py = TestMembers.py(member);
        PythonRuntime runtime = (PythonRuntime) member.getUserContext().get(HzpyPlugin.USER_CONTEXT_KEY);
        List<String> closeWarnings = new CopyOnWriteArrayList<>();
        Handler closes = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (String.valueOf(r.getMessage()).contains("did not close within")) {
                    closeWarnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger(Timeouts.class.getName()).addHandler(closes);
        try {
            CompletableFuture<Object> call = py.callAsync(PyCall.of("hardening", "huge_power", LONG_BUILTIN)
                    .timeout(Duration.ofSeconds(2))).toCompletableFuture();

            // When hzpy gives up on it (its timeout of 2 s and hzpy.abandon-after of 1 s have passed)
            ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> call.get(2, TimeUnit.MINUTES));
            List<String> warningsWhenAnswered = List.copyOf(closeWarnings);
            long aliveWhenAnswered = py.stats().abandonedContextsAlive();
            int lentWhenAnswered = runtime.callThreadsLent();

            // Then the caller was answered before the context's close had waited out its bound (the
            // stuck context still counted as alive), a thread stood in for the stuck one, and both go
            // once the operation returns (minutes on a loaded 2-core machine)
            assertThat(e.getCause()).isInstanceOf(PyTimeoutException.class).hasMessageContaining("hzpy.abandon-after");
            assertThat(warningsWhenAnswered).as("close timeouts logged before the caller had its answer").isEmpty();
            assertThat(aliveWhenAnswered).as("abandoned contexts alive when the caller had its answer").isEqualTo(1);
            assertThat(lentWhenAnswered).as("call threads standing in for stuck ones").isEqualTo(1);
            Await.until(Duration.ofMinutes(10), "the abandoned operation returned", () -> py.stats().abandonedContextsAlive() == 0);
            Await.until(Duration.ofMinutes(1), "the lent call thread given back", () -> runtime.callThreadsLent() == 0);
            assertThat(py.awaitReady(2, Duration.ofMinutes(2))).as("both contexts serve").isTrue();
        } finally {
            Logger.getLogger(Timeouts.class.getName()).removeHandler(closes);
        }
    }
}
