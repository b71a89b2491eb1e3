package org.hzpy.runtime;

/**
 * Names one call so that a request to stop it reaches that call and no other: the runtime's one
 * way to cancel a call, whoever asks (a local {@code callAsync} future, a remote caller's
 * cancellation, a client that disconnected). A cancel may land at any moment: before the call
 * takes its permit, while it waits for a context, while its Python runs, or after it ended. The
 * runtime checks the token before each step of the call and before it enters Python, and the
 * watchdog interrupts the frames of a cancelled call that is running; a token whose call ended
 * is inert, so a late cancel cannot touch the next call its thread runs. Thread-safe.
 */
public final class StopToken {
    private volatile boolean cancelled;

    /** Asks the call to stop; idempotent. Returns at once: the call ends on its own thread. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Whether {@code token} names a call that was cancelled; a call without a token (null) never is. */
    static boolean cancelled(StopToken token) {
        return token != null && token.cancelled;
    }
}
