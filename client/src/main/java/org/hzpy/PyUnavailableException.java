package org.hzpy;

/**
 * The Python runtime cannot serve calls: it is stopped, closing, or was never loaded on this
 * member. The message says which and what to do.
 */
public class PyUnavailableException extends PyException {
    private static final long serialVersionUID = 1L;

    public PyUnavailableException(String message) {
        super(message);
    }
}
