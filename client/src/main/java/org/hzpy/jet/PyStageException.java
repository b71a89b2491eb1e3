package org.hzpy.jet;

import org.hzpy.PyException;
import org.hzpy.PythonException;

/**
 * A Python stage's failure as the job reports it: the stage, then what went wrong — a Python
 * error with its type, message and whole traceback (a job's failure is read as text); or a refusal
 * before any Python ran, whose cause ({@link org.hzpy.PySandboxException},
 * {@link org.hzpy.OverloadedException}) the message names, with the setting that would allow it.
 * The cause is kept ({@link #getCause()}) for code on the member.
 */
public class PyStageException extends PyException {
    private static final long serialVersionUID = 1L;

    /** The stage's Python call failed. */
    PyStageException(PyStageConfig config, PyException cause) {
        super(config.stage() + " failed: " + cause.getMessage()
                + (cause instanceof PythonException p && p.traceback() != null ? "\n" + p.traceback() : ""), cause);
    }

    /** The stage did not run its Python: {@code what} says why; the message names the cause's type. */
    PyStageException(PyStageConfig config, String what, PyException cause) {
        super(config.stage() + " " + what + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", cause);
    }
}
