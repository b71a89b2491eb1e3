package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.hzpy.PyDeployException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The deployments of one member's runtime: which version of each is current, and the replaced
 * versions that calls still running may use. Each version is a {@link ModuleScopes} scope; the
 * current one is <em>routed</em>, so plain imports of its top-level names go to it. A switch is one
 * version step of the scopes: a context takes it (all of it) before its next call, so every call
 * runs against one version. A replaced version stays importable (its scope open, its directory
 * kept) until none of the calls that were running at the switch is still running here, then its
 * scope closes and its directory is deleted; at most {@link #MAX_RETIRED} replaced versions of
 * one deployment stay so, the oldest going first (a call still running on it may then fail to
 * import a module of it lazily). Thread-safe: changes are serialized on this object; {@link #sweep}
 * is called by the watchdog and costs a volatile read when nothing is retired.
 */
final class Deployments {
    private static final ILogger LOGGER = Logger.getLogger(Deployments.class);
    /** Replaced versions of one deployment kept for the calls still running on them. */
    static final int MAX_RETIRED = 4;
    /** The host's and hzpy's own names (the standard library's come from GraalPy itself). */
    private static final Set<String> HOST_NAMES = Set.of("hzpy", "polyglot", "java", "__graalpython__", "site",
            "sitecustomize", "usercustomize", "__main__", "builtins", "graalpy", "_polyglot");

    private record Version(String name, long version, String scope, Path directory, Set<String> provides) {
    }

    /** A replaced version and the outermost frames that were running when it was replaced. */
    private static final class Retired {
        final Version version;
        final Set<CallFrame> holders = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Whether the frames were looked at once more, a sweep after the switch (see {@link #sweep}). */
        boolean lookedAgain;

        Retired(Version version, List<CallFrame> running) {
            this.version = version;
            holders.addAll(running);
        }
    }

    private final ModuleScopes scopes;
    /** The outermost frames running in this runtime's contexts now. */
    private final Supplier<List<CallFrame>> runningFrames;
    /** The standard library's and the interpreter's module names, read from a context (once). */
    private final Supplier<Set<String>> interpreterNames;
    private final Map<String, Version> current = new HashMap<>();
    private final List<Retired> retired = new ArrayList<>();
    private volatile boolean anyRetired;
    private volatile Set<String> reserved;
    private volatile Set<String> providedNames = Set.of();
    private volatile Map<String, Long> versions = Map.of();
    private boolean closed;

    Deployments(ModuleScopes scopes, Supplier<List<CallFrame>> runningFrames, Supplier<Set<String>> interpreterNames) {
        this.scopes = scopes;
        this.runningFrames = runningFrames;
        this.interpreterNames = interpreterNames;
    }

    /** See {@link PythonRuntime#switchDeployment}. */
    void switchTo(String name, long version, Path directory, Set<String> topLevelNames) {
        switchTo(name, version, directory, topLevelNames, false);
    }

    /** See {@link PythonRuntime#switchDeployment} and {@link PythonRuntime#replaceDeployment}. */
    void switchTo(String name, long version, Path directory, Set<String> topLevelNames, boolean evenIfCurrent) {
        if (name == null || name.isBlank()) {
            throw new PyDeployException("a deployment needs a name");
        }
        if (topLevelNames == null || topLevelNames.isEmpty()) {
            throw new PyDeployException("deployment " + name + " provides no module: give the top-level names it provides");
        }
        Set<String> provides = Set.copyOf(topLevelNames);
        for (String top : new TreeSet<>(provides)) {
            String why = whyReserved(top);
            if (why != null) {
                throw new PyDeployException("deployment " + name + " may not provide the module '" + top + "': " + why);
            }
        }
        Version replaced;
        synchronized (this) {
            if (closed) {
                throw new PyDeployException("the hzpy runtime is closed: deployment " + name + " was not switched");
            }
            Version now = current.get(name);
            if (now != null && now.version == version && !evenIfCurrent) {
                deleteQuietly(directory); // idempotent: the version is already current here
                return;
            }
            for (Version other : current.values()) {
                if (!other.name.equals(name)) {
                    for (String top : new TreeSet<>(provides)) {
                        if (other.provides.contains(top)) {
                            throw new PyDeployException("deployment " + name + " may not provide the module '" + top
                                    + "': deployment " + other.name + " (version " + other.version + ") provides it here");
                        }
                    }
                }
            }
            String scope;
            try {
                scope = scopes.open(directory, "<deploy " + name + "@" + version + ">", provides,
                        now == null ? Set.of() : now.provides);
            } catch (PyDeployException e) {
                throw e;
            } catch (org.hzpy.PyException e) {
                throw new PyDeployException("deployment " + name + " version " + version + " was not switched: " + e.getMessage());
            }
            readOnly(directory);
            current.put(name, new Version(name, version, scope, directory, provides));
            replaced = now;
            published();
        }
        if (replaced != null) {
            retire(replaced);
        }
    }

    /** See {@link PythonRuntime#removeDeployment}. */
    void remove(String name) {
        Version removed;
        synchronized (this) {
            removed = current.remove(name);
            if (removed == null) {
                return;
            }
            scopes.unroute(removed.provides);
            published();
        }
        retire(removed);
    }

    Map<String, Long> versions() {
        return versions;
    }

    Set<String> providedNames() {
        return providedNames;
    }

    /** See {@link PythonRuntime#reservedModuleNames}. Reads them from a context the first time. */
    Set<String> reservedNames() {
        if (reserved == null) {
            learnInterpreterNames(interpreterNames.get());
        }
        return reserved;
    }

    boolean knowsReservedNames() {
        return reserved != null;
    }

    /** The interpreter's names, read by a context as it started (saves waiting for one later). */
    void learnInterpreterNames(Set<String> names) {
        if (reserved == null) {
            Set<String> all = new TreeSet<>(names);
            all.addAll(HOST_NAMES);
            all.add("_hzpy_internal");
            reserved = Collections.unmodifiableSet(all);
        }
    }

    private String whyReserved(String top) {
        if (!isIdentifier(top)) {
            return "it is not a module name (a Python identifier, no dots)";
        }
        if (top.startsWith("_hzpy")) {
            return "names starting with _hzpy are hzpy's own";
        }
        if (HOST_NAMES.contains(top)) {
            return top.equals("hzpy") ? "it is hzpy's own module" : "it is the host's (GraalPy's or the site's) own module";
        }
        if (reservedNames().contains(top)) {
            return "it is a standard library module, which a deployment may not shadow";
        }
        return null;
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.codePointAt(0)) || s.charAt(0) == '$') {
            return false;
        }
        return s.codePoints().allMatch(c -> c != '$' && Character.isJavaIdentifierPart(c) && !Character.isIdentifierIgnorable(c));
    }

    private void published() { // under this
        Map<String, Long> v = new TreeMap<>();
        Set<String> names = new HashSet<>();
        current.values().forEach(c -> {
            v.put(c.name, c.version);
            names.addAll(c.provides);
        });
        versions = Collections.unmodifiableMap(v);
        providedNames = Set.copyOf(names);
    }

    /** Keeps {@code v} importable for the calls running now; closes it at once if none is. */
    private void retire(Version v) {
        List<CallFrame> running = runningFrames.get();
        List<Version> evicted = new ArrayList<>();
        synchronized (this) {
            retired.add(new Retired(v, running));
            int sameName = 0;
            for (int i = retired.size() - 1; i >= 0; i--) {
                if (retired.get(i).version.name.equals(v.name) && ++sameName > MAX_RETIRED) {
                    evicted.add(retired.remove(i).version);
                }
            }
            anyRetired = true;
        }
        evicted.forEach(this::closeVersion); // the next sweeps close it once its calls have ended
    }

    /**
     * Closes the replaced versions no call that was running at their switch still runs on. The
     * frames are looked at once more on the first sweep after the switch: a call that took the old
     * version just before the switch may have pushed its frame just after the first look.
     */
    void sweep() {
        if (!anyRetired) {
            return;
        }
        List<Version> done = new ArrayList<>();
        Set<CallFrame> running = Collections.newSetFromMap(new IdentityHashMap<>());
        running.addAll(runningFrames.get());
        synchronized (this) {
            for (Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
                Retired r = it.next();
                if (!r.lookedAgain) {
                    r.lookedAgain = true;
                    r.holders.addAll(running);
                    continue; // (its holders are all running now)
                }
                r.holders.retainAll(running);
                if (r.holders.isEmpty()) {
                    it.remove();
                    done.add(r.version);
                }
            }
            anyRetired = !retired.isEmpty();
        }
        for (Version v : done) { // the files are deleted off the watchdog's thread: a wheel may hold many
            scopes.close(v.scope);
            java.util.concurrent.ForkJoinPool.commonPool().execute(() -> deleteQuietly(v.directory));
        }
    }

    /** Closes every version, current and replaced, and deletes their directories. */
    void close() {
        List<Version> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            all.addAll(current.values());
            retired.forEach(r -> all.add(r.version));
            current.clear();
            retired.clear();
            anyRetired = false;
            published();
        }
        all.forEach(this::closeVersion);
    }

    private void closeVersion(Version v) {
        scopes.close(v.scope);
        deleteQuietly(v.directory);
    }

    /** The files of a version must not change under the contexts that import them (its directories stay writable: deletable). */
    private static void readOnly(Path directory) {
        try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
            files.filter(Files::isRegularFile).forEach(f -> f.toFile().setWritable(false, false));
        } catch (IOException | java.io.UncheckedIOException e) {
            LOGGER.warning("hzpy could not make the deployment directory " + directory + " read-only: " + e);
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOGGER.warning("hzpy could not delete the deployment directory " + directory + ": " + e);
        }
    }
}
