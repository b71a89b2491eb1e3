package org.hzpy.runtime;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyResourceException;
import org.hzpy.PySandboxException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;
import org.hzpy.PythonException;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failure translation: what a caller is told when the Python work of a {@link CallFrame} failed or
 * was stopped, as an hzpy exception (never a polyglot one). Describing a Python exception runs
 * Python ({@code str(exc)}, the traceback), so {@link #translate} runs inside the failed frame.
 * Thread-safe (stateless beyond its context's describe function, which the caller's entry guards).
 */
final class Failures {
    /** How GraalPy words the host operations a strict context refuses. */
    static final Pattern SANDBOX_DENIAL = Pattern.compile(
            "SecurityException|is not allowed|not allowed\\.|Native access not allowed|was excluded|UnsupportedPosixFeature");
    private static final Pattern TYPED_MESSAGE = Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*): (.*)", Pattern.DOTALL);

    private final Value describe;
    private final BooleanSupplier contextClosed;
    private final Supplier<String> memoryGuard;

    /**
     * @param describe      the helpers' {@code describe(exc)}: (type, message, traceback)
     * @param contextClosed whether the context was closed (a cancelled frame then says so)
     * @param memoryGuard   the memory guard's description, for frames it stopped
     */
    Failures(Value describe, BooleanSupplier contextClosed, Supplier<String> memoryGuard) {
        this.describe = describe;
        this.contextClosed = contextClosed;
        this.memoryGuard = memoryGuard;
    }

    /** The hzpy exception for a failure of the Python code running in {@code frame}. Runs inside the frame. */
    RuntimeException translate(PolyglotException e, CallFrame frame) {
        if (e.isCancelled() && frame.stopped != null) { // given up (hzpy.abandon-after) and closed under it
            return interrupted(frame);
        }
        if (e.isCancelled() || contextClosed.getAsBoolean()) {
            return new PyUnavailableException(frame.what() + " was cancelled: its Python context was closed while it ran"
                    + " (router stopped, context replaced, or member shutting down)");
        }
        if (e.isInterrupted()) {
            return interrupted(frame);
        }
        if (e.isHostException()) {
            Throwable host = e.asHostException();
            return host instanceof RuntimeException ? (RuntimeException) host
                    : new PyException("Java code called from Python failed: " + host, host);
        }
        if (e.isInternalError()) {
            String message = String.valueOf(e.getMessage());
            if (SANDBOX_DENIAL.matcher(message).find()) {
                return sandboxDenial(message); // GraalPy reports denied host operations (processes, threads, sockets) this way
            }
            if (message.contains("ThreadDeath")) {
                return new PythonException("SystemExit", "Python tried to end its thread (os._exit or similar);"
                        + " hzpy does not let Python end the member process", message);
            }
            return new PyException("GraalPy failed internally: " + message, e);
        }
        if (e.isResourceExhausted()) {
            return new PyResourceException("Python exhausted a resource: " + e.getMessage());
        }
        if (e.isExit()) { // SystemExit is caught by the helpers; this is what escapes them
            return new PythonException("SystemExit", String.valueOf(e.getExitStatus()), String.valueOf(e.getMessage()));
        }
        Value guest = e.getGuestObject();
        if (guest != null && !guest.isNull()) {
            try {
                Value d = describe.execute(guest);
                String type = d.getArrayElement(0).asString();
                if (frame.stopsItself && type.endsWith("NestedTimeout")) {
                    return new PyTimeoutException(frame.what() + " did not finish within " + frame.timeoutMillis
                            + " ms and was stopped (its outer call runs on)");
                }
                return new PythonException(type, d.getArrayElement(1).asString(), d.getArrayElement(2).asString());
            } catch (PolyglotException describeFailed) {
                if (describeFailed.isInterrupted() || describeFailed.isCancelled()) {
                    RuntimeException stop = interrupted(frame);
                    return stop instanceof PyTimeoutException
                            ? new PyTimeoutException(frame.what() + " raised an exception that could not be described within "
                                    + frame.timeoutMillis + " ms (its __str__ or traceback formatting did not return)"
                                    + " and was interrupted")
                            : stop;
                }
                // fall through to the polyglot message
            }
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("StackOverflowError")) { // too deep for this thread's stack to even describe
            return new PythonException("RecursionError", stackUsedUp(), message);
        }
        Matcher typed = TYPED_MESSAGE.matcher(message); // GraalPy's own "Type: message"
        if (typed.matches()) {
            return new PythonException(typed.group(1), typed.group(2), message);
        }
        return new PythonException("Exception", message, message);
    }

    private static PySandboxException sandboxDenial(String message) {
        return new PySandboxException("Python code attempted an operation the sandbox denies: " + message
                + " (wider access is an explicit setting: hzpy.sandbox=trusted)");
    }

    /** Why a call failed when Python -> Java -> Python nesting used up its thread's stack. */
    static String stackUsedUp() {
        return "maximum recursion depth exceeded: the stack of thread '" + Thread.currentThread().getName()
                + "' is used up by Python -> Java -> Python nesting; nest less deeply, or call from a thread with a"
                + " bigger stack (callAsync runs on hzpy's threads, 16 MB each)";
    }

    /** A frame the watchdog stopped whose Python returned anyway (the interrupt could not reach it in time). */
    RuntimeException stoppedLate(CallFrame frame) {
        String late = " (it was inside an operation Python's interrupt cannot reach, such as one long builtin"
                + " computation); its late result was discarded";
        switch (frame.stopped) {
            case CANCELLED:
                return new PyCancelledException(frame.what() + " was cancelled by its caller" + late);
            case MEMORY:
                return new PyResourceException(frame.what() + " was stopped by the memory guard" + late + ": "
                        + memoryGuard.get());
            default:
                if (frame.outermost().abandoned) {
                    return new PyTimeoutException(frame.abandonedMessage() + "; its late result was discarded");
                }
                return new PyTimeoutException(frame.what() + " did not finish within " + frame.timeoutMillis + " ms" + late);
        }
    }

    /** What the caller of a frame whose Python was interrupted is told: why it was, as far as is known. */
    RuntimeException interrupted(CallFrame frame) {
        CallFrame.Stop stop = frame.stopped;
        if (stop == null && frame.outer != null) {
            stop = frame.outer.stoppedHereOrOuter();
            if (stop == CallFrame.Stop.TIMEOUT) {
                return new PyTimeoutException(frame.what() + " was interrupted because the call it is nested in timed out");
            }
        }
        if (stop == null && frame.nestedOverran != null) {
            return new PyTimeoutException(frame.what() + " was interrupted because " + frame.nestedOverran + ", nested in it,"
                    + " did not stop at its timeout (it caught the stop, or sat in a builtin) and the interrupt that"
                    + " stopped it stops the calls it is nested in too");
        }
        if (stop == null) {
            return new PyTimeoutException(frame.what() + " was interrupted because another call sharing this context"
                    + " (SHARED mode) timed out or was cancelled");
        }
        switch (stop) {
            case CANCELLED:
                return new PyCancelledException(frame.what() + " was cancelled by its caller and interrupted");
            case MEMORY:
                return new PyResourceException(frame.what() + " was interrupted by the memory guard: " + memoryGuard.get());
            default:
                if (frame.outermost().abandoned) {
                    return new PyTimeoutException(frame.abandonedMessage());
                }
                return new PyTimeoutException(frame.what() + " did not finish within " + frame.timeoutMillis
                        + " ms and was interrupted");
        }
    }
}
