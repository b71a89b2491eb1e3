package org.hzpy;

/**
 * A value could not be converted exactly between Java and Python. The message names the type
 * that could not be converted; hzpy never falls back to {@code str(obj)} or {@code None}.
 */
public class PyConversionException extends PyException {
    private static final long serialVersionUID = 1L;

    public PyConversionException(String message) {
        super(message);
    }
}
