package org.hzpy.runtime;

import org.hzpy.PyException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Directories of Python modules private to their owner (a Jet job's attached directory): a
 * directory's modules import as submodules of a package of its own, {@code _hzpy_scope_<n>}, so two
 * owners can ship different modules of one name at the same time. Each context learns the live
 * scopes before it next serves a call and drops the modules of closed ones then; the sandbox lets
 * contexts read a live scope's directory. It separates names, it is not a security boundary
 * between owners. Thread-safe.
 */
final class ModuleScopes {
    static final String PREFIX = "_hzpy_scope_";

    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Path> live = new ConcurrentHashMap<>();
    /** Changes with every open and close: a context whose copy is older syncs before its next call. */
    private volatile long version;

    /**
     * @return the scope's package name
     * @throws PyException when {@code directory} is not a readable directory
     */
    String open(Path directory) {
        Path real;
        try {
            real = directory.toRealPath();
        } catch (IOException e) {
            throw new PyException("a module scope needs a directory that exists; " + directory + " does not ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!Files.isDirectory(real)) {
            throw new PyException("a module scope needs a directory; " + directory + " is not one");
        }
        String name = PREFIX + ids.incrementAndGet();
        synchronized (this) {
            live.put(name, real);
            version++;
        }
        return name;
    }

    /** Idempotent. Each context drops the scope's modules before it next serves a call. */
    void close(String name) {
        synchronized (this) {
            if (live.remove(name) != null) {
                version++;
            }
        }
    }

    long version() {
        return version;
    }

    /** The live scopes with the version they belong to (both read under the same lock). */
    synchronized Snapshot snapshot() {
        return new Snapshot(version, Map.copyOf(live));
    }

    record Snapshot(long version, Map<String, Path> scopes) {
    }

    /** Whether {@code path} lies in a live scope's directory (symbolic links resolved: no way out through one). */
    boolean contains(Path path) {
        return !live.isEmpty() && ContextFactory.readableUnder(path, live.values());
    }
}
