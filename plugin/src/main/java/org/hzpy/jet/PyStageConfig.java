package org.hzpy.jet;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a Jet stage calls in Python and how: {@code module.function(batch)} gets a list of items
 * and returns a list of the same length. Fluent; {@link #validate()} checks every field at once
 * and names each problem in one message. Not thread-safe while being built; travels with the job.
 */
public final class PyStageConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String module;
    private final String function;
    private int batchSize = 64;
    private Duration timeout;

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

    /** Null: the member's default. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * @throws IllegalArgumentException naming every field that is wrong
     */
    public PyStageConfig validate() {
        List<String> problems = new ArrayList<>();
        if (module == null || module.isBlank()) {
            problems.add("module must be a module name, was " + quoted(module));
        }
        if (function == null || function.isBlank()) {
            problems.add("function must be a function name, was " + quoted(function));
        }
        if (batchSize < 1 || batchSize > 100_000) {
            problems.add("batchSize must be from 1 to 100000, was " + batchSize);
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

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    @Override
    public String toString() {
        return module + "." + function + "(batch of " + batchSize + (timeout == null ? "" : ", timeout " + timeout) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyStageConfig c && Objects.equals(module, c.module) && Objects.equals(function, c.function)
                && batchSize == c.batchSize && Objects.equals(timeout, c.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(module, function, batchSize, timeout);
    }
}
