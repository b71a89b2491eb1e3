package org.hzpy.runtime;

/** One call in progress on a worker, as the watchdog sees it. */
final class CallFrame {
    final Thread thread;
    final long deadlineNanos;
    final long timeoutMillis;
    /** What runs, for messages: a module and function, or an operation ("eval()") and null. */
    private final String module;
    private final String function;
    /** The frame this one is nested in on the same thread (Python -> Java -> Python), or null. */
    CallFrame outer;
    /** Set by the watchdog once the deadline passed; read by the thread when Python is interrupted. */
    volatile boolean timedOut;
    /** When the watchdog last interrupted for this frame, 0 if never (guarded by the worker's guard). */
    long lastInterruptNanos;

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

    boolean isTimedOutHereOrOuter() {
        for (CallFrame f = this; f != null; f = f.outer) {
            if (f.timedOut) {
                return true;
            }
        }
        return false;
    }
}
