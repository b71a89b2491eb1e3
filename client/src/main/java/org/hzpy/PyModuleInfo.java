package org.hzpy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One deployment as {@link PyModules#list()} reports it: its current version and what the cluster
 * knows of it. Immutable.
 *
 * @param name       the deployment's name
 * @param version    its current version (versions count up from 1 per name and are never reused)
 * @param sizeBytes  the current version's files, in bytes
 * @param modules    the top-level module and package names it provides
 * @param deployedBy who deployed the current version: "member &lt;address&gt;" or "client &lt;name&gt; &lt;uuid&gt;"
 *                   (a client names itself: it says who, it proves nothing)
 * @param deployedAt when the current version was deployed (or rolled back to)
 * @param versions   the versions kept, oldest first (the current one included): what {@code rollback} can take
 * @param loadedBy   the members (addresses) whose Python imports this version now, sorted; a member that
 *                   did not answer within 10 s is left out
 */
public record PyModuleInfo(String name, long version, long sizeBytes, Set<String> modules, String deployedBy,
                           Instant deployedAt, List<Long> versions, List<String> loadedBy) {
    public PyModuleInfo {
        Objects.requireNonNull(name, "name");
        modules = Set.copyOf(modules);
        versions = List.copyOf(versions);
        loadedBy = List.copyOf(loadedBy);
    }
}
