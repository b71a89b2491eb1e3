package org.hzpy;

/**
 * Python code raised an exception. Carries the Python type (qualified for non-builtins, e.g.
 * {@code json.decoder.JSONDecodeError}), the message ({@code str(exc)}) and the full formatted
 * traceback, all with their Unicode intact.
 */
public class PythonException extends PyException {
    private static final long serialVersionUID = 1L;

    private final String pythonType;
    private final String pythonMessage;
    private final String traceback;

    public PythonException(String pythonType, String pythonMessage, String traceback) {
        super(pythonType + (pythonMessage.isEmpty() ? "" : ": " + pythonMessage));
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.traceback = traceback;
    }

    /** The exception's Python type name, e.g. {@code ZeroDivisionError}. */
    public String pythonType() {
        return pythonType;
    }

    /** {@code str(exception)} as Python printed it. */
    public String message() {
        return pythonMessage;
    }

    /** The whole traceback as {@code traceback.format_exception} wrote it. */
    public String traceback() {
        return traceback;
    }
}
