package org.hzpy;

import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JitTest {
    @Test
    void testJvm_runsGraalPyWithTheGraalJit() {
        Py py = TestMembers.py(TestMembers.isolated());

        assertThat(py.jitActive()).as("engine: " + py.engineImplementation()).isTrue();
        assertThat(py.engineImplementation()).isNotEqualTo("Interpreted");
    }
}
