package org.hzpy;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The arguments of a {@link PyFunction} call, converted to Java, and the way back into the Python
 * call that made it: {@link #call} runs Python nested in that call, from any thread, for as long
 * as the function's result is pending (after that, as a call of its own). Thread-safe.
 */
public final class PyArgs extends AbstractList<Object> {
    private final List<Object> values;
    private final Function<PyCall, Object> nested;

    /** Made by hzpy for each call of a function. */
    public PyArgs(List<Object> values, Function<PyCall, Object> nested) {
        this.values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values)); // may hold nulls
        this.nested = Objects.requireNonNull(nested, "nested");
    }

    @Override
    public Object get(int index) {
        return values.get(index);
    }

    @Override
    public int size() {
        return values.size();
    }

    /** Runs {@code call} nested in the Python call that called this function, and returns its result. */
    public Object call(PyCall call) {
        return nested.apply(Objects.requireNonNull(call, "call"));
    }

    /** {@link #call(PyCall)} of {@code module.function(*args)}. */
    public Object call(String module, String function, Object... args) {
        return call(PyCall.of(module, function, args));
    }
}
