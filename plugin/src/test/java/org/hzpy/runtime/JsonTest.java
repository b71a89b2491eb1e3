package org.hzpy.runtime;

import org.hzpy.Py;
import org.hzpy.PythonException;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** json in hzpy's contexts (a guard for work on its speed: issue 10) decodes exactly and says where bad text fails. */
@ExtendWith(Invariants.class)
class JsonTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @Test
    void jsonLoads_decodesEveryKindOfValueExactly() {
        String text = "{\"s\": \"a\\\"b\\\\c\\u00e9\\ud83d\\udc0d\\n\", \"n\": [0, -1, 12345678901234567890, 1.5e-3, true, false, null],"
                + " \"nested\": {\"k\": [{}, []]}, \"unicode\": \"Zoë 🐍\"}";

        Object back = py.call("json", "loads", text);

        assertThat(back).isEqualTo(Map.of(
                "s", "a\"b\\cé🐍\n",
                "n", java.util.Arrays.asList(0L, -1L, new java.math.BigInteger("12345678901234567890"), 1.5e-3, true, false, null),
                "nested", Map.of("k", List.of(Map.of(), List.of())),
                "unicode", "Zoë 🐍"));
    }

    @Test
    void jsonLoads_ofBadText_namesWhereItFailed() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("json", "loads", "{\"a\": [1, 2,, 3]}"));

        assertThat(e.pythonType()).isEqualTo("json.decoder.JSONDecodeError");
        assertThat(e.message()).contains("line 1 column 13 (char 12)");
    }
}
