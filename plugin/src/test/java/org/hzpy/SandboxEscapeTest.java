package org.hzpy;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Escape attempts against the default (strict) sandbox of a real member. Each attempt must be
 * denied with a typed error that says why, must read or change nothing outside its context, and
 * must leave the member serving calls with no permit held (checked after every test).
 *
 * <p>The member is this class's own: its module path is a temporary directory holding a module
 * ({@code ok.py}), an empty directory ({@code inner}), a symlink to a secret file outside it
 * ({@code leak.py}) and a symlink to a directory outside it ({@code dirlink}).
 */
@ExtendWith(Invariants.class)
class SandboxEscapeTest {
    private static final String SECRET = "hzpy-secret-" + UUID.randomUUID();
    private static final String OK_PY = "def hello():\n    return 'hi'\n";

    @TempDir
    static Path root;
    private static Path modules;
    private static Path outside;
    private static Path secret;
    private static HazelcastInstance member;
    private static Py py;

    /** JVM signal handlers this class installs, so a signal that gets through is counted, not fatal. */
    private static final Semaphore ALARMS = new Semaphore(0);
    private static final Semaphore WINDOW_CHANGES = new Semaphore(0);
    private static SignalHandler originalAlrm;
    private static SignalHandler originalWinch;

    @BeforeAll
    static void startMember() throws IOException {
        outside = Files.createDirectories(root.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.writeString(outside.resolve("stolen.py"), "VALUE = '" + SECRET + "'\n");
        Files.createDirectories(outside.resolve("sub"));
        modules = Files.createDirectories(root.resolve("modules"));
        Files.writeString(modules.resolve("ok.py"), OK_PY);
        Files.createDirectories(modules.resolve("inner"));
        Files.createSymbolicLink(modules.resolve("leak.py"), secret);
        Files.createSymbolicLink(modules.resolve("dirlink"), outside.resolve("sub"));

        originalAlrm = Signal.handle(new Signal("ALRM"), s -> ALARMS.release());
        originalWinch = Signal.handle(new Signal("WINCH"), s -> WINDOW_CHANGES.release());

        Config config = TestMembers.config("members/sandbox-escapes.yaml");
        config.setProperty("hzpy.module-path", modules.toString());
        member = Hazelcast.newHazelcastInstance(config);
        py = TestMembers.py(member);
    }

    @AfterAll
    static void stopMember() {
        if (member != null) {
            member.shutdown();
        }
        Signal.handle(new Signal("ALRM"), originalAlrm);
        Signal.handle(new Signal("WINCH"), originalWinch);
    }

    @AfterEach
    void memberServes_andNothingOutsideTheContextChanged() throws IOException {
        assertThat(py.call("ok", "hello")).as("a call after the attempt").isEqualTo("hi");
        assertThat(py.semaphore().current()).as("permits held after the attempt").isZero();
        assertThat(Files.readString(secret)).isEqualTo(SECRET);
        assertThat(Files.readString(modules.resolve("ok.py"))).isEqualTo(OK_PY);
        assertThat(names(modules)).containsExactlyInAnyOrder("ok.py", "inner", "leak.py", "dirlink");
        assertThat(names(modules.resolve("inner"))).isEmpty();
        assertThat(names(outside)).containsExactlyInAnyOrder("secret.txt", "stolen.py", "sub");
        assertThat(names(outside.resolve("sub"))).isEmpty();
    }

    // ------------------------------------------------------------------ host classes, polyglot, __graalpython__

    @Test
    void javaType_cannotLookUpAHostClass() {
        // Given a strict member  When Python looks up java.lang.System to set a JVM property
        PythonException e = denied("import java\njava.type('java.lang.System').setProperty('hzpy.escaped', 'yes')");

        // Then the lookup itself is refused, and the JVM property is not set
        assertThat(e.pythonType()).isEqualTo("KeyError");
        assertThat(e.message()).contains("host symbol java.lang.System is not defined or access has been denied");
        assertThat(System.getProperty("hzpy.escaped")).isNull();
    }

    @Test
    void importFromJava_cannotImportAHostClass() {
        // When Python imports a host class through the java package importer
        PythonException e = denied("from java.lang import Runtime\nRuntime.getRuntime().halt(1)");

        // Then the import is refused as a denied host symbol
        assertThat(e.pythonType()).isEqualTo("KeyError");
        assertThat(e.message()).contains("Runtime is not defined or access has been denied");
    }

    @Test
    void javaAddToClasspath_cannotLoadHostCode() {
        // When Python adds the directory outside the module path to the host class path
        PythonException e = denied("import java\njava.add_to_classpath(O)");

        // Then host class loading is refused
        assertThat(e.pythonType()).isEqualTo("polyglot.ForeignException");
        assertThat(e.message()).isEqualTo("Host class loading is not allowed.");
    }

    @Test
    void polyglotEval_cannotEvaluateCode() {
        // When Python evaluates code through the polyglot API
        PythonException e = denied("import polyglot\nreturn polyglot.eval(language='python', string='1 + 1')");

        // Then polyglot access is refused
        assertThat(e.pythonType()).isEqualTo("RuntimeError");
        assertThat(e.message()).isEqualTo("polyglot access is not allowed");
    }

    @Test
    void polyglotEvalOfAPath_cannotReadAFileOutsideTheModulePath() {
        // When Python asks the polyglot API to evaluate the secret file
        PythonException e = denied("import polyglot\nreturn polyglot.eval(path=O + '/secret.txt', language='python')");

        // Then polyglot access is refused before the file is read
        assertThat(e.pythonType()).isEqualTo("RuntimeError");
        assertThat(e.message()).isEqualTo("polyglot access is not allowed");
    }

    @Test
    void polyglotImportValue_cannotReachHostBindings() {
        // When Python imports a value from the polyglot bindings
        PythonException e = denied("import polyglot\nreturn polyglot.import_value('hazelcast')");

        // Then polyglot access is refused
        assertThat(e.pythonType()).isEqualTo("NotImplementedError");
        assertThat(e.message()).isEqualTo("polyglot access is not allowed");
    }

    @Test
    void graalpythonReadFile_goesThroughTheSandbox() {
        // When Python reads the secret file with GraalPy's internal read_file
        PythonException e = denied("return __graalpython__.read_file(O + '/secret.txt')");

        // Then the sandbox file system refuses it like open()
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted");
    }

    @Test
    void graalpythonModule_exposesOnlyAuditedNames() {
        // When Python lists GraalPy's internal module
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) py.eval("sorted(dir(__graalpython__))");

        // Then every name is one audited for host access (docs/reliability.md): a new one needs a look
        assertThat(names).isSubsetOf(
                "ForeignType", "__doc__", "__loader__", "__name__", "__origname__", "__package__", "__spec__",
                "_disable_native_zlib", "auto_wrap_methods", "blackhole", "build_java_class", "builtin",
                "builtin_method", "capi_home", "core_home", "create_arrow_py_capsule", "current_import",
                "determine_system_toolchain", "dis", "executable_list", "extend", "force_split_direct_calls",
                "get_current_rss", "get_graalvm_version", "get_jdk_version", "get_max_process_count",
                "get_python_home_paths", "home", "host_import_enabled", "import_current_as_named_module",
                "import_current_as_named_module_with_delegate", "in_preinitialization", "is_bytecode_dsl_interpreter",
                "is_native", "java_assert", "jython_emulation_enabled", "lazy_attributes_from_delegate",
                "posix_module_backend", "read_file", "replicate_extensions_in_venv", "run_path",
                "sha3_module_backend", "startup_nano", "startup_wall_clock_ts", "stdio_encoding", "stdio_error",
                "stdlib_home", "storage_to_native_primitive", "super", "sys", "time_millis", "unsafe_object_new",
                "venvlauncher_command", "which", "zlib_module_backend");
    }

