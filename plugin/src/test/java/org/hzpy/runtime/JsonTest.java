package org.hzpy.runtime;

import org.hzpy.Py;
import org.hzpy.PythonException;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.hzpy.support.Await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** json in hzpy's contexts (a guard for work on its speed: issue 10) decodes exactly and says where bad text fails. */
@ExtendWith(Invariants.class)
class JsonTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    private static final String EVERY_KIND = "{\"s\": \"a\\\"b\\\\c\\u00e9\\ud83d\\udc0d\\n\", \"n\": [0, -1, 12345678901234567890, 1.5e-3, true, false, null],"
            + " \"nested\": {\"k\": [{}, []]}, \"unicode\": \"Zoë 🐍\"}";

    @Test
    void jsonLoads_decodesEveryKindOfValueExactly() {
        Object back = py.call("json", "loads", EVERY_KIND);

        assertEveryKindDecoded(back);
    }

    @Test
    void warmUp_switchesJsonToItsTrainedPythonScanner_whichDecodesExactlyAndFailsAlike() {
        // Given a member with pre-warm on: its warm-up trains json's Python scanner until it beats the native one
        // (it trains only in contexts idle for a moment: look rarely)
        Await.until(Duration.ofMinutes(3), "json to decode with its trained Python scanner in every context",
                () -> pause(Duration.ofMillis(500)) && scanners().equals(List.of("python", "python")));

        // When json.loads decodes every kind of value, a long array and bad text
        Object back = py.call("json", "loads", EVERY_KIND);
        Object longArray = py.eval("len(__import__('json').loads(__import__('json').dumps(['s%d' % i for i in range(100000)])))");
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("json", "loads", "{\"a\": [1, 2,, 3]}"));
        Object withOptions = py.eval("__import__('json').loads('{\"p\": [1.5, 2]}', parse_float=str)");

        // Then it decodes exactly, and says where bad text failed as the native scanner does
        assertEveryKindDecoded(back);
        assertThat(longArray).isEqualTo(100000L);
        assertThat(withOptions).isEqualTo(Map.of("p", List.of("1.5", 2L)));
        assertThat(e.pythonType()).isEqualTo("json.decoder.JSONDecodeError");
        assertThat(e.message()).contains("line 1 column 13 (char 12)");
    }

    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The scanner json.loads uses in each context of the member. */
    private List<Object> scanners() {
        List<Object> scanners = new java.util.ArrayList<>();
        for (int i = 0; i < py.contexts().numContexts(); i++) {
            py.contexts().bind(py.contexts().context(i));
            try {
                scanners.add(py.call("_hzpy_internal", "json_scanner"));
            } finally {
                py.contexts().unbind();
            }
        }
        return scanners;
    }

    private static void assertEveryKindDecoded(Object back) {
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
