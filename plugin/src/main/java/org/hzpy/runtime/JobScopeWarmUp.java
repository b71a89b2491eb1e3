package org.hzpy.runtime;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The directory the background warm-up of Jet jobs' per-context work runs over (see
 * {@code _hzpy_internal.scopes.warm_up_jobs}): a temporary directory holding one small module,
 * live as a module scope, so that the sandbox lets contexts read it, from the first context's
 * warm-up until {@link #finish}. Thread-safe.
 */
final class JobScopeWarmUp {
    private static final ILogger LOGGER = Logger.getLogger(JobScopeWarmUp.class);
    private static final String MODULE_FILE = "hzpy_job_warmup.py";

    private final ModuleScopes scopes;
    private final int rounds;
    private Path directory; // guarded by this
    private String scope; // guarded by this
    private boolean finished; // guarded by this

    /** @param rounds how many times each context runs a job's work (hzpy.warmup-jobs) */
    JobScopeWarmUp(ModuleScopes scopes, int rounds) {
        this.scopes = scopes;
        this.rounds = rounds;
    }

    int rounds() {
        return rounds;
    }

    /** The directory (its real path), made and opened as a scope on first use; null once finished or if it cannot be made. */
    synchronized String directory() {
        if (finished) {
            return null;
        }
        if (scope == null) {
            try {
                directory = Files.createTempDirectory("hzpy-job-warmup").toRealPath();
                Files.writeString(directory.resolve(MODULE_FILE), "def handler(items):\n    return items\n");
                scope = scopes.open(directory, "<warm-up>", Set.of(), Set.of());
            } catch (IOException | RuntimeException e) {
                LOGGER.warning("hzpy: no warm-up of Jet jobs' work (its directory could not be made: " + e + ")");
                finish();
                return null;
            }
        }
        return directory.toString();
    }

    /** Closes the scope (each context drops it before its next call) and deletes the directory. Idempotent. */
    synchronized void finish() {
        finished = true;
        if (scope != null) {
            scopes.close(scope);
            scope = null;
        }
        if (directory != null) {
            try {
                Files.deleteIfExists(directory.resolve(MODULE_FILE));
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                LOGGER.fine("hzpy: the warm-up directory " + directory + " stays: " + e);
            }
            directory = null;
        }
    }
}
