package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** exec replay is the context's own work: never a caller's timeout or error, never lost. */
@ExtendWith(Invariants.class)
class ExecReplayTest {
    private final Py py = TestMembers.py(TestMembers.hardening());

    @AfterEach
    void unbind() {
        py.contexts().unbind();
    }

    @Test
    void slowExec_replayedWhileServingACallWithAShortTimeout_neitherFailsTheCallerNorIsLost() {
        // Given a definition that takes a second to run, executed in context 0 only
        TestMembers.inContext(py, 0, () -> {
            py.exec("import time\ntime.sleep(1.0)\ndef slow_def():\n    return 'defined'", Duration.ofSeconds(20));
            return null;
        });

        // When context 1 first serves a call whose own timeout is shorter than the replay
        Object result = TestMembers.inContext(py, 1,
                () -> py.call(PyCall.of("__main__", "slow_def").timeout(Duration.ofMillis(400))));

        // Then the call succeeds, and context 1 keeps the definition
        assertThat(result).isEqualTo("defined");
        assertThat(TestMembers.inContext(py, 1, () -> py.call("__main__", "slow_def"))).isEqualTo("defined");
    }

    @Test
    void failedReplay_discardsTheContext_andTheCallerIsServedByAFreshOne() {
        // Given context 1 holds state that makes the next exec fail there (and only there)
        TestMembers.inContext(py, 1, () -> py.eval("globals().__setitem__('poisoned', True)"));
        long failuresBefore = py.stats().execReplayFailures();
        long restartsBefore = py.stats().contextRestarts();
        TestMembers.inContext(py, 0, () -> {
            py.exec("if globals().get('poisoned'):\n    raise RuntimeError('poisoned context')\n"
                    + "def after_poison():\n    return 'ok'");
            return null;
        });

        // When a call bound to context 1 arrives
        Object result = TestMembers.inContext(py, 1,
                () -> py.call(PyCall.of("__main__", "after_poison").timeout(Duration.ofSeconds(60))));

        // Then the caller never sees the replay's error; context 1 was replaced by a fresh one
        // that replayed the log from the start (no poison, the definition present)
        assertThat(result).isEqualTo("ok");
        assertThat(py.stats().execReplayFailures()).isEqualTo(failuresBefore + 1);
        assertThat(py.stats().contextRestarts()).isEqualTo(restartsBefore + 1);
        assertThat(py.awaitReady(2, Duration.ofMinutes(2))).isTrue();
        assertThat(TestMembers.inContext(py, 1, () -> py.eval("globals().get('poisoned')"))).isNull();
        assertThat(TestMembers.inContext(py, 1, () -> py.call("__main__", "after_poison"))).isEqualTo("ok");
    }

    @Test
    void contextStartedLater_replaysEveryExec_inOrder() {
        // Given three execs made while the member runs two contexts
        TestMembers.inContext(py, 0, () -> {
            py.exec("replay_order = []");
            py.exec("replay_order.append('first')");
            py.exec("replay_order.append('second')");
            return null;
        });
        try {
            // When every context is replaced by new ones, one more than before
            py.contexts().stop();
            py.contexts().start(3);
            assertThat(py.awaitReady(3, Duration.ofMinutes(2))).isTrue();

            // Then a context started after the execs has them, in order
            Object seenInNewContext = TestMembers.inContext(py, 2, () -> py.eval("replay_order[-2:]", Map.of()));
            assertThat(seenInNewContext).isEqualTo(java.util.List.of("first", "second"));
        } finally {
            py.contexts().stop();
            py.contexts().start(2);
            py.awaitReady(2, Duration.ofMinutes(2));
        }
    }
}
