package org.hzpy;

/**
 * Base of every failure hzpy reports. Unchecked, like Hazelcast's own exceptions; catch a
 * subclass to handle one failure kind.
 */
public class PyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PyException(String message) {
        super(message);
    }

    public PyException(String message, Throwable cause) {
        super(message, cause);
    }
}
