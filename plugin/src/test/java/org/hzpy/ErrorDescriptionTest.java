package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Describing a Python error runs Python too (str(), the traceback): it is under the call's deadline. */
@ExtendWith(Invariants.class)
class ErrorDescriptionTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @AfterEach
    void unbind() {
        py.contexts().unbind();
    }

    @Test
    void exceptionWhoseStrNeverReturns_timesOut_andTheContextServesAgain() {
        py.contexts().bind(py.contexts().context(0));

        assertThatThrownBy(() -> py.call(PyCall.of("hardening", "raise_endless_str").timeout(Duration.ofSeconds(1))))
                .isInstanceOf(PyTimeoutException.class)
                .hasMessageContaining("hardening.raise_endless_str()")
                .hasMessageContaining("could not be described");

        assertThat(py.call(PyCall.of("hardening", "echo", "alive").timeout(Duration.ofSeconds(10)))).isEqualTo("alive");
    }
}
