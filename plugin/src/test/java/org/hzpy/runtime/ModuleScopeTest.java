package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.ContextRouter;
import org.hzpy.Py;
import org.hzpy.PyException;
import org.hzpy.PythonException;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Module scopes (what a Jet job's attached directory becomes): private modules of a directory, on
 * the strict-sandbox member with several contexts.
 */
@ExtendWith(Invariants.class)
class ModuleScopeTest {
    private final HazelcastInstance member = TestMembers.isolated();
    private final Py py = TestMembers.py(member);
    private final PythonRuntime runtime = HzpyPlugin.runtimeOf(member);

    @TempDir
    Path tmp;

    /** A directory with {@code handler.py}, which imports its sibling {@code helper.py} by plain name. */
    private Path scopeDir(String name, String version) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("handler.py"), """
                import helper
                from helper import VERSION as V
                def version():
                    return helper.VERSION + "/" + V + "/" + helper.__name__.split(".", 1)[1]
                def read(name):
                    import os
                    with open(os.path.join(os.path.dirname(__file__), name)) as f:
                        return f.read()
                STATE = []
                def touch():
                    STATE.append(1)
                    return len(STATE)
                def fail():
                    raise ValueError("from the job")
                """);
        Files.writeString(dir.resolve("helper.py"), "VERSION = '" + version + "'\n");
        return dir;
    }

    @Test
    void twoScopes_holdDifferentModulesOfOneName_atTheSameTime() throws IOException {
        String one = runtime.openModuleScope(scopeDir("one", "v1"));
        String two = runtime.openModuleScope(scopeDir("two", "v2"));
        try {
            assertThat(py.call(one + ".handler", "version")).isEqualTo("v1/v1/helper");
            assertThat(py.call(two + ".handler", "version")).isEqualTo("v2/v2/helper");
            assertThat(py.call(one + ".handler", "version")).isEqualTo("v1/v1/helper");
        } finally {
            runtime.closeModuleScope(one);
            runtime.closeModuleScope(two);
        }
    }

    @Test
    void scopesWithTheSameFiles_shareCompiledCode_butNotModuleState() throws IOException {
        // Given two scopes (two jobs) shipping byte-identical modules, both imported in one context
        String one = runtime.openModuleScope(scopeDir("first", "v1"));
        String two = runtime.openModuleScope(scopeDir("second", "v1"));
        try {
            TestMembers.inContext(py, 0, () -> {
                py.call(one + ".handler", "version");
                py.call(two + ".handler", "version");

                // Then their functions run the same compiled code (no compiling it again per job) ...
                assertThat(py.eval("__import__('sys').modules[a].version.__code__ is __import__('sys').modules[b].version.__code__",
                        java.util.Map.of("a", one + ".handler", "b", two + ".handler"))).isEqualTo(true);
                // ... while each module keeps its own state
                assertThat(py.call(one + ".handler", "touch")).isEqualTo(1L);
                assertThat(py.call(one + ".handler", "touch")).isEqualTo(2L);
                assertThat(py.call(two + ".handler", "touch")).isEqualTo(1L);
                // and a traceback names the file by its place in the job, not by a temporary directory
                PythonException e = catchThrowableOfType(PythonException.class, () -> py.call(two + ".handler", "fail"));
                assertThat(e.traceback()).contains("<job>/handler.py", "from the job");
                return null;
            });
        } finally {
            runtime.closeModuleScope(one);
            runtime.closeModuleScope(two);
        }
    }

    @Test
    void callsIntoScopesWithTheSameFiles_goThroughOneCompiledCallSite() throws IOException {
        // Given two jobs' scopes shipping the same module, each called by name from Java
        String one = runtime.openModuleScope(scopeDir("site-one", "v1"));
        String two = runtime.openModuleScope(scopeDir("site-two", "v1"));
        try {
            TestMembers.inContext(py, 0, () -> {
                // Then their call sites share one code object: a job's site is not compiled again per job ...
                String site = "__import__('_hzpy_internal').call_site";
                assertThat(py.eval(site + "(a, 'version').__code__ is " + site + "(b, 'version').__code__",
                        java.util.Map.of("a", one + ".handler", "b", two + ".handler"))).isEqualTo(true);
                // and each job's site calls its own module
                assertThat(py.call(one + ".handler", "touch")).isEqualTo(1L);
                assertThat(py.call(two + ".handler", "touch")).isEqualTo(1L);
                assertThat(py.call(two + ".handler", "touch")).isEqualTo(2L);
                return null;
            });
        } finally {
            runtime.closeModuleScope(one);
            runtime.closeModuleScope(two);
        }
    }

    @Test
    void aCallSiteMadeAgainAfterTheScopesChanged_keepsItsCode() throws IOException {
        // Each change of the scopes (a job's start or end) drops Java's call sites, and GraalPy let
        // go of a site's code with its last site: every job's calls ran through new code, compiled
        // again in each job and engine.
        Path dir = scopeDir("site-kept", "v1");
        String siteCode = "id(__import__('_hzpy_internal').call_site('json', 'dumps').__code__)";
        TestMembers.inContext(py, 0, () -> {
            // Given a module-path function's call site, made and dropped
            Object before = py.eval(siteCode);

            // When a job's scope opens and closes, and the JVM collects its garbage
            String scope = runtime.openModuleScope(dir);
            runtime.closeModuleScope(scope);
            py.call("json", "dumps", 1L);
            System.gc();

            // Then the site made again has the same code: what the JIT compiled for it still serves
            assertThat(py.eval(siteCode)).isEqualTo(before);
            return null;
        });
    }

    @Test
    void openingAndClosingScopes_changesTheScopeTableInPlace() throws IOException {
        // GraalPy compiles a module global's value into the code that reads it; rebinding the table
        // at every job's start and end threw away the JIT's code for every import (importlib calls
        // the scope finder). The table must stay one object.
        Path dir = scopeDir("in-place", "v1");
        TestMembers.inContext(py, 0, () -> {
            String table = "id(__import__('_hzpy_internal.scopes').scopes._scope_dirs)";
            Object before = py.eval(table);

            String scope = runtime.openModuleScope(dir);
            py.call(scope + ".handler", "version");
            Object during = py.eval(table);
            runtime.closeModuleScope(scope);
            py.call("json", "dumps", 1L); // the next call syncs the closed scope away
            Object after = py.eval(table);

            assertThat(during).isEqualTo(before);
            assertThat(after).isEqualTo(before);
            return null;
        });
    }

    @Test
    void theCompiledCodeOfAnEndedScope_isKeptForALaterOneWithTheSameFiles() throws IOException {
        // GraalPy's own cache lets go of compiled code once the modules are dropped; hzpy keeps it
        // (by file name and bytes), so the next job shipping the same code runs it compiled. How fast
        // that is shows in P5; here, that the code outlives its scope.
        Path earlier = scopeDir("earlier", "v1");
        TestMembers.inContext(py, 0, () -> {
            String first = runtime.openModuleScope(earlier);
            py.call(first + ".handler", "version");
            runtime.closeModuleScope(first);
            py.eval("__import__('gc').collect()"); // the context drops the closed scope's modules first

            assertThat(py.eval("[k[0] for k in __import__('_hzpy_internal')._scope_code]")).asList()
                    .contains("<job>/handler.py", "<job>/helper.py");
            return null;
        });
    }

    @Test
    void aClosedScope_isForgottenByEveryContext() throws IOException {
        // Given a scope whose modules every context has imported
        String scope = runtime.openModuleScope(scopeDir("gone", "v1"));
        ContextRouter router = py.contexts();
        for (int i = 0; i < router.numContexts(); i++) {
            router.bind(router.context(i));
            try {
                assertThat(py.call(scope + ".handler", "version")).isEqualTo("v1/v1/helper");
            } finally {
                router.unbind();
            }
        }

        // When the scope is closed
        runtime.closeModuleScope(scope);

        // Then no context has its modules any more, and they cannot be imported again
        for (int i = 0; i < router.numContexts(); i++) {
            router.bind(router.context(i));
            try {
                assertThat(py.eval("[m for m in __import__('sys').modules if m.startswith('_hzpy_scope_')]"))
                        .as("scoped modules left in context %d", i).asList().isEmpty();
                PythonException e = catchThrowableOfType(PythonException.class, () -> py.call(scope + ".handler", "version"));
                assertThat(e.pythonType()).isEqualTo("ModuleNotFoundError");
            } finally {
                router.unbind();
            }
        }
    }

    @Test
    void aScopesModules_readTheirOwnDirectory_butNothingOutsideIt() throws IOException {
        Path dir = scopeDir("sandboxed", "v1");
        Files.writeString(dir.resolve("data.txt"), "inside");
        Files.writeString(tmp.resolve("secret.txt"), "outside");
        String scope = runtime.openModuleScope(dir);
        try {
            assertThat(py.call(scope + ".handler", "read", "data.txt")).isEqualTo("inside");

            PythonException e = catchThrowableOfType(PythonException.class, () -> py.call(scope + ".handler", "read", "../secret.txt"));

            assertThat(e.pythonType()).isEqualTo("PermissionError");
        } finally {
            runtime.closeModuleScope(scope);
        }
    }

    @Test
    void aScopeOfSomethingThatIsNoDirectory_isRefusedSayingSo() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain.py"), "x = 1\n");

        PyException e = catchThrowableOfType(PyException.class, () -> runtime.openModuleScope(file));
        PyException missing = catchThrowableOfType(PyException.class, () -> runtime.openModuleScope(tmp.resolve("nowhere")));

        assertThat(e.getMessage()).contains("a module scope needs a directory", "plain.py");
        assertThat(missing.getMessage()).contains("needs a directory that exists", "nowhere");
    }

    @Test
    void aPackageDirectory_winsOverAModuleFileOfTheSameName_asOnTheModulePath() throws IOException {
        // Given a scope holding both pricing/ (a package) and pricing.py
        Path dir = Files.createDirectories(tmp.resolve("both"));
        Files.createDirectories(dir.resolve("pricing"));
        Files.writeString(dir.resolve("pricing/__init__.py"), "def kind():\n    return 'package'\n");
        Files.writeString(dir.resolve("pricing.py"), "def kind():\n    return 'module file'\n");
        String scope = runtime.openModuleScope(dir);
        try {
            // When the scope's pricing is called, Then the package answers (Python's own rule)
            assertThat(py.call(scope + ".pricing", "kind")).isEqualTo("package");
        } finally {
            runtime.closeModuleScope(scope);
        }
    }
}
