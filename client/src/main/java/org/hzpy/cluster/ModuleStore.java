package org.hzpy.cluster;

import org.hzpy.PyModuleInfo;
import org.hzpy.deploy.PackageFiles;

import java.util.List;

/**
 * What {@code PyModules} asks of the cluster: on a member its own {@code ClusterDeployments} (hzpy-plugin's), on a
 * client {@link RemoteDeployments}, which sends each request to a member. Thread-safe.
 */
public interface ModuleStore {
    /** Stores {@code files} as the next version of {@code name}, switches every member to it, returns the version. */
    long deploy(String name, PackageFiles files);

    /** The current deployments, sorted by name. */
    List<PyModuleInfo> list();

    /** Removes {@code name} from every member. */
    void remove(String name);

    /** Switches every member back to the kept {@code version} of {@code name}. */
    void rollback(String name, long version);

    /** A deployment's name: letters, digits, '_', '-' and '.' (as wheels name distributions), 1 to 100 of them. */
    java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,99}");

    /**
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if it is not a deployment's name
     */
    static void checkName(String name) {
        java.util.Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a deployment's name is 1 to 100 letters, digits, '_', '-' or '.',"
                    + " starting with a letter, digit or '_'; was \"" + (name.length() > 120 ? name.substring(0, 120) + "..." : name) + "\"");
        }
    }
}
