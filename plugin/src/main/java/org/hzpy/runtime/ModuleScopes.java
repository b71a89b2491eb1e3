package org.hzpy.runtime;

import org.hzpy.PyException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Directories of Python modules private to their owner (a Jet job's attached directory): a
 * directory's modules import as submodules of a package of its own, {@code _hzpy_scope_<n>}, so two
 * owners can ship different modules of one name at the same time. Each context learns the live
 * scopes before it next serves a call and drops the modules of closed ones then; the sandbox lets
 * contexts read a live scope's directory. It separates names, it is not a security boundary
 * between owners. A deployment's versions are scopes too ({@link Deployments}): a scope may be
 * <em>routed</em> to, so that plain imports of the top-level names it provides, from any code, go to
 * it. Thread-safe.
 */
final class ModuleScopes {
    static final String PREFIX = "_hzpy_scope_";

    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Path> live = new ConcurrentHashMap<>();
    /** What tracebacks name a scope's files by ("<job>", "<deploy pricing@3>"); guarded by this. */
    private final Map<String, String> labels = new HashMap<>();
    /** Top-level module names a deployment provides -> the scope of its current version; guarded by this. */
    private final Map<String, String> routes = new HashMap<>();
    /** Changes with every open and close: a context whose copy is older syncs before its next call. */
    private volatile long version;

    /**
     * @return the scope's package name
     * @throws PyException when {@code directory} is not a readable directory
     */
    String open(Path directory) {
        return open(directory, "<job>", Set.of(), Set.of());
    }

    /**
     * Opens a scope and, in the same version step, routes the plain imports of {@code route} to it
     * (a deployment's current version), after dropping the routes of {@code unroute} (the names its
     * previous version provided). Contexts see both changes at once or neither.
     *
     * @param label what tracebacks name the scope's files by, e.g. {@code <deploy pricing@3>}
     */
    String open(Path directory, String label, Set<String> route, Set<String> unroute) {
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
            labels.put(name, label);
            routes.keySet().removeAll(unroute);
            for (String top : route) {
                routes.put(top, name);
            }
            version++;
        }
        return name;
    }

    /**
     * Stops routing {@code tops} to any scope: plain imports of them find the module path again.
     * One version step, like {@link #open}.
     */
    synchronized void unroute(Set<String> tops) {
        routes.keySet().removeAll(tops);
        version++;
    }

    /** Idempotent. Each context drops the scope's modules before it next serves a call. */
    void close(String name) {
        synchronized (this) {
            if (live.remove(name) != null) {
                labels.remove(name);
                routes.values().removeIf(name::equals);
                version++;
            }
        }
    }

    long version() {
        return version;
    }

    /** The live scopes with the version they belong to (both read under the same lock). */
    synchronized Snapshot snapshot() {
        return new Snapshot(version, Map.copyOf(live), Map.copyOf(labels), Map.copyOf(routes));
    }

    /**
     * @param scopes scope package -> directory
     * @param labels scope package -> what tracebacks name its files by
     * @param routes top-level module name -> the scope package its plain imports go to
     */
    record Snapshot(long version, Map<String, Path> scopes, Map<String, String> labels, Map<String, String> routes) {
    }

    /** Whether {@code path} lies in a live scope's directory (symbolic links resolved: no way out through one). */
    boolean contains(Path path) {
        return !live.isEmpty() && ContextFactory.readableUnder(path, live.values());
    }
}
