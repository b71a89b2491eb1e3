package org.hzpy.jet;

import org.hzpy.PyException;
import org.hzpy.PythonException;

/**
 * A Python stage's failure as the job reports it: the stage, the Python type and message, and the
 * whole traceback in the message, since a job's failure is read as text.
 */
public class PyStageException extends PyException {
    PyStageException(PyStageConfig config, PyException cause) {
        super(config.stage() + " failed: " + cause.getMessage()
                + (cause instanceof PythonException p && p.traceback() != null ? "\n" + p.traceback() : ""));
    }
}
