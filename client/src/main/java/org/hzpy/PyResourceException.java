package org.hzpy;

/**
 * Python code was stopped, or a call refused, to protect the member's resources: the heap in use
 * reached {@code hzpy.memory-guard}, or GraalPy reported a resource it ran out of. The message
 * names the limit. The context that ran the call stays usable.
 */
public class PyResourceException extends PyException {
    private static final long serialVersionUID = 1L;

    public PyResourceException(String message) {
        super(message);
    }
}
