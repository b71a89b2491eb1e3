package org.hzpy;

/**
 * The concurrency limit is exhausted: the call was refused at once rather than queued. Callers
 * shed load or retry later; {@link #current()} and {@link #max()} say how full the limit was.
 */
public class OverloadedException extends PyException {
    private static final long serialVersionUID = 1L;

    private final int current;
    private final int max;

    public OverloadedException(int current, int max) {
        super("Python is overloaded: " + current + " of " + max + " concurrent calls in progress");
        this.current = current;
        this.max = max;
    }

    /** A limit other than the concurrency limit ({@code message} names it), e.g. {@code hzpy.async-max-pending}. */
    public OverloadedException(String message, int current, int max) {
        super(message);
        this.current = current;
        this.max = max;
    }

    public int current() {
        return current;
    }

    public int max() {
        return max;
    }
}
