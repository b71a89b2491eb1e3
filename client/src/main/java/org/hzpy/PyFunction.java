package org.hzpy;

/**
 * A Java function Python calls as {@code hzpy.call(name, *args)}; register it with
 * {@link Py#registerFunction}. It gets the arguments converted to Java and returns a value
 * (converted back to Python) or a {@link java.util.concurrent.CompletionStage} of one, which the
 * Python call waits for. It may call Python again through {@link PyArgs#call}: from its own thread
 * or any other, such a call runs nested in the Python call that called it, in the same context,
 * and never waits for a permit or a context that call holds. An exception it throws is raised in
 * Python (a Python exception raised by a nested call keeps its type; anything else is a
 * {@code RuntimeError} naming the Java exception).
 */
@FunctionalInterface
public interface PyFunction {
    Object apply(PyArgs args) throws Exception;
}
