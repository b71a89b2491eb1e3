package org.hzpy.runtime;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads hzpy's Python helpers, the package {@code _hzpy_internal} (resources under
 * {@code /org/hzpy/python/_hzpy_internal/}), into a context. The package is not on any path a
 * context can read: its modules are run here from the plugin's resources, in the order listed
 * (each after the modules it imports), and registered in {@code sys.modules}. Thread-safe: the
 * sources are read once.
 */
final class PythonHelpers {
    static final String PACKAGE = "_hzpy_internal";
    private static final String DIRECTORY = "/org/hzpy/python/" + PACKAGE + "/";
    /** Each module after those it imports; {@code __init__} (the names Java calls) last. */
    private static final List<String> MODULES = List.of("imports", "exits", "sleep", "calls", "errors",
            "conversions", "warmup", "scopes", "host", "logging_bridge", "after_import", "json_decoding",
            "regex_calls", "json_training", "module_warmup", "streams", "aio", "__init__");
    /** module name, source, module name, source, ... */
    private static final Object[] SOURCES = readSources();

    private static final String LOADER = """
            def _hzpy_load(package, directory, *names_and_sources):
                import sys, types
                pkg = types.ModuleType(package)
                pkg.__path__ = []  # a package, whose modules are all loaded here
                pkg.__package__ = package
                pkg.__file__ = directory + "__init__.py"
                sys.modules[package] = pkg
                try:
                    for i in range(0, len(names_and_sources), 2):
                        name, source = names_and_sources[i], names_and_sources[i + 1]
                        path = directory + name + ".py"
                        if name == "__init__":
                            m = pkg
                        else:
                            m = types.ModuleType(package + "." + name)
                            m.__package__ = package
                            m.__file__ = path
                            sys.modules[m.__name__] = m
                        exec(compile(source, path, "exec"), m.__dict__)
                        if m is not pkg:
                            setattr(pkg, name, m)
                except BaseException:
                    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
                        del sys.modules[name]
                    raise
                return pkg
            _hzpy_load
            """;

    private PythonHelpers() {
    }

    /** Runs the package in {@code context}; returns it (its members are what Java calls). */
    static Value load(Context context) {
        Value loader = context.eval("python", LOADER);
        try {
            Object[] args = new Object[SOURCES.length + 2];
            args[0] = PACKAGE;
            args[1] = DIRECTORY;
            System.arraycopy(SOURCES, 0, args, 2, SOURCES.length);
            return loader.execute(args);
        } finally {
            context.getBindings("python").removeMember("_hzpy_load");
        }
    }

    private static Object[] readSources() {
        List<Object> out = new ArrayList<>();
        for (String module : MODULES) {
            out.add(module);
            out.add(readResource(DIRECTORY + module + ".py"));
        }
        return out.toArray();
    }

    private static String readResource(String name) {
        try (InputStream in = PythonHelpers.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("hzpy is missing its resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
