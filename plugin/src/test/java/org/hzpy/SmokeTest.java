package org.hzpy;

import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void call_math_sqrt_returnsFloat() {
        Py py = TestMembers.py(TestMembers.isolated());
        assertThat(py.call("math", "sqrt", 16)).isEqualTo(4.0);
        assertThat(py.eval("1 + 1")).isEqualTo(2L);
        py.exec("def double(x):\n    return x * 2");
        assertThat(py.call("__main__", "double", 21)).isEqualTo(42L);
        assertThat(py.call("testmod", "echo", "héllo ✓")).isEqualTo("héllo ✓");
    }
}
