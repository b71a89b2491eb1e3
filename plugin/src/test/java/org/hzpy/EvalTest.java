package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** py.eval takes an expression as CPython's eval() does. */
@ExtendWith(Invariants.class)
class EvalTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @Test
    void eval_acceptsLeadingSpacesAndTabs_asCPythonsEvalDoes() {
        assertThat(py.eval(" 1 + 1")).isEqualTo(2L);
        assertThat(py.eval("\t  2 * 3")).isEqualTo(6L);
    }
}
