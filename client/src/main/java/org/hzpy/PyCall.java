package org.hzpy;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One call of a Python function: module, function, positional arguments, and optionally keyword
 * arguments, a timeout and a partition key. Immutable and thread-safe; {@link #kwargs} and {@link #timeout}
 * return a new call.
 *
 * <pre>{@code
 * PyCall.of("mod", "fn", 1, 2).kwargs(Map.of("k", "v")).timeout(Duration.ofSeconds(5))
 * }</pre>
 */
public final class PyCall implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String module;
    private final String function;
    private final Object[] args;
    private final Map<String, Object> kwargs;
    private final Duration timeout;
    private final transient Object key;

    private PyCall(String module, String function, Object[] args, Map<String, Object> kwargs, Duration timeout,
                   Object key) {
        this.module = module;
        this.function = function;
        this.args = args;
        this.kwargs = kwargs;
        this.timeout = timeout;
        this.key = key;
    }

    /**
     * A call of {@code module.function(*args)}. Use {@code "__main__"} for functions defined with
     * {@link Py#exec}.
     */
    public static PyCall of(String module, String function, Object... args) {
        requireName(module, "module");
        requireName(function, "function");
        return new PyCall(module, function, args == null ? new Object[] {null} : args.clone(), Map.of(), null, null);
    }

    /** The same call with these keyword arguments (insertion order kept). */
    public PyCall kwargs(Map<String, ?> kwargs) {
        Objects.requireNonNull(kwargs, "kwargs");
        Map<String, Object> copy = new LinkedHashMap<>();
        kwargs.forEach((k, v) -> {
            requireName(k, "keyword argument name");
            copy.put(k, v);
        });
        return new PyCall(module, function, args, Collections.unmodifiableMap(copy), timeout, key);
    }

    /** The same call with its own timeout instead of {@code hzpy.call-timeout}. */
    public PyCall timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return new PyCall(module, function, args, kwargs, timeout, key);
    }

    /**
     * The same call, run on the member that owns {@code key}'s partition (where an IMap entry of
     * that key lives); without a key a call runs on the calling member, or, from a client, on a
     * member chosen by the client.
     */
    public PyCall key(Object key) {
        Objects.requireNonNull(key, "key");
        return new PyCall(module, function, args, kwargs, timeout, key);
    }

    public String module() {
        return module;
    }

    public String function() {
        return function;
    }

    /** The positional arguments, unmodifiable. */
    public List<Object> args() {
        return Collections.unmodifiableList(Arrays.asList(args));
    }

    /** The keyword arguments, unmodifiable, possibly empty. */
    public Map<String, Object> kwargs() {
        return kwargs;
    }

    /** This call's own timeout, or {@code null} for the member's {@code hzpy.call-timeout}. */
    public Duration timeout() {
        return timeout;
    }

    /** The partition key this call runs by, or {@code null}. */
    public Object key() {
        return key;
    }

    Object[] argsArray() {
        return args;
    }

    private static void requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    @Override
    public String toString() {
        return module + "." + function + Arrays.toString(args) + (kwargs.isEmpty() ? "" : " " + kwargs)
                + (timeout == null ? "" : " timeout=" + timeout) + (key == null ? "" : " key=" + key);
    }
}
