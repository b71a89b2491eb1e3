package org.hzpy.cluster;

import org.hzpy.HzpySettings;
import org.hzpy.PyDeployException;
import org.hzpy.PySandboxException;
import org.hzpy.deploy.ModulePathArchive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Python work arriving through the cluster (from clients, or keyed calls from other members)
 * may do, from the member's settings. The runtime's internals and Python's own ways to run
 * arbitrary code are refused whatever the settings say. Thread-safe.
 */
final class RemotePolicy {
    /**
     * Modules never callable from outside: with them, a call could run any code it passes as a
     * string or as pickled bytes, or reach the runtime or the host. Refused whatever
     * {@code hzpy.remote-modules} says, {@code any} included. The list cannot be complete (third-party
     * modules can run strings too), so the docs describe {@code any} as "clients may run any code".
     */
    private static final Set<String> INTERNAL_MODULES = Set.of("_hzpy_internal", "importlib", "sys", "os", "posix",
            "builtins", "runpy", "code", "codeop", "pickle", "_pickle", "marshal", "ctypes", "_ctypes", "subprocess",
            "signal", "_signal", "polyglot", "java", "__graalpython__",
            // run a string as code, unpickle (which can call anything), or import and call by name
            "timeit", "profile", "cProfile", "pdb", "bdb", "doctest", "trace", "shelve", "dbm", "copyreg",
            "logging", "pkgutil", "pydoc", "unittest", "warnings", "site", "zipimport", "_imp", "_frozen_importlib",
            "_frozen_importlib_external", "multiprocessing", "concurrent", "idlelib", "dill", "cloudpickle",
            "jsonpickle", "numexpr");
    /** Functions never callable from outside, in any module (reached as {@code __main__.exec} too). */
    private static final Set<String> CODE_RUNNING_FUNCTIONS = Set.of("exec", "eval", "compile", "__import__",
            "getattr", "setattr", "delattr", "globals", "locals", "vars", "open", "breakpoint", "input");
    /**
     * A module or function name: dotted Python identifiers (ASCII or letters), nothing a path could
     * hold. {@link #validName} checks it by hand; this is its definition, and the tests' reference.
     */
    static final java.util.regex.Pattern DOTTED_NAME =
            java.util.regex.Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_]*(\\.[\\p{L}_][\\p{L}\\p{N}_]*)*");
    private static final int MAX_NAME_LENGTH = 200;
    /** How many module names' path lookups are remembered: names are identifiers, but a caller chooses them. */
    private static final int MAX_CACHED_NAMES = 1024;

    private final HzpySettings settings;
    private final Map<String, Boolean> onModulePath = new ConcurrentHashMap<>();
    /** The top-level names the member's current deployments provide: code the cluster deployed counts as the module path's. */
    private final java.util.function.Supplier<Set<String>> deployed;
    /** The top-level names the module path's archives provide: read once, as zipimport reads their directory once. */
    private final Set<String> inArchives;

    RemotePolicy(HzpySettings settings) {
        this(settings, Set::of);
    }

    RemotePolicy(HzpySettings settings, java.util.function.Supplier<Set<String>> deployed) {
        this.settings = settings;
        this.deployed = deployed;
        this.inArchives = archiveNames(settings.modulePath());
    }

    void checkEval(String what) {
        if (!settings.remoteEval()) {
            throw new PySandboxException(what + " from outside the member is off: set hzpy.remote-eval: true in the"
                    + " member's hazelcast.yaml to allow it (it runs any code the caller sends)");
        }
    }

    void checkCall(String module, String function) {
        if (!validName(module) || !validName(function)) {
            // one message whatever the name is: it must not tell what exists on the host
            throw new PySandboxException("a call from outside the member must name a module and a function by"
                    + " dotted Python identifiers (such as mymodule.sub and my_function)");
        }
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        if (INTERNAL_MODULES.contains(top) || top.startsWith("_hzpy")) {
            throw new PySandboxException(module + "." + function + "() cannot be called from outside the member: "
                    + top + " reaches the runtime's internals or the host (no setting allows it)");
        }
        if (CODE_RUNNING_FUNCTIONS.contains(function) || function.startsWith("__")) {
            throw new PySandboxException(module + "." + function + "() cannot be called from outside the member: "
                    + function + " runs or reaches arbitrary code (no setting allows it; use eval with hzpy.remote-eval)");
        }
        if (module.equals("__main__")) {
            return; // functions defined by exec
        }
        List<String> allowed = settings.remoteModules();
        if (allowed.contains(HzpySettings.ANY_MODULE) || allowed.contains(module) || allowed.contains(top)) {
            return;
        }
        if (allowed.contains(HzpySettings.MODULE_PATH) && (deployed.get().contains(top) || onModulePath(top))) {
            return;
        }
        throw new PySandboxException(module + "." + function + "() cannot be called from outside the member: "
                + "hzpy.remote-modules is " + String.join(",", allowed) + "; add " + top + " to it (or 'any') in the"
                + " member's hazelcast.yaml to allow it");
    }

    static boolean validName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return false;
        }
        boolean segmentStart = true;
        for (int i = 0; i < name.length(); ) { // DOTTED_NAME by hand: a Matcher per name was a remote call's largest allocation (JFR)
            int cp = name.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '.') {
                if (segmentStart) {
                    return false;
                }
                segmentStart = true;
            } else if (cp == '_' || Character.isLetter(cp) || !segmentStart && isNumber(cp)) {
                segmentStart = false;
            } else {
                return false;
            }
        }
        return !segmentStart;
    }

    /** {@code \p{N}}: a decimal digit, a letter number or another number. */
    private static boolean isNumber(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** Whether {@code top} (a valid identifier: checked first) is a module on hzpy.module-path, in a directory or an archive. */
    private boolean onModulePath(String top) {
        Boolean known = onModulePath.get(top);
        if (known != null) {
            return known;
        }
        boolean found = inArchives.contains(top);
        for (Path dir : found ? List.<Path>of() : settings.modulePath()) {
            if (Files.isRegularFile(dir.resolve(top + ".py")) || Files.isDirectory(dir.resolve(top))) {
                found = true;
                break;
            }
        }
        if (onModulePath.size() < MAX_CACHED_NAMES) {
            onModulePath.put(top, found);
        }
        return found;
    }

    private static Set<String> archiveNames(List<Path> modulePath) {
        Set<String> names = new java.util.HashSet<>();
        for (Path entry : modulePath) {
            if (Files.isRegularFile(entry) && ModulePathArchive.isArchiveName(entry)) {
                try {
                    names.addAll(ModulePathArchive.check(entry));
                } catch (PyDeployException e) {
                    // checked when the member started; one that broke since provides nothing to call
                }
            }
        }
        return Set.copyOf(names);
    }

    /** How many module names the path lookup remembers (bounded by {@link #MAX_CACHED_NAMES}). */
    int cachedModuleNames() {
        return onModulePath.size();
    }

    /**
     * The refusals of {@link #checkCall} that hold wherever a module comes from, for a module a Jet
     * job ships in its own attached directory (code the job brings, as it may bring Java classes):
     * no internal module's name, no code-running function.
     */
    void checkJobCodeCall(String module, String function) {
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        if (INTERNAL_MODULES.contains(top) || top.startsWith("_hzpy")) {
            throw new PySandboxException(module + "." + function + "() cannot be a job's own module: " + top
                    + " is the name of a module that reaches the runtime's internals or the host (no setting allows it;"
                    + " rename the module)");
        }
        if (CODE_RUNNING_FUNCTIONS.contains(function) || function.startsWith("__")) {
            throw new PySandboxException(module + "." + function + "() cannot be called from outside the member: "
                    + function + " runs or reaches arbitrary code (no setting allows it; use eval with hzpy.remote-eval)");
        }
    }
}
