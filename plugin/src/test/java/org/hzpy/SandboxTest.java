package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The default (strict) sandbox: least host access that still runs Python and imports the module path. */
@ExtendWith(Invariants.class)
class SandboxTest {
    private final Py py = TestMembers.py(TestMembers.isolated());
    private final String modulePath = Path.of("src/test/resources/pymodules").toAbsolutePath().toString();

    /** Runs {@code code} in one call, with Python's own exec: not Py.exec, which every context would replay. */
    private void run(String code) {
        py.eval("exec(code, {})", Map.of("code", code));
    }

    @Test
    void modulePath_isImportable_andReadable() {
        assertThat(py.call("testmod", "echo", 1)).isEqualTo(1L);
        assertThat(py.eval("len(open(p + '/testmod.py').read()) > 0", Map.of("p", modulePath))).isEqualTo(true);
    }

    @Test
    void modulePath_isReadOnly() {
        // When Python creates a file in the module path
        Path created = Path.of(modulePath, "new_file.py");
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.eval("open(p + '/new_file.py', 'w')", Map.of("p", modulePath)));

        // Then the read-only file system refuses it, and no file appears
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + created + "'");
        assertThat(created).doesNotExist();
    }

    @Test
    void filesOutsideTheModulePath_cannotBeRead() {
        // Given a file outside the module path that the member's JVM can read
        Path pom = Path.of("pom.xml").toAbsolutePath();
        assertThat(pom).isReadable();

        // When Python reads it
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> py.eval("open(p).read()", Map.of("p", pom.toString())));

        // Then the sandbox refuses it (not "not found": the file is there)
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + pom + "'");
    }

    @Test
    void subprocess_isDenied() {
        // Given /bin/true exists and is executable for the member's JVM
        assertThat(Path.of("/bin/true")).isExecutable();

        // When Python runs it
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> run("import subprocess\nsubprocess.run(['/bin/true'])"));

        // Then process creation is refused with EPERM (not "not found")
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted");
    }

    @Test
    void osSystem_isDenied_withASandboxError() {
        assertThatThrownBy(() -> run("import os\nos.system('true')"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Process creation is not allowed")
                .hasMessageContaining("hzpy.sandbox=trusted");
    }

    @Test
    void multiprocessing_isDenied_withASandboxError_everyTimeItIsTried() throws Exception {
        // Given a context where Python already tried multiprocessing (the import itself is denied,
        // and a denial skips Python's finally blocks: the import stayed half-done)
        TestMembers.inContext(py, 0, () -> catchThrowableOfType(PySandboxException.class,
                () -> py.call("hostile", "start_process")));

        // When Python tries it again there, from another thread (the half-done import held its module lock)
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        Throwable again;
        try {
            again = other.submit(() -> TestMembers.inContext(py, 0, () -> catchThrowable(() -> py.call("hostile", "start_process"))))
                    .get(2, java.util.concurrent.TimeUnit.MINUTES);
        } finally {
            other.shutdownNow();
        }

        // Then it is denied again, as a denial (not a half-imported module's AttributeError, nor a wait on its lock)
        assertThat(again).isInstanceOf(PySandboxException.class).hasMessageContaining("hzpy.sandbox=trusted");
        // and the context imports what it may
        assertThat(TestMembers.inContext(py, 0, () -> py.eval("__import__('fractions').Fraction(3, 6).numerator"))).isEqualTo(1L);
    }

    @Test
    void threads_areDenied() {
        assertThatThrownBy(() -> run("import threading\nthreading.Thread(target=print).start()"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Creating threads is not allowed");
    }

    @Test
    void sockets_areDenied() {
        // GraalPy's Java POSIX layer excludes sockets when the context has no socket access
        assertThatThrownBy(() -> run("import socket\nsocket.socket().connect(('127.0.0.1', 9))"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("socket was excluded");
    }

    @Test
    void hostClasses_cannotBeLookedUp() {
        // The lookup itself is refused (HostAccess.EXPLICIT would only stop the calls on the class)
        PythonException e = catchThrowableOfType(PythonException.class,
                () -> run("import java\njava.type('java.lang.System')"));
        assertThat(e.pythonType()).isEqualTo("KeyError");
        assertThat(e.message()).contains("host symbol java.lang.System is not defined or access has been denied");
    }

    @Test
    void hostEnvironment_isHidden() {
        assertThat(System.getenv("PATH")).as("the JVM's own PATH").isNotNull();
        assertThat(py.eval("__import__('os').environ.get('PATH')")).isNull();
    }

    @Test
    void contextStaysUsable_afterDenials() {
        assertThatThrownBy(() -> run("import os\nos.system('true')"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Process creation is not allowed");
        assertThat(py.eval("2 + 2")).isEqualTo(4L);
    }
}
