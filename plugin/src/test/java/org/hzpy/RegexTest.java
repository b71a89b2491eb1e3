package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regular expressions answer as CPython's do, the looping methods too (findall, finditer, sub,
 * subn, split: hzpy runs its own unmarked copies of GraalPy's, see _hzpy_internal/regex_calls.py),
 * empty matches and their advance included. The expected answers are CPython 3.11's reprs.
 */
@ExtendWith(Invariants.class)
class RegexTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    static Stream<Arguments> expressions() {
        return Stream.of(
                Arguments.of("re.findall(r'\\d+', 'a1b22c333')", "['1', '22', '333']"),
                Arguments.of("re.findall(r'(\\w)=(\\d)', 'a=1, b=2')", "[('a', '1'), ('b', '2')]"),
                Arguments.of("re.findall(r'x*', 'axxb')", "['', 'xx', '', '']"),
                Arguments.of("re.findall(r'\\b', 'ab cd')", "['', '', '', '']"),
                Arguments.of("re.compile(r'\\d').findall('0123456', 2, 5)", "['2', '3', '4']"),
                Arguments.of("[m.span() for m in re.finditer(r'x*', 'axxb')]", "[(0, 0), (1, 3), (3, 3), (4, 4)]"),
                Arguments.of("re.sub(r'x*', '-', 'abxd')", "'-a-b--d-'"),
                Arguments.of("re.subn(r'(\\d+)', r'<\\1>', 'a1b22', count=1)", "('a<1>b22', 1)"),
                Arguments.of("re.sub(r'\\d', lambda m: str(int(m.group()) * 2), 'a1b2c3')", "'a2b4c6'"),
                Arguments.of("re.split(r'(,)\\s*', 'a, b,c')", "['a', ',', 'b', ',', 'c']"),
                Arguments.of("re.split(r'\\b', 'a b')", "['', 'a', ' ', 'b', '']"),
                Arguments.of("re.split(r'x*', 'axbc')", "['', 'a', '', 'b', 'c', '']"),
                Arguments.of("re.findall(rb'[a-z]+', b'ab 12 cd')", "[b'ab', b'cd']"),
                Arguments.of("re.sub(rb'\\d', b'#', b'a1b2')", "b'a#b#'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void aRegexCall_answersAsCPythons(String expression, String cpythonRepr) {
        String inHzpy = (String) py.eval("repr(" + expression.replace("re.", "__import__('re').") + ")");
        assertThat(inHzpy).isEqualTo(cpythonRepr);
    }
}
