package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(Invariants.class)
class ExecTest {
    private final Py py = TestMembers.py(TestMembers.hardening()); // exec grows the exec log: not on the shared members

    @Test
    void execDefinition_isCallableFromEveryContext() {
        py.exec("def triple(x):\n    return x * 3");

        for (int i = 0; i < py.contexts().numContexts(); i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.call("__main__", "triple", 14))).as("context " + i)
                    .isEqualTo(42L);
        }
    }

    @Test
    void call_seesAFunctionRedefined_byExecOrByPythonItself() {
        // Given a function that has been called in context 0 (its call site is made then)
        py.exec("def version():\n    return 1\n\ndef upgrade():\n    global version\n    version = lambda: 3");
        assertThat(TestMembers.inContext(py, 0, () -> py.call("__main__", "version"))).isEqualTo(1L);

        // When exec redefines it, and then Python code rebinds it
        py.exec("def version():\n    return 2");
        Object afterExec = TestMembers.inContext(py, 0, () -> py.call("__main__", "version"));
        TestMembers.inContext(py, 0, () -> py.call("__main__", "upgrade"));
        Object afterRebind = TestMembers.inContext(py, 0, () -> py.call("__main__", "version"));

        // Then every call runs the function the name is bound to at that moment
        assertThat(afterExec).isEqualTo(2L);
        assertThat(afterRebind).isEqualTo(3L);
    }

    @Test
    void execCode_runsExactlyOncePerContext() {
        py.exec("import testmod\ntestmod.exec_runs = getattr(testmod, 'exec_runs', 0) + 1");

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < py.contexts().numContexts(); i++) {
                assertThat(TestMembers.inContext(py, i, () -> py.eval("__import__('testmod').exec_runs")))
                        .as("context " + i).isEqualTo(1L);
            }
        }
    }

    @Test
    void failingExec_throws_andIsNotReplayedElsewhere() {
        assertThatThrownBy(() -> py.exec("exec_failed_half = 1\nraise RuntimeError('nope')"))
                .isInstanceOf(PythonException.class)
                .hasMessage("RuntimeError: nope");

        for (int i = 0; i < py.contexts().numContexts(); i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.call("testmod", "echo", "ok"))).isEqualTo("ok");
        }
    }

    @Test
    void execDefinition_reachesContextsStartedLater() {
        py.exec("def later_visible():\n    return 'replayed'");

        py.contexts().stop();
        py.contexts().start(2);
        assertThat(py.awaitReady(2, Duration.ofMinutes(2))).isTrue();

        for (int i = 0; i < 2; i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.call("__main__", "later_visible"))).isEqualTo("replayed");
        }
    }
}
