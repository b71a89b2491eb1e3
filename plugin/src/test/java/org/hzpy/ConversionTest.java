package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every conversion of docs/type-conversion.md, both ways, checked on the Python side too. */
@ExtendWith(Invariants.class)
class ConversionTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    private Object roundTrip(Object value) {
        return py.call("testmod", "echo", value);
    }

    private String pythonType(Object value) {
        return (String) py.call("testmod", "type_of", value);
    }

    @Test
    void null_becomesNone_andBack() {
        assertThat(pythonType(null)).isEqualTo("NoneType");
        assertThat(roundTrip(null)).isNull();
        assertThat(py.eval("None")).isNull();
    }

    @Test
    void booleans_becomeBool_andBack() {
        assertThat(pythonType(true)).isEqualTo("bool");
        assertThat(roundTrip(true)).isEqualTo(Boolean.TRUE);
        assertThat(py.eval("1 == 2")).isEqualTo(Boolean.FALSE);
    }

    @Test
    void javaIntegers_becomeInt_andComeBackAsLong() {
        assertThat(pythonType(7)).isEqualTo("int");
        assertThat(pythonType(7L)).isEqualTo("int");
        assertThat(pythonType((short) 7)).isEqualTo("int");
        assertThat(pythonType((byte) 7)).isEqualTo("int");
        assertThat(roundTrip(7)).isEqualTo(7L);
        assertThat(roundTrip(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
        assertThat(roundTrip(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void bigIntegers_becomeInt_withoutTruncation() {
        BigInteger huge = new BigInteger("-123456789012345678901234567890123456789");
        assertThat(pythonType(huge)).isEqualTo("int");
        assertThat(roundTrip(huge)).isEqualTo(huge);
        assertThat(py.eval("2 ** 100")).isEqualTo(BigInteger.TWO.pow(100));
        assertThat(py.eval("2 ** 63")).isEqualTo(BigInteger.TWO.pow(63));
        assertThat(py.eval("2 ** 63 - 1")).isEqualTo(Long.MAX_VALUE);
        assertThat(roundTrip(BigInteger.valueOf(5))).isEqualTo(5L);
    }

    @Test
    void floats_stayFloats_evenWhenIntegral_withNanAndInfinityKept() {
        assertThat(pythonType(2.0)).isEqualTo("float");
        assertThat(pythonType(1.5f)).isEqualTo("float");
        assertThat(roundTrip(2.0)).isEqualTo(2.0);
        assertThat(py.eval("4 / 2")).isEqualTo(2.0);
        assertThat(roundTrip(Double.NaN)).isEqualTo(Double.NaN);
        assertThat(py.eval("float('inf')")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(py.eval("-float('inf')")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(py.eval("x != x", Map.of("x", Double.NaN))).isEqualTo(true);
        assertThat(roundTrip(-0.0)).isEqualTo(-0.0);
    }

    @Test
    void strings_keepEveryUnicodeCharacter() {
        String text = "ascii, ümlaut, 漢字, emoji 🐍🚀, RTL שלום, combining é, nul \0 end";
        assertThat(pythonType(text)).isEqualTo("str");
        assertThat(roundTrip(text)).isEqualTo(text);
        assertThat(py.eval("len(s)", Map.of("s", "🐍"))).isEqualTo(1L);
        assertThat(py.eval("'\\U0001F40D' * 2")).isEqualTo("🐍🐍");
        assertThat(roundTrip('x')).isEqualTo("x");
    }

    @Test
    void byteArrays_becomeBytes_andBack_withEveryByteValue() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        assertThat(pythonType(all)).isEqualTo("bytes");
        assertThat((byte[]) roundTrip(all)).isEqualTo(all);
        assertThat((byte[]) py.eval("bytearray(b'\\x00\\xff')")).containsExactly(0, 255);
        assertThat(py.eval("len(b)", Map.of("b", all))).isEqualTo(256L);
    }

    @Test
    void listsAndArrays_becomeList_andTuplesComeBackAsList() {
        assertThat(pythonType(List.of(1, 2))).isEqualTo("list");
        assertThat(pythonType(new Object[] {1, "a"})).isEqualTo("list");
        assertThat(roundTrip(Arrays.asList(1, "two", 3.0, null))).isEqualTo(Arrays.asList(1L, "two", 3.0, null));
        assertThat(py.eval("(1, 'a', (2,))")).isEqualTo(List.of(1L, "a", List.of(2L)));
    }

    @Test
    void longListsOfOneSimpleType_comeBackExactly_packedOrNot() {
        // Long lists of only ASCII str, only 64-bit int or only float cross in one piece; any other
        // item (a bool, a big int, a non-ASCII str, None) sends the list item by item. Either way: exact.
        py.exec("""
                def strs(n): return ["item-" + str(i) for i in range(n)] + ["", "a?b"]
                def strs_nul(n): return ["item-" + str(i) for i in range(n)] + ["a\\0b", "\\0", ""]
                def strs_unicode(n): return ["item-" + str(i) for i in range(n)] + ["Zoë 🐍"]
                def ints(n): return [i * 7919 - 2 ** 62 for i in range(n)] + [2 ** 63 - 1, -2 ** 63]
                def ints_big(n): return list(range(n)) + [2 ** 64]
                def ints_bool(n): return list(range(n)) + [True]
                def floats(n): return [i / 3 for i in range(n)] + [float("nan"), float("inf"), -0.0]
                def tuple_of_ints(n): return tuple(range(n))
                def with_none(n): return ["x"] * n + [None]
                """);

        List<Object> strs = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            strs.add("item-" + i);
        }
        List<Object> expectedStrs = new java.util.ArrayList<>(strs);
        expectedStrs.addAll(List.of("", "a?b"));
        assertThat(py.call("__main__", "strs", 40)).isEqualTo(expectedStrs);
        List<Object> withNul = new java.util.ArrayList<>(strs);
        withNul.addAll(List.of("a\0b", "\0", ""));
        assertThat(py.call("__main__", "strs_nul", 40)).isEqualTo(withNul);
        List<Object> unicode = new java.util.ArrayList<>(strs);
        unicode.add("Zoë 🐍");
        assertThat(py.call("__main__", "strs_unicode", 40)).isEqualTo(unicode);

        @SuppressWarnings("unchecked")
        List<Object> ints = (List<Object>) py.call("__main__", "ints", 40);
        assertThat(ints).hasSize(42).allMatch(x -> x instanceof Long);
        assertThat(ints.get(3)).isEqualTo(3L * 7919 - (1L << 62));
        assertThat(ints.subList(40, 42)).containsExactly(Long.MAX_VALUE, Long.MIN_VALUE);
        assertThat((List<?>) py.call("__main__", "ints_big", 40)).last().isEqualTo(BigInteger.TWO.pow(64));
        assertThat((List<?>) py.call("__main__", "ints_bool", 40)).last().isEqualTo(true);

        @SuppressWarnings("unchecked")
        List<Object> floats = (List<Object>) py.call("__main__", "floats", 40);
        assertThat(floats.get(1)).isEqualTo(1 / 3.0);
        assertThat((Double) floats.get(40)).isNaN();
        assertThat(floats.subList(41, 43)).containsExactly(Double.POSITIVE_INFINITY, -0.0d);
        assertThat(Double.doubleToRawLongBits((Double) floats.get(42))).isEqualTo(Double.doubleToRawLongBits(-0.0));

        assertThat((List<?>) py.call("__main__", "tuple_of_ints", 20)).hasSize(20).first().isEqualTo(0L);
        assertThat((List<?>) py.call("__main__", "with_none", 20)).hasSize(21).last().isNull();
    }

    @Test
    void maps_becomeDict_andBack_keepingInsertionOrder() {
        Map<Object, Object> ordered = new LinkedHashMap<>();
        for (int i = 50; i > 0; i--) {
            ordered.put("k" + i, i);
        }
        assertThat(pythonType(ordered)).isEqualTo("dict");
        @SuppressWarnings("unchecked")
        Map<Object, Object> back = (Map<Object, Object>) roundTrip(ordered);
        assertThat(new ArrayList<>(back.keySet())).isEqualTo(new ArrayList<>(ordered.keySet()));
        assertThat(back.get("k7")).isEqualTo(7L);
        assertThat(py.eval("{3: 'c', 1: 'a', 2: 'b'}")).isEqualTo(Map.of(3L, "c", 1L, "a", 2L, "b"));
        assertThat(new ArrayList<Object>(((Map<?, ?>) py.eval("{3: 'c', 1: 'a', 2: 'b'}")).keySet()))
                .containsExactly(3L, 1L, 2L);
    }

    @Test
    void dictSubclasses_becomeMaps() {
        assertThat(py.eval("__import__('collections').OrderedDict([('b', 1), ('a', 2)])"))
                .isEqualTo(Map.of("b", 1L, "a", 2L));
        assertThat(py.eval("__import__('collections').Counter('aab')")).isEqualTo(Map.of("a", 2L, "b", 1L));
    }

    @Test
    void sets_becomeSet_andBack() {
        Set<Object> set = new LinkedHashSet<>(List.of(1L, "x", 2.5));
        assertThat(pythonType(set)).isEqualTo("set");
        assertThat(roundTrip(set)).isEqualTo(set);
        assertThat(py.eval("frozenset({1, 2})")).isEqualTo(Set.of(1L, 2L));
    }

    @Test
    void nestedStructures_convertToAnyReasonableDepth() {
        Object nested = "leaf";
        for (int i = 0; i < 100; i++) {
            nested = i % 2 == 0 ? List.of(nested) : Map.of("k", nested);
        }
        assertThat(roundTrip(nested)).isEqualTo(nested);
        String depthInPython = "(lambda d, x: d(d, x))(lambda d, v: 0 if isinstance(v, str) "
                + "else 1 + d(d, v[0] if isinstance(v, list) else v['k']), x)";
        assertThat(py.eval(depthInPython, Map.of("x", nested))).isEqualTo(100L);
    }

    @Test
    void cyclicPythonStructure_failsWithConversionError() {
        assertThatThrownBy(() -> py.eval("(lambda l: (l.append(l), l)[1])([])"))
                .isInstanceOf(PyConversionException.class)
                .hasMessageContaining("nested deeper than");
    }

    @Test
    void unknownPythonObject_failsNamingItsType_neverStrOrNone() {
        assertThatThrownBy(() -> py.call("testmod", "opaque"))
                .isInstanceOf(PyConversionException.class)
                .hasMessageContaining("testmod.Opaque");
        assertThatThrownBy(() -> py.eval("len"))
                .isInstanceOf(PyConversionException.class)
                .hasMessageContaining("builtin_function_or_method");
    }

    @Test
    void unsupportedJavaObject_failsNamingItsClass() {
        assertThatThrownBy(() -> py.call("testmod", "echo", new StringBuilder("x")))
                .isInstanceOf(PyConversionException.class)
                .hasMessageContaining("java.lang.StringBuilder");
    }

    @Test
    void unhashableMapKey_failsWithConversionError() {
        Map<Object, Object> bad = new LinkedHashMap<>();
        bad.put(Map.of("inner", 1), "v"); // a dict cannot be a dict key
        assertThatThrownBy(() -> py.call("testmod", "echo", bad))
                .isInstanceOf(PyConversionException.class)
                .hasMessageContaining("unhashable");
    }

    @Test
    void tupleAndFrozensetKeys_roundTripExactly() {
        Object fromPython = py.eval("{(1, 'a'): 'pair', frozenset({2}): 'set', 3: {(4, 5)}}");
        Map<Object, Object> expected = new LinkedHashMap<>();
        expected.put(List.of(1L, "a"), "pair");
        expected.put(Set.of(2L), "set");
        expected.put(3L, Set.of(List.of(4L, 5L)));
        assertThat(fromPython).isEqualTo(expected);

        Object backInPython = py.eval("[type(k).__name__ for k in m] + [type(next(iter(m[3]))).__name__]",
                Map.of("m", fromPython));

        assertThat(backInPython).isEqualTo(List.of("tuple", "frozenset", "int", "tuple"));
    }

    @Test
    void keywordArguments_arePassedByName() {
        assertThat(py.call(PyCall.of("testmod", "add", 1).kwargs(Map.of("b", 2, "scale", 3)))).isEqualTo(9L);
        assertThat(py.call("testmod", "add", 1)).isEqualTo(11L);
    }
}
