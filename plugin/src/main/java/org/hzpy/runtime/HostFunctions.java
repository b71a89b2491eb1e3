package org.hzpy.runtime;

import org.hzpy.PyConversionException;
import org.hzpy.PyException;
import org.hzpy.PyStateException;
import org.hzpy.PyTimeoutException;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Java functions that Python in this member's contexts may call (module {@code hzpy}): the
 * shared state's operations and, by name, functions registered by the application. Arguments
 * arrive converted to Java, results go back converted to Python; a Java exception reaches
 * Python as a Python exception of a matching type. Thread-safe.
 */
public final class HostFunctions {
    private final Map<String, HostFunction> functions = new ConcurrentHashMap<>();

    /** Makes {@code fn} callable from Python as {@code name}, replacing any function of that name. */
    public void register(String name, HostFunction fn) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fn, "fn");
        functions.put(name, fn);
    }

    public void unregister(String name) {
        functions.remove(name);
    }

    /** Runs {@code name}; an unknown name fails as a Python {@code LookupError} naming it. */
    Object apply(String name, List<Object> args, long deadlineNanos) {
        HostFunction fn = functions.get(name);
        if (fn == null) {
            throw new HostFunctionError("LookupError", "no Java function named '" + name + "' on this member");
        }
        return fn.apply(args, deadlineNanos);
    }

    /** The Python exception type a Java failure of a host function is raised as. */
    static String pythonTypeOf(Throwable t) {
        if (t instanceof HostFunctionError e) {
            return e.pythonType;
        }
        if (t instanceof org.hzpy.PythonException p) { // from Python called in turn: keep its type
            return p.pythonType();
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
        if (t instanceof org.hzpy.PythonException p) {
            return p.message();
        }
        if (t instanceof PyException || t instanceof HostFunctionError) {
            return String.valueOf(t.getMessage());
        }
        return t.getClass().getName() + ": " + t.getMessage();
    }

    /** Makes {@code t} a Python exception of type {@code pythonType} when it reaches Python. */
    public static RuntimeException raiseAs(String pythonType, String message) {
        return new HostFunctionError(pythonType, message);
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
