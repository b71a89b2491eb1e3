package org.hzpy.runtime;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;
import org.hzpy.HzpySettings;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;

/**
 * Builds the Python contexts of one member: one shared {@link Engine} (or one per context when
 * {@code hzpy.engine: per-context}), and the sandbox that {@code hzpy.sandbox} asks for.
 */
final class ContextFactory implements AutoCloseable {
    static final String INTERPRETED = "Interpreted";
    // hzpy logs its own, louder warning when the JIT is missing
    private static final String WARN_INTERPRETER_ONLY = "engine.WarnInterpreterOnly";

    private final HzpySettings settings;
    private final Engine sharedEngine;
    private final String implementationName;
    private final ModuleScopes scopes;
    private final PythonLog log;

    ContextFactory(HzpySettings settings, ModuleScopes scopes, PythonLog log) {
        this.settings = settings;
        this.scopes = scopes;
        this.log = log;
        Engine probe = newEngine();
        this.implementationName = probe.getImplementationName();
        if (settings.engineSharing() == HzpySettings.EngineSharing.SHARED) {
            sharedEngine = probe;
        } else {
            sharedEngine = null;
            probe.close();
        }
    }

    /** "GraalVM CE" with the Graal JIT, "Interpreted" on the fallback runtime. */
    String implementationName() {
        return implementationName;
    }

    boolean jitActive() {
        return !INTERPRETED.equals(implementationName);
    }

    /**
     * A new context; with per-context engines, on an engine of its own that it closes with it. That
     * engine is the context's implicit one, not one built here and passed in: Truffle compiles code
     * for a passed-in engine as if other contexts could join it, which ran the same Python code
     * about 2x slower (fib(27) 4.3 ms against 1.9 ms, json's Python scanner 15-22 ms against 9-14).
     */
    Context newContext() {
        Context.Builder b = Context.newBuilder("python");
        if (sharedEngine != null) {
            b.engine(sharedEngine);
        } else {
            b.option(WARN_INTERPRETER_ONLY, "false");
            // the operator's -Dpolyglot.engine.* tuning flags (compilation thresholds are experimental
            // options) reach the context's implicit engine; guest code sets no options either way
            b.allowExperimentalOptions(true);
        }
        b // never the member's stdin (a read would block where no interrupt reaches) nor its console
                .in(InputStream.nullInputStream())
                .out(new PythonOutput("stdout", Level.INFO, log))
                .err(new PythonOutput("stderr", Level.WARNING, log));
        String pythonPath = settings.modulePath().stream().map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator));
        if (!pythonPath.isEmpty()) {
            b.option("python.PythonPath", pythonPath);
        }
        if (settings.sandbox() == HzpySettings.Sandbox.TRUSTED) {
            b.allowAllAccess(true).allowIO(IOAccess.ALL);
        } else {
            b.allowHostAccess(HostAccess.EXPLICIT)
                    .allowHostClassLookup(name -> false)
                    .allowCreateProcess(false)
                    .allowCreateThread(false)
                    .allowNativeAccess(false)
                    .allowEnvironmentAccess(EnvironmentAccess.NONE)
                    .allowPolyglotAccess(PolyglotAccess.NONE)
                    .allowIO(IOAccess.newBuilder().fileSystem(sandboxFileSystem(settings.modulePath(), scopes)).build())
                    // the Java POSIX emulation is what routes Python's file access through the sandbox
                    .option("python.PosixModuleBackend", "java");
        }
        return b.build();
    }

    private static Engine newEngine() {
        return Engine.newBuilder("python")
                .option(WARN_INTERPRETER_ONLY, "false")
                .allowExperimentalOptions(true) // see newContext
                .build();
    }

    /**
     * Read-only access to the module path (its directories, and its .zip and .whl files, which
     * zipimport opens as files: a root that is a file is readable itself), the directories of live module scopes (which come and go
     * while the context lives) and GraalPy's own standard library; nothing else.
     */
    private static FileSystem sandboxFileSystem(List<Path> modulePath, ModuleScopes scopes) {
        FileSystem readOnly = FileSystem.newReadOnlyFileSystem(FileSystem.newDefaultFileSystem());
        FileSystem fs = FileSystem.newCompositeFileSystem(FileSystem.newDenyIOFileSystem(), FileSystem.Selector.of(readOnly,
                path -> readableUnder(path, modulePath) || scopes.contains(path)));
        // internal resources (GraalPy's standard library in the shared resource cache) are
        // forwarded to a writable file system: the read-only wrapper goes around all of it
        return FileSystem.newReadOnlyFileSystem(FileSystem.allowInternalResourceAccess(fs));
    }

    /** Whether {@code path} lies under one of {@code roots}, symbolic links resolved: no way out through one. */
    static boolean readableUnder(Path path, Collection<Path> roots) {
        if (roots.isEmpty()) {
            return false;
        }
        Path p = path.toAbsolutePath().normalize();
        if (!roots.stream().anyMatch(p::startsWith)) {
            return false;
        }
        if (!Files.exists(p)) {
            return true; // a failed lookup during import: harmless, and read-only anyway
        }
        try {
            Path real = p.toRealPath();
            return roots.stream().anyMatch(root -> real.startsWith(realOrSelf(root)));
        } catch (IOException e) {
            return false;
        }
    }

    private static Path realOrSelf(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    @Override
    public void close() {
        if (sharedEngine != null) {
            sharedEngine.close(true);
        }
    }
}
