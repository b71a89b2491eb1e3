package org.hzpy.jet;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a Jet stage calls in Python and how: {@code module.function(batch)} gets a list of items
 * and returns a list of the same length (of results for a map stage, of booleans for a filter, of
 * lists for a flat-map). Fluent; {@link #validate()} checks every field at once and names each
 * problem in one message. Not thread-safe while being built; travels with the job.
 */
public final class PyStageConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What Jet's public batched stage keeps in flight per processor (ComputeStageImplBase, Hazelcast 5.x). */
    static final int MAX_CONCURRENT_BATCHES = 2;
    private static final String IDENTIFIER_TEXT = "[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*";
    private static final Pattern IDENTIFIER = Pattern.compile(IDENTIFIER_TEXT);
    private static final Pattern MODULE_NAME = Pattern.compile(IDENTIFIER_TEXT + "(\\." + IDENTIFIER_TEXT + ")*");

    private final String module;
    private final String function;
    private int batchSize = 64;
    private int concurrentBatches = 2;
    private Duration timeout;
    private String attachedDirectory;

    private PyStageConfig(String module, String function) {
        this.module = module;
        this.function = function;
    }

    /** Calls {@code module.function(items)}, the module from the members' {@code hzpy.module-path}. */
    public static PyStageConfig of(String module, String function) {
        return new PyStageConfig(module, function);
    }

    /** Items per Python call (default 64). */
    public PyStageConfig batchSize(int items) {
        this.batchSize = items;
        return this;
    }

    /**
     * Batches each stage processor keeps in Python at once: 2 (the default: one running while the
     * next waits, so the contexts never idle between batches) or 1. Jet's public batched stage keeps
     * at most 2 batches in flight per processor; for more at once, give the stage more processors
     * ({@code .apply(...).setLocalParallelism(n)}).
     */
    public PyStageConfig concurrentBatches(int batches) {
        this.concurrentBatches = batches;
        return this;
    }

    /**
     * Takes the handler module from the directory attached to the job under {@code id}
     * ({@code JobConfig.attachDirectory(path, id)}), not from the members' {@code hzpy.module-path}.
     * Its modules are the job's own: they import each other by plain name, other jobs may ship
     * different modules of the same names at the same time, and every member drops them when the
     * job ends.
     */
    public PyStageConfig attachedDirectory(String id) {
        this.attachedDirectory = id;
        return this;
    }

    /** Timeout of each Python call (default: the member's {@code hzpy.call-timeout}). */
    public PyStageConfig timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    public String module() {
        return module;
    }

    public String function() {
        return function;
    }

    public int batchSize() {
        return batchSize;
    }

    public int concurrentBatches() {
        return concurrentBatches;
    }

    /** The id of the job's attached directory the handler comes from; null: the members' module path. */
    public String attachedDirectory() {
        return attachedDirectory;
    }

    /** Null: the member's default. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Checked where the stage is built and again on each member when the job starts there (a job's
     * configuration comes from whoever submitted it).
     *
     * @throws IllegalArgumentException naming every field that is wrong
     */
    public PyStageConfig validate() {
        List<String> problems = new ArrayList<>();
        if (module == null || !MODULE_NAME.matcher(module).matches()) {
            problems.add("module must be a module name (Python identifiers joined by dots), was " + quoted(module));
        }
        if (function == null || !IDENTIFIER.matcher(function).matches()) {
            problems.add("function must be a function name (a Python identifier), was " + quoted(function));
        }
        if (batchSize < 1 || batchSize > 100_000) {
            problems.add("batchSize must be from 1 to 100000, was " + batchSize);
        }
        if (concurrentBatches < 1 || concurrentBatches > MAX_CONCURRENT_BATCHES) {
            problems.add("concurrentBatches must be 1 or 2, was " + concurrentBatches + " (Jet's batched stage keeps at most 2"
                    + " batches in flight per processor: for more, give the stage more processors with setLocalParallelism)");
        }
        if (attachedDirectory != null && attachedDirectory.isBlank()) {
            problems.add("attachedDirectory must be the id the directory was attached under, was " + quoted(attachedDirectory));
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            problems.add("timeout must be positive, was " + timeout);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid PyStageConfig for " + module + "." + function + ": "
                    + String.join("; ", problems));
        }
        return this;
    }

    /** "Python stage module.function()", how failures name the stage. */
    String stage() {
        return "Python stage " + module + "." + function + "()";
    }

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    @Override
    public String toString() {
        return module + "." + function + "(batch of " + batchSize + ", " + concurrentBatches + " in flight"
                + (timeout == null ? "" : ", timeout " + timeout)
                + (attachedDirectory == null ? "" : ", from the job's directory '" + attachedDirectory + "'") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyStageConfig c && Objects.equals(module, c.module) && Objects.equals(function, c.function)
                && batchSize == c.batchSize && concurrentBatches == c.concurrentBatches && Objects.equals(timeout, c.timeout)
                && Objects.equals(attachedDirectory, c.attachedDirectory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(module, function, batchSize, concurrentBatches, timeout, attachedDirectory);
    }
}
