package org.hzpy.runtime;

import java.util.List;

/** A Java function Python may call through the module {@code hzpy}. */
@FunctionalInterface
public interface HostFunction {
    /**
     * @param args          the arguments, converted to Java
     * @param deadlineNanos when the Python call that calls it must end ({@link System#nanoTime()});
     *                      a function that waits should not wait past it
     * @return the result, converted back to Python
     */
    Object apply(List<Object> args, long deadlineNanos);
}
