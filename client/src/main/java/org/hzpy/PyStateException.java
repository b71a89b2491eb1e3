package org.hzpy;

/**
 * A shared-state operation that cannot apply to the value stored, such as incrementing a key that
 * holds a string. In Python it is a {@code TypeError}.
 */
public class PyStateException extends PyException {
    public PyStateException(String message) {
        super(message);
    }
}
