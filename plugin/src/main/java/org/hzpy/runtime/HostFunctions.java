package org.hzpy.runtime;

import org.hzpy.PyConversionException;
import org.hzpy.PyException;
import org.hzpy.PyStateException;
import org.hzpy.PyTimeoutException;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Java functions that Python in this member's contexts may call (module {@code hzpy}): the
 * shared state's operations and, by name, functions registered by the application. Arguments
 * arrive converted to Java, results go back converted to Python; a Java exception reaches
 * Python as a Python exception of a matching type. Thread-safe.
 */
public final class HostFunctions {
    private final Map<String, Function<List<Object>, Object>> functions = new ConcurrentHashMap<>();

    /** Makes {@code fn} callable from Python as {@code name}, replacing any function of that name. */
    public void register(String name, Function<List<Object>, Object> fn) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fn, "fn");
        functions.put(name, fn);
    }

    public void unregister(String name) {
        functions.remove(name);
    }

    /** Runs {@code name}; an unknown name fails as a Python {@code LookupError} naming it. */
    Object apply(String name, List<Object> args) {
        Function<List<Object>, Object> fn = functions.get(name);
        if (fn == null) {
            throw new HostFunctionError("LookupError", "no Java function named '" + name + "' on this member");
        }
        return fn.apply(args);
    }

    /** The Python exception type a Java failure of a host function is raised as. */
    static String pythonTypeOf(Throwable t) {
        if (t instanceof HostFunctionError e) {
            return e.pythonType;
        }
        if (t instanceof PyStateException || t instanceof PyConversionException || t instanceof ClassCastException) {
            return "TypeError";
        }
        if (t instanceof ArithmeticException) {
            return "OverflowError";
        }
        if (t instanceof IllegalArgumentException || t instanceof NullPointerException) {
            return "ValueError";
        }
        if (t instanceof PyTimeoutException) {
            return "TimeoutError";
        }
        return "RuntimeError";
    }

    static String messageOf(Throwable t) {
        if (t instanceof PyException || t instanceof HostFunctionError || t.getClass().getName().startsWith("java.lang.")) {
            return String.valueOf(t.getMessage());
        }
        return t.getClass().getName() + ": " + t.getMessage();
    }

    /** A failure that names the Python exception type it is raised as. */
    static final class HostFunctionError extends RuntimeException {
        final String pythonType;

        HostFunctionError(String pythonType, String message) {
            super(message, null, false, false);
            this.pythonType = pythonType;
        }
    }
}
