package org.hzpy;

/**
 * A call did not finish within its timeout. If its Python code had started, it was interrupted;
 * the context that ran it stays usable and the call's permit was released.
 */
public class PyTimeoutException extends PyException {
    private static final long serialVersionUID = 1L;

    public PyTimeoutException(String message) {
        super(message);
    }
}
