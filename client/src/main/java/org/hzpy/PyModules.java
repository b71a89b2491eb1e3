package org.hzpy;

import org.hzpy.cluster.ModuleStore;
import org.hzpy.deploy.PackageFiles;
import org.hzpy.deploy.Packages;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Python code deployed to the whole cluster, versioned: every member — including members that join
 * later, and contexts started later — imports a deployment's modules by their plain names, ahead of
 * {@code hzpy.module-path}. A deploy, rollback or remove returns once every member has switched:
 * calls that start after it (on any member) see the new version; calls running finish on the
 * version they began with. Module state starts fresh with each version.
 *
 * <pre>{@code
 * PyModules modules = Py.on(hazelcastInstance).modules();
 * long v = modules.deploy("pricing", Path.of("src/pricing"));   // a package directory
 * py.call("pricing.rates", "quote", 3);                          // every member, version v
 * modules.rollback("pricing", v - 1);
 * }</pre>
 *
 * From a client, changing deployments is sending code: refused ({@link PySandboxException}) unless
 * the members set {@code hzpy.remote-deploy: true}; {@link #list()} is always allowed. Failures are
 * typed: {@link PyDeployException} (content, names, versions), {@link PyResourceException}
 * ({@code hzpy.deploy-max-bytes}), {@link PyUnavailableException}. Thread-safe.
 */
public final class PyModules {
    /** What a client reads before sending: the members check hzpy.deploy-max-bytes again on arrival. */
    private static final long CLIENT_READ_LIMIT = 1L << 30;

    private final ModuleStore deployments;
    private final long readLimit;

    PyModules(ModuleStore deployments, long readLimit) {
        this.deployments = deployments;
        this.readLimit = readLimit > 0 ? readLimit : CLIENT_READ_LIMIT;
    }

    /**
     * Deploys {@code path} as the next version of {@code name}: a {@code .py} file, a package
     * directory, a {@code .zip} (its entries as they would lie on the module path), or a pure-Python
     * wheel ({@code .whl}; its {@code *.dist-info} is kept, so {@code importlib.metadata} sees it).
     *
     * @return the new version number
     */
    public long deploy(String name, Path path) {
        checkName(name);
        Objects.requireNonNull(path, "path");
        return deployments.deploy(name, Packages.read(path, readLimit));
    }

    /**
     * Deploys sources held in memory as the next version of {@code name}, keyed by their path as they
     * would lie on the module path: {@code pricing/__init__.py}, {@code pricing/rates.py}, or
     * {@code tools.py} for a single module.
     *
     * @return the new version number
     */
    public long deploy(String name, Map<String, String> files) {
        checkName(name);
        Objects.requireNonNull(files, "files");
        return deployments.deploy(name, Packages.fromSources(files, readLimit));
    }

    /** Every current deployment, sorted by name. */
    public List<PyModuleInfo> list() {
        return deployments.list();
    }

    /**
     * Removes {@code name} from every member: its modules import from {@code hzpy.module-path} (or
     * nowhere) again for calls that start after this returns. Its kept versions are dropped.
     *
     * @throws PyDeployException if no deployment has that name
     */
    public void remove(String name) {
        checkName(name);
        deployments.remove(name);
    }

    /**
     * Makes the kept {@code version} of {@code name} current again on every member (as a deploy of
     * it would: module state starts fresh).
     *
     * @throws PyDeployException if that version is not kept (see {@code hzpy.deploy-history})
     */
    public void rollback(String name, long version) {
        checkName(name);
        if (version < 1) {
            throw new IllegalArgumentException("a version is a number from 1, was " + version);
        }
        deployments.rollback(name, version);
    }

    private static void checkName(String name) {
        ModuleStore.checkName(name);
    }
}
