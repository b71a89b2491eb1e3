package org.hzpy;

/**
 * A deployment of Python code was refused, or named something the cluster does not hold: the files
 * are not a pure-Python package (a path leaves its root, a wheel carries native code), a module
 * would shadow the standard library or hzpy's own modules, another deployment already provides one
 * of its names, or the version asked for is not kept. The message says which and what to do.
 * Nothing was changed anywhere.
 */
public class PyDeployException extends PyException {
    private static final long serialVersionUID = 1L;

    public PyDeployException(String message) {
        super(message);
    }
}