    @Test
    void polyglotModule_exposesOnlyAuditedNames() {
        // When Python lists the polyglot module
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) py.eval("sorted(dir(__import__('polyglot')))");

        // Then every name is one audited for host access (docs/reliability.md): a new one needs a look
        assertThat(names).isSubsetOf(
                "ForeignAbstractClass", "ForeignBoolean", "ForeignDict", "ForeignException", "ForeignExecutable",
                "ForeignInstantiable", "ForeignIterable", "ForeignIterator", "ForeignList", "ForeignNone",
                "ForeignNumber", "ForeignObject", "ForeignString", "UnsupportedMessage", "__doc__",
                "__element_info__", "__execute__", "__get_size__", "__getattr__", "__has_keys__", "__has_size__",
                "__invoke__", "__is_boxed__", "__is_null__", "__key_info__", "__keys__", "__loader__", "__name__",
                "__new__", "__package__", "__path__", "__read__", "__remove__",
                "__set_gil_locked_during_foreign_calls__", "__spec__", "__write__", "eval", "export_value",
                "fits_in_big_integer", "fits_in_byte", "fits_in_double", "fits_in_float", "fits_in_int",
                "fits_in_long", "fits_in_short", "get_registered_interop_behavior", "gil_locked_during_interop",
                "import_value", "interop_behavior", "interop_type", "register_interop_behavior",
                "register_interop_type", "storage");
    }

    // ------------------------------------------------------------------ processes

    @Test
    void subprocess_cannotStartAProcess() {
        // Given /bin/sh exists and is executable for the member's JVM
        assertThat(Files.isExecutable(Path.of("/bin/sh"))).isTrue();

        // When Python runs a shell that would leave a marker file outside the module path
        PythonException e = denied("import subprocess\nsubprocess.run(['/bin/sh', '-c', 'echo x > ' + O + '/marker'])");

        // Then process creation is refused (EPERM, not "not found"), and no marker appears
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted");
        assertThat(outside.resolve("marker")).doesNotExist();
    }

    @Test
    void osSystem_cannotStartAProcess() {
        // When Python runs a shell command through os.system
        // Then it fails with the sandbox error (Python cannot catch it), and no marker appears
        assertThatThrownBy(() -> attempt("import os\nos.system('echo x > ' + O + '/marker')"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Process creation is not allowed")
                .hasMessageContaining("hzpy.sandbox=trusted");
        assertThat(outside.resolve("marker")).doesNotExist();
    }

    @Test
    void osExecv_cannotReplaceTheMemberProcess() {
        // When Python tries to replace the member's process image with a shell
        PythonException e = denied("import os\nos.execv('/bin/sh', ['sh', '-c', 'echo x > ' + O + '/marker'])");

        // Then it is refused, and the member lives on (checked after each test)
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted");
        assertThat(outside.resolve("marker")).doesNotExist();
    }

    @Test
    void fork_isNotAvailable() {
        // When Python forks the member process
        PythonException e = denied("import posix\nreturn posix.fork()");

        // Then there is no fork to call
        assertThat(e.pythonType()).isEqualTo("AttributeError");
        assertThat(e.message()).isEqualTo("module 'posix' has no attribute 'fork'");
    }

    @Test
    void osKill_cannotSignalAnotherProcess() throws Exception {
        // Given a process of the test's own that is running
        Process victim = new ProcessBuilder("sleep", "60").start();
        try {
            // When Python sends it SIGKILL
            PythonException e = denied("import os, signal\nos.kill(" + victim.pid() + ", signal.SIGKILL)");

            // Then Python sees no such process, and the process is still running
            assertThat(e.pythonType()).isEqualTo("ProcessLookupError");
            assertThat(e.message()).isEqualTo("[Errno 3] No such process");
            assertThat(victim.isAlive()).isTrue();
        } finally {
            victim.destroyForcibly();
        }
    }

    // ------------------------------------------------------------------ signals (an escape, fixed in ContextFactory)

    @Test
    void signalSignal_cannotReplaceTheMembersHandlers() {
        // Given the JVM's own handlers for SIGTERM and SIGINT (they shut the member down)
        SignalHandler term = currentHandler("TERM");
        SignalHandler interrupt = currentHandler("INT");
        try {
            // When Python installs handlers that ignore both
            PythonException e = denied("import signal\n"
                    + "signal.signal(signal.SIGTERM, lambda *a: None)\n"
                    + "signal.signal(signal.SIGINT, signal.SIG_IGN)");

            // Then it is refused, and the JVM keeps its own handlers
            assertThat(e.pythonType()).isEqualTo("PermissionError");
            assertThat(e.message()).contains("signal.signal() is denied: hzpy does not let Python signal the member"
                    + " process or replace its signal handlers");
            assertThat(currentHandler("TERM")).hasToString(term.toString());
            assertThat(currentHandler("INT")).hasToString(interrupt.toString());
        } finally {
            Signal.handle(new Signal("TERM"), term);
            Signal.handle(new Signal("INT"), interrupt);
        }
    }

    @Test
    void raiseSignal_cannotSignalTheMember() throws InterruptedException {
        // Given the test counts SIGWINCH reaching this JVM
        WINDOW_CHANGES.drainPermits();

        // When Python raises SIGWINCH (SIGTERM would end the member the same way)
        PythonException e = denied("import signal\nsignal.raise_signal(signal.SIGWINCH)");

        // Then it is refused, and no signal reaches the JVM
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).contains("signal.raise_signal() is denied: hzpy does not let Python signal the member process");
        assertThat(WINDOW_CHANGES.tryAcquire(500, TimeUnit.MILLISECONDS)).as("SIGWINCH reached the JVM").isFalse();
    }

    @Test
    void alarm_cannotScheduleASignalForTheMember() throws InterruptedException {
        // When Python asks for SIGALRM in 30 seconds (by default SIGALRM kills the JVM)
        PythonException e;
        List<Thread> alarms;
        try {
            e = denied("import signal\nsignal.alarm(30)");
        } finally {
            alarms = alarmThreads();
            alarms.forEach(Thread::interrupt); // an interrupted GraalPy alarm ends without raising
        }

        // Then it is refused, and no GraalPy alarm thread is waiting to raise it
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).contains("signal.alarm() is denied: hzpy does not let Python signal the member process");
        assertThat(alarms).as("GraalPy alarm threads").isEmpty();
    }

    @Test
    void setitimer_cannotScheduleASignalForTheMember() throws InterruptedException {
        // Given the test counts SIGALRM reaching this JVM
        ALARMS.drainPermits();

        // When Python sets a real-time interval timer of 50 ms
        PythonException e = denied("import signal\nsignal.setitimer(signal.ITIMER_REAL, 0.05)");

        // Then it is refused, and no SIGALRM arrives
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).contains("signal.setitimer() is denied: hzpy does not let Python signal the member process");
        assertThat(ALARMS.tryAcquire(500, TimeUnit.MILLISECONDS)).as("SIGALRM reached the JVM").isFalse();
    }

    @Test
    void signalDenial_survivesAReImportOfTheBuiltinModule() {
        // When Python drops _signal from sys.modules, imports it afresh and reloads it
        PythonException e = denied("import sys, importlib\n"
                + "del sys.modules['_signal']\n"
                + "import _signal\n"
                + "importlib.reload(_signal).raise_signal(_signal.SIGWINCH)");

        // Then it gets the same denied functions back
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).contains("signal.raise_signal() is denied: hzpy does not let Python signal the member process");
    }

    // ------------------------------------------------------------------ threads

    @Test
    void threadingThread_cannotStart() {
        // Given a flag the thread would set
        py.exec("_thread_ran = []");

        // When Python starts a thread
        // Then thread creation is refused with the sandbox error, and the thread never ran
        assertThatThrownBy(() -> attempt("import threading\n"
                + "threading.Thread(target=lambda: _thread_ran.append(1)).start()"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Creating threads is not allowed");
        assertThat(py.eval("len(_thread_ran)")).isEqualTo(0L);
    }

    @Test
    void startNewThread_cannotStart() {
        // When Python starts a thread through the low-level _thread module
        // Then thread creation is refused with the sandbox error
        assertThatThrownBy(() -> attempt("import _thread\n_thread.start_new_thread(print, ('escaped',))"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Creating threads is not allowed");
    }

    // ------------------------------------------------------------------ sockets

    @Test
    void socket_cannotConnect() throws IOException {
        // Given a server socket listening on the loopback interface
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();

            // When Python connects to it
            // Then the socket is refused with the sandbox error, and no connection is waiting
            assertThatThrownBy(() -> attempt("import socket\nsocket.socket().connect(('127.0.0.1', " + port + "))"))
                    .isInstanceOf(PySandboxException.class)
                    .hasMessageContaining("socket was excluded");
            assertThat(server.accept()).as("a connection from Python").isNull();
        }
    }

    @Test
    void getaddrinfo_cannotResolveNames() {
        // When Python resolves a host name (a DNS query is a way out, too)
        // Then name resolution is refused with the sandbox error
        assertThatThrownBy(() -> attempt("import socket\nsocket.getaddrinfo('localhost', 80)"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("getaddrinfo was excluded");
    }

    // ------------------------------------------------------------------ environment

    @Test
    void osEnviron_showsNoneOfTheMembersEnvironment() {
        // Given the member's JVM has an environment (PATH at least)
        Map<String, String> jvmEnvironment = System.getenv();
        assertThat(jvmEnvironment).containsKey("PATH");

        // When Python reads its whole environment
        @SuppressWarnings("unchecked")
        Map<String, String> seen = (Map<String, String>) py.eval("dict(__import__('os').environ)");

        // Then not one of the JVM's variables is there
        assertThat(seen.keySet()).doesNotContainAnyElementsOf(jvmEnvironment.keySet());
    }

    @Test
    void osGetenv_doesNotSeePathOrHome() {
        // Given the member's JVM has PATH and HOME
        assertThat(System.getenv("PATH")).isNotNull();
        assertThat(System.getenv("HOME")).isNotNull();

        // When Python asks for them
        // Then both are absent
        assertThat(py.eval("[__import__('os').getenv('PATH'), __import__('os').getenv('HOME')]"))
                .isEqualTo(Arrays.asList(null, null));
    }

    // ------------------------------------------------------------------ native code

    @Test
    void ctypes_cannotBeImported() {
        // When Python imports ctypes
        PythonException e = denied("import ctypes");

        // Then the import fails: without native access _ctypes lacks its native parts
        assertThat(e.pythonType()).isEqualTo("ImportError");
        assertThat(e.message()).contains("cannot import name '_memmove_addr' from '_ctypes'");
    }

    @Test
    void ctypesFromAddress_cannotTouchNativeMemory() {
        // When Python builds a C int at a raw address with the low-level _ctypes module and reads it
        // Then native memory access is refused as a sandbox denial
        assertThatThrownBy(() -> attempt("import _ctypes\n"
                + "class c_int(_ctypes._SimpleCData):\n"
                + "    _type_ = 'i'\n"
                + "return c_int.from_address(4096).value"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Native access not allowed, cannot manipulate native memory");
    }

    // ------------------------------------------------------------------ files outside the module path

    @Test
    void fileOutsideTheModulePath_cannotBeRead() {
        // When Python opens the secret file by its absolute path
        PythonException e = denied("return open(O + '/secret.txt').read()");

        // Then the read is refused
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + secret + "'");
    }

    @Test
    void symlinkInTheModulePath_toAFileOutside_cannotBeRead() {
        // When Python opens leak.py, a symlink in the module path to the secret file
        PythonException e = denied("return open(M + '/leak.py').read()");

        // Then the read is refused: the link's target is outside the module path
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + modules.resolve("leak.py") + "'");
    }

    @Test
    void symlinkInTheModulePath_toAFileOutside_cannotBeImported() {
        // When Python imports leak, whose source would be the secret file
        PythonException e = denied("import leak");

        // Then there is no such module to import
        assertThat(e.pythonType()).isEqualTo("ModuleNotFoundError");
        assertThat(e.message()).isEqualTo("No module named 'leak'");
    }

    @Test
    void dotDot_cannotLeaveTheModulePath() {
        // When Python climbs out of the module path with '..'
        String path = modules.resolve("inner") + "/../../outside/secret.txt";
        PythonException e = denied("return open(M + '/inner/../../outside/secret.txt').read()");

        // Then the read is refused
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + path + "'");
    }

    @Test
    void dotDotAcrossASymlinkedDirectory_staysInsideTheModulePath() {
        // Given dirlink/.. names the secret's directory for the operating system (dirlink -> outside/sub)
        assertThat(modules.resolve("dirlink/../secret.txt")).exists();

        // When Python opens dirlink/../secret.txt
        PythonException e = denied("return open(M + '/dirlink/../secret.txt').read()");

        // Then '..' is resolved by name, inside the module path, where there is no secret.txt
        assertThat(e.pythonType()).isEqualTo("FileNotFoundError");
        assertThat(e.message()).startsWith("[Errno 2] No such file or directory");
    }

    @Test
    void symlinkedDirectoryOutside_cannotBeListed() {
        // When Python lists dirlink, a symlink in the module path to a directory outside it
        PythonException e = denied("import os\nreturn os.listdir(M + '/dirlink')");

        // Then the listing is refused
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + modules.resolve("dirlink") + "'");
    }

    @Test
    void chdirIntoASymlinkedDirectoryOutside_isDenied() {
        // When Python changes its working directory to dirlink, to read the secret relative to it
        // Then the change is refused with the sandbox error
        assertThatThrownBy(() -> attempt("import os\nos.chdir(M + '/dirlink')\nreturn open('../secret.txt').read()"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Operation is not allowed for: " + modules.resolve("dirlink"))
                .satisfies(t -> assertThat(t.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void sysPathOutsideTheModulePath_cannotImport() {
        // When Python puts the outside directory on sys.path and imports the module there
        PythonException e = denied("import sys\n"
                + "sys.path.insert(0, O)\n"
                + "try:\n"
                + "    import stolen\n"
                + "    return stolen.VALUE\n"
                + "finally:\n"
                + "    sys.path.remove(O)");

        // Then the directory cannot be read, so there is no module
        assertThat(e.pythonType()).isEqualTo("ModuleNotFoundError");
        assertThat(e.message()).isEqualTo("No module named 'stolen'");
    }

    // ------------------------------------------------------------------ writing into the module path

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("create a file", "open(M + '/new.py', 'w').write('x = 1')"),
                Arguments.of("append to a module", "open(M + '/ok.py', 'a').write('x = 1')"),
                Arguments.of("truncate a module", "import os\nos.open(M + '/ok.py', os.O_WRONLY | os.O_TRUNC)"),
                Arguments.of("remove a module", "import os\nos.remove(M + '/ok.py')"),
                Arguments.of("rename a module", "import os\nos.rename(M + '/ok.py', M + '/gone.py')"),
                Arguments.of("make a directory", "import os\nos.mkdir(M + '/newdir')"),
                Arguments.of("chmod a module", "import os\nos.chmod(M + '/ok.py', 0o777)"),
                Arguments.of("touch a module", "import os\nos.utime(M + '/ok.py', (0, 0))"),
                Arguments.of("link the secret in", "import os\nos.symlink(O + '/secret.txt', M + '/linked.py')"),
                Arguments.of("write through a symlinked directory", "open(M + '/dirlink/new.py', 'w').write('x')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void modulePath_cannotBeChanged(String what, String code) {
        // When Python tries to change the module path (the check after each test sees every file unchanged)
        PythonException e = denied(code);

        // Then the read-only file system refuses it
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).startsWith("[Errno 1] Operation not permitted");
    }

    @Test
    void mmapForWriting_cannotChangeAModule() {
        // When Python maps a module for writing and changes its first byte
        // Then the mapping is refused with the sandbox error
        assertThatThrownBy(() -> attempt("import mmap, os\n"
                + "fd = os.open(M + '/ok.py', os.O_RDONLY)\n"
                + "mmap.mmap(fd, 0, access=mmap.ACCESS_WRITE)[0:1] = b'X'"))
                .isInstanceOf(PySandboxException.class)
                .hasMessageContaining("Operation is not allowed for: " + modules.resolve("ok.py"));
    }

    // ------------------------------------------------------------------ GraalPy's resource cache (language home)

    @Test
    void languageHome_cannotBeWritten() throws IOException {
        // Given GraalPy's standard library in the resource cache, shared by every context on this machine
        Path stdlib = Path.of((String) py.eval("__import__('sys').prefix")).resolve("lib/python3.12");
        Path planted = stdlib.resolve("hzpy_escape_" + UUID.randomUUID().toString().replace('-', '_') + ".py");
        try {
            // When Python plants a module there
            PythonException e = denied("return open(p, 'w').write('import os')", Map.of("p", planted.toString()));

            // Then the write is refused, and no file appears
            assertThat(e.pythonType()).isEqualTo("PermissionError");
            assertThat(e.message()).isEqualTo("[Errno 1] Operation not permitted: '" + planted + "'");
            assertThat(planted).doesNotExist();
        } finally {
            Files.deleteIfExists(planted);
        }
    }

    @Test
    void languageHomeModule_cannotBeOpenedForUpdate() {
        // When Python opens the standard library's os.py for reading and writing (changing nothing yet)
        PythonException e = denied("import os\nopen(os.__file__, 'r+').close()");

        // Then the open is refused
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).startsWith("[Errno 1] Operation not permitted: '").endsWith("/lib/python3.12/os.py'");
    }

    @Test
    void resourceCache_beyondGraalPysOwnResources_cannotBeListed() {
        // When Python climbs from its language home past the resource cache root
        PythonException e = denied("import sys, os\nreturn os.listdir(sys.prefix + '/../../../..')");

        // Then the listing is refused
        assertThat(e.pythonType()).isEqualTo("PermissionError");
        assertThat(e.message()).startsWith("[Errno 1] Operation not permitted: '").endsWith("/../../../..'");
    }

    // ------------------------------------------------------------------ helpers

    /** Runs {@code body} as a Python function of {@code M} (the module path) and {@code O} (a directory outside it). */
    private static Object attempt(String body) {
        return attempt(body, Map.of());
    }

    private static Object attempt(String body, Map<String, String> extra) {
        StringBuilder params = new StringBuilder("M, O");
        extra.keySet().stream().sorted().forEach(k -> params.append(", ").append(k));
        py.exec("def _attempt(" + params + "):\n" + body.indent(4));
        Object[] args = new Object[2 + extra.size()];
        args[0] = modules.toString();
        args[1] = outside.toString();
        int i = 2;
        for (String k : extra.keySet().stream().sorted().toList()) {
            args[i++] = extra.get(k);
        }
        return py.call("__main__", "_attempt", args);
    }

    /** The Python exception the attempt fails with; it must not carry the secret. */
    private static PythonException denied(String body) {
        return denied(body, Map.of());
    }

    private static PythonException denied(String body, Map<String, String> extra) {
        PythonException e = catchThrowableOfType(PythonException.class, () -> attempt(body, extra));
        assertThat(e).as("the attempt was denied").isNotNull();
        assertThat(e.traceback()).doesNotContain(SECRET);
        return e;
    }

    /** The JVM's handler for a signal, read by swapping in a no-op for an instant. */
    private static SignalHandler currentHandler(String name) {
        Signal signal = new Signal(name);
        SignalHandler current = Signal.handle(signal, s -> { });
        Signal.handle(signal, current);
        return current;
    }

    /** Threads running GraalPy's signal.alarm timer; a thread that was just started gets a moment to show its stack. */
    private static List<Thread> alarmThreads() throws InterruptedException {
        List<Thread> found = List.of();
        for (int i = 0; i < 20 && found.isEmpty(); i++) {
            found = Thread.getAllStackTraces().entrySet().stream()
                    .filter(t -> Arrays.stream(t.getValue())
                            .anyMatch(f -> f.getClassName().endsWith("python.builtins.modules.Signals$Alarm")))
                    .map(Map.Entry::getKey)
                    .toList();
            if (found.isEmpty()) {
                Thread.sleep(10);
            }
        }
        return found;
    }

    private static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
