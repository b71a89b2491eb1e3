package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(Invariants.class)
class ErrorTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @Test
    void pythonException_carriesTypeMessageAndTraceback_withUnicodeIntact() {
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.call("testmod", "fail", "bad input: ünïcödé 🐍 漢字"));

        assertThat(e.pythonType()).isEqualTo("ValueError");
        assertThat(e.message()).isEqualTo("bad input: ünïcödé 🐍 漢字");
        assertThat(e.getMessage()).isEqualTo("ValueError: bad input: ünïcödé 🐍 漢字");
        assertThat(e.traceback())
                .startsWith("Traceback (most recent call last):")
                .contains("testmod.py", "in fail", "raise ValueError(message)")
                .endsWith("ValueError: bad input: ünïcödé 🐍 漢字\n");
    }

    @Test
    void nonBuiltinException_isNamedWithItsModule() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.eval("__import__('json').loads('{')"));
        assertThat(e.pythonType()).isEqualTo("json.decoder.JSONDecodeError");
    }

    @Test
    void exceptionClassWithoutAModule_isNamedAsCPythonPrintsIt() {
        // Given an exception class whose __module__ is None
        // When a call raises it
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("hostile", "raise_unnamed_module_error"));

        // Then it is named as CPython's traceback names it ("<unknown>." and its qualified name), and its traceback agrees
        assertThat(e.pythonType()).isEqualTo("<unknown>.raise_unnamed_module_error.<locals>.Unnamed");
        assertThat(e.message()).isEqualTo("no module");
        assertThat(e.traceback()).endsWith("\n<unknown>.raise_unnamed_module_error.<locals>.Unnamed: no module\n");
    }

    @Test
    void syntaxError_inExec_saysWhere() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.exec("def broken(:\n    pass"));
        assertThat(e.pythonType()).isEqualTo("SyntaxError");
        assertThat(e.traceback()).contains("line 1");
    }

    @Test
    void syntaxError_inEval_isAPythonException() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.eval("1 +"));
        assertThat(e.pythonType()).isEqualTo("SyntaxError");
    }

    @Test
    void unknownModule_namesTheModule() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("no_such_module", "f"));
        assertThat(e.pythonType()).isEqualTo("ModuleNotFoundError");
        assertThat(e.message()).contains("no_such_module");
    }

    @Test
    void unknownFunction_namesModuleAndFunction() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("math", "no_such_fn", 1));
        assertThat(e.pythonType()).isEqualTo("AttributeError");
        assertThat(e.message()).contains("math", "no_such_fn");
    }

    @Test
    void wrongArguments_sayWhatWasExpected() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.call("testmod", "add"));
        assertThat(e.pythonType()).isEqualTo("TypeError");
        assertThat(e.message()).contains("add()", "missing 1 required positional argument: 'a'");
    }

    @Test
    void contextStaysUsable_afterAnError() {
        catchThrowableOfType(PythonException.class, () -> py.call("testmod", "fail", "x"));
        assertThat(py.call("testmod", "add", 1, 2)).isEqualTo(3L);
    }

    @Test
    void badJavaArguments_areRejectedWithClearMessages() {
        assertThat(catchThrowableOfType(NullPointerException.class, () -> py.call(null, "f"))).hasMessage("module");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> py.call("m", " ")))
                .hasMessage("function must not be blank");
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> PyCall.of("m", "f").timeout(java.time.Duration.ZERO))).hasMessageContaining("positive");
    }
}
