package org.hzpy.runtime;

import java.util.function.Consumer;

/**
 * One unit of Python work in progress on a context, as the watchdog sees it: a call, or the replay
 * of one {@code exec} entry. The owning thread creates it; the watchdog, a cancelling caller and
 * the memory guard may ask it to stop (a caller through the frame's {@link StopToken}, never
 * through the thread).
 */
final class CallFrame {
    /** Why the watchdog interrupted a frame; decides the exception the caller sees. */
    enum Stop { TIMEOUT, CANCELLED, MEMORY }

    final Thread thread;
    final long deadlineNanos;
    final long timeoutMillis;
    /** What runs, for messages: a module and function, or an operation ("eval()") and null. */
    private final String module;
    private final String function;
    /** The frame this one is nested in on the same thread (Python -> Java -> Python), or null. */
    CallFrame outer;
    /**
     * The call this frame belongs to, when its caller can cancel it (null: it cannot); a nested
     * frame takes its outer frame's. Set before the frame is pushed; the watchdog stops the frame
     * once the token is cancelled.
     */
    StopToken token;
    /** Set by the watchdog when it interrupts for this frame; read by the thread when Python is interrupted. */
    volatile Stop stopped;
    /** When the watchdog last interrupted for this frame, 0 if never (guarded by the context's guard). */
    long lastInterruptNanos;
    /** When the watchdog first interrupted for this frame (guarded by the context's guard). */
    long firstInterruptNanos;
    /**
     * For an outermost frame: answers its caller and releases its permit when the runtime gives up
     * on a call that ignores its interrupt (null: nothing to do beyond replacing the context).
     */
    volatile Consumer<RuntimeException> onAbandon;
    /**
     * A nested call whose own deadline comes before its outer call's: it stops itself (Python raises
     * into it at its deadline) so that the outer call runs on; the watchdog interrupts the context
     * only if it has not stopped {@link Timeouts#NESTED_STOP_GRACE} later.
     */
    boolean stopsItself;
    /** A call nested in this one that overran its own timeout and had to be interrupted (guarded by the context's guard). */
    String nestedOverran;
    /** Set once the runtime gave up on this frame's context (written under the context's guard). */
    volatile boolean abandoned;

    CallFrame(Thread thread, long deadlineNanos, long timeoutMillis, String module, String function) {
        this.thread = thread;
        this.deadlineNanos = deadlineNanos;
        this.timeoutMillis = timeoutMillis;
        this.module = module;
        this.function = function;
    }

    /** Built only when a message needs it: calls do not pay for the string. */
    String what() {
        return function == null ? module : module + "." + function + "()";
    }

    /** What the caller of a frame the runtime gave up on is told. */
    String abandonedMessage() {
        return what() + " did not finish within " + timeoutMillis + " ms and ignored its interrupt for longer than"
                + " hzpy.abandon-after; hzpy gave up on its context and started a fresh one in its place";
    }

    /** The frame at the bottom of this thread's nesting: the one its caller made. */
    CallFrame outermost() {
        CallFrame f = this;
        while (f.outer != null) {
            f = f.outer;
        }
        return f;
    }

    /** This frame's stop or, failing that, that of the frame it is nested in. */
    Stop stoppedHereOrOuter() {
        for (CallFrame f = this; f != null; f = f.outer) {
            if (f.stopped != null) {
                return f.stopped;
            }
        }
        return null;
    }
}
