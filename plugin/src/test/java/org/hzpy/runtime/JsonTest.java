package org.hzpy.runtime;

import org.hzpy.Py;
import org.hzpy.PythonException;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * json in hzpy's contexts decodes exactly and says where bad text fails, as CPython does, with each
 * decoder ({@code hzpy.json-decoder}: native and python on members of their own; auto, once trained,
 * on the ISOLATED member). JsonCorpusTest compares a larger corpus with CPython's answers.
 */
@ExtendWith(Invariants.class)
class JsonTest {
    private static final String EVERY_KIND = "{\"s\": \"a\\\"b\\\\c\\u00e9\\ud83d\\udc0d\\n\", \"n\": [0, -1, 12345678901234567890, 1.5e-3, true, false, null],"
            + " \"nested\": {\"k\": [{}, []]}, \"unicode\": \"Zoë 🐍\"}";
    /** A long array of n strings (GraalPy's native scanner is quadratic in it; the Python one is slow until compiled). */
    private static final String LONG_ARRAY = "len(__import__('json').loads(__import__('json').dumps(['s%%d' %% i for i in range(%d)])))";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"native", "python"})
    void jsonLoads_decodesEveryKindOfValueExactly(String decoder) {
        Py py = member(decoder);

        Object back = py.call("json", "loads", EVERY_KIND);
        Object longArray = py.eval(String.format(LONG_ARRAY, 2000)); // (the python decoder runs untrained here)

        assertEveryKindDecoded(back);
        assertThat(longArray).isEqualTo(2000L);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"native", "python"})
    void jsonLoads_ofBadText_namesWhereItFailed_alsoAfterCharactersOutsideTheBmp(String decoder) {
        Py py = member(decoder);

        assertFailsAt(py, "{\"a\": [1, 2,, 3]}", "Expecting value: line 1 column 13 (char 12)");
        assertFailsAt(py, "[\"🐍\", x]", "Expecting value: line 1 column 7 (char 6)");
        assertFailsAt(py, "\"🐍🐍\" x", "Extra data: line 1 column 6 (char 5)");
        assertFailsAt(py, "\"🐍\\x\"", "Invalid \\escape: line 1 column 3 (char 2)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"native", "python"})
    void aDecoderMadeWithOptions_decodesAndFailsAlike(String decoder) {
        Py py = member(decoder);

        Object withOptions = py.eval("__import__('json').loads('{\"p\": [1.5, 2]}', parse_float=str)");
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.eval("__import__('json').loads('[\"\\U0001F40D\", x]', parse_float=str)"));

        assertThat(withOptions).isEqualTo(Map.of("p", List.of("1.5", 2L)));
        assertThat(e.message()).contains("Expecting value: line 1 column 7 (char 6)");
    }

    @Test
    void auto_settlesEachContextOnTheFasterScanner_whichDecodesExactlyAndFailsAlike() {
        // Given the ISOLATED member (json-decoder auto, pre-warm on), once json's training has ended in
        // every context: the Python scanner where it came to beat the native one, else the native one
        // (training gives up after 60 s of trying, which a loaded 2-core machine can take)
        Py py = TestMembers.py(TestMembers.isolated());
        Await.until(Duration.ofMinutes(5), "json's training ended in every context", () -> {
            for (int i = 0; i < 2; i++) {
                if (!TestMembers.jsonTrainingEnded(py, i)) {
                    return false;
                }
            }
            return true;
        });
        List<String> decoders = py.stats().jsonDecoders();
        assertThat(decoders).as("the scanner each context settled on").hasSize(2)
                .allMatch(d -> d.equals("python") || d.equals("native"));
        System.out.println("json training on the isolated member settled on " + decoders);

        // When json.loads decodes every kind of value and a long array, in each context
        for (int i = 0; i < 2; i++) {
            Object back = TestMembers.inContext(py, i, () -> py.call("json", "loads", EVERY_KIND));
            Object longArray = TestMembers.inContext(py, i, () -> py.eval(String.format(LONG_ARRAY, 100000)));

            // Then it decodes exactly with the scanner py.stats() names, and says where bad text failed as CPython does
            assertEveryKindDecoded(back);
            assertThat(longArray).isEqualTo(100000L);
            int context = i;
            assertThat(TestMembers.inContext(py, context, () -> py.call("_hzpy_internal", "json_scanner")))
                    .isEqualTo(decoders.get(context));
            TestMembers.inContext(py, context, () -> {
                assertFailsAt(py, "[\"🐍\", x]", "Expecting value: line 1 column 7 (char 6)");
                return null;
            });
        }
    }

    private static Py member(String decoder) {
        Py py = TestMembers.py(TestMembers.jsonDecoding(decoder));
        assertThat(py.stats().jsonDecoders()).as("the member's decoder").containsExactly(decoder);
        return py;
    }

    private static void assertFailsAt(Py py, String text, String where) {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("json", "loads", text));

        assertThat(e).as("json.loads(%s)", text).isNotNull();
        assertThat(e.pythonType()).isEqualTo("json.decoder.JSONDecodeError");
        assertThat(e.message()).isEqualTo(where);
    }

    private static void assertEveryKindDecoded(Object back) {
        assertThat(back).isEqualTo(Map.of(
                "s", "a\"b\\cé🐍\n",
                "n", Arrays.asList(0L, -1L, new BigInteger("12345678901234567890"), 1.5e-3, true, false, null),
                "nested", Map.of("k", List.of(Map.of(), List.of())),
                "unicode", "Zoë 🐍"));
    }
}
