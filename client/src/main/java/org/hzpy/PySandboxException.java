package org.hzpy;

/**
 * Python code tried something the member's sandbox denies (creating a process or thread, opening
 * a socket, native access). Python's own {@code PermissionError}s, such as {@code open()} outside
 * the module path, arrive as {@link PythonException} instead, because Python code can catch them.
 * Wider access is an explicit setting: {@code hzpy.sandbox: trusted} in {@code hazelcast.yaml}.
 */
public class PySandboxException extends PyException {
    private static final long serialVersionUID = 1L;

    public PySandboxException(String message) {
        super(message);
    }
}
