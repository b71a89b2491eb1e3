package org.hzpy;

/**
 * The caller cancelled the call (for example {@code callAsync(...).toCompletableFuture().cancel(true)})
 * before it finished. If its Python code had started, it was interrupted; the permit was released
 * and the context stays usable.
 */
public class PyCancelledException extends PyException {
    private static final long serialVersionUID = 1L;

    public PyCancelledException(String message) {
        super(message);
    }
}
