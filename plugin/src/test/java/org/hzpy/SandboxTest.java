package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The default (strict) sandbox: least host access that still runs Python and imports the module path. */
@ExtendWith(Invariants.class)
class SandboxTest {
    private final Py py = TestMembers.py(TestMembers.isolated());
    private final String modulePath = Path.of("src/test/resources/pymodules").toAbsolutePath().toString();

    private void run(String code) {
        py.exec("def _sandbox_probe():\n" + code.indent(4));
        py.call("__main__", "_sandbox_probe");
    }

    @Test
    void modulePath_isImportable_andReadable() {
        assertThat(py.call("testmod", "echo", 1)).isEqualTo(1L);
        assertThat(py.eval("len(open(p + '/testmod.py').read()) > 0", Map.of("p", modulePath))).isEqualTo(true);
    }

    @Test
    void modulePath_isReadOnly() {
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.eval("open(p + '/new_file.py', 'w')", Map.of("p", modulePath)));
        assertThat(e.pythonType()).isIn("PermissionError", "OSError");
    }

    @Test
    void filesOutsideTheModulePath_cannotBeRead() {
        PythonException e = catchThrowableOfType(PythonException.class, () -> py.eval("open('/etc/hostname').read()"));
        assertThat(e.pythonType()).isEqualTo("PermissionError");
    }

    @Test
    void subprocess_isDenied() {
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> run("import subprocess\nsubprocess.run(['true'])"));
        assertThat(e.pythonType()).isEqualTo("PermissionError");
    }

    @Test
    void osSystem_isDenied_withASandboxError() {
        assertThatThrownBy(() -> run("import os\nos.system('true')"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Process creation is not allowed")
                .hasMessageContaining("hzpy.sandbox=trusted");
    }

    @Test
    void threads_areDenied() {
        assertThatThrownBy(() -> run("import threading\nthreading.Thread(target=print).start()"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("threads");
    }

    @Test
    void sockets_areDenied() {
        assertThatThrownBy(() -> run("import socket\nsocket.socket().connect(('127.0.0.1', 9))"))
                .isInstanceOf(PySandboxException.class);
    }

    @Test
    void hostClasses_cannotBeLookedUp() {
        assertThatThrownBy(() -> run("import java\njava.type('java.lang.System').exit(1)"))
                .isInstanceOf(PythonException.class);
    }

    @Test
    void hostEnvironment_isHidden() {
        assertThat(py.eval("__import__('os').environ.get('PATH')")).isNull();
    }

    @Test
    void contextStaysUsable_afterDenials() {
        assertThatThrownBy(() -> run("import os\nos.system('true')")).isInstanceOf(PySandboxException.class);
        assertThat(py.eval("2 + 2")).isEqualTo(4L);
    }
}
