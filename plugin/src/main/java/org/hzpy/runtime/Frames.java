package org.hzpy.runtime;

import org.hzpy.PyCancelledException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The frames running in one context, and the interrupt gate in front of it: which unit of Python
 * work each thread runs now (innermost frame, linked to the frames it is nested in), which of them
 * must stop (timed out, cancelled through their call's {@link StopToken}, or all of them for the
 * memory guard), and the one interrupt in flight at a time. Stop requests name a call (its token),
 * never a thread: a token is checked at entry, under the same monitor the watchdog marks stops
 * with, so a cancel that lands before a call enters is never lost and a cancel of an ended call
 * never reaches the next call its thread runs. Knows nothing of Python: the context is reached
 * only through {@link Interrupter}. Thread-safe: every field is guarded by this object's monitor;
 * the interrupt itself runs outside it.
 */
final class Frames {
    /** Interrupts the Python code running in the context (every thread in it). */
    @FunctionalInterface
    interface Interrupter {
        /** @throws TimeoutException when a thread did not stop within the interrupt's own wait (it is retried) */
        void interrupt() throws TimeoutException;
    }

    /** The waits this registry applies, in nanoseconds. */
    record Timing(long interruptGateNanos, long reinterruptNanos, long abandonAfterNanos, long nestedStopGraceNanos) {
        static Timing of(Timeouts timeouts) {
            return new Timing(timeouts.interruptGateNanos, timeouts.reinterruptNanos, timeouts.abandonAfterNanos,
                    Timeouts.NESTED_STOP_GRACE.toNanos());
        }
    }

    private final String name;
    private final Timing timing;
    private final Interrupter interrupter;
    /** The innermost frame per thread. */
    private final Map<Thread, CallFrame> running = new HashMap<>();
    /** True while an interrupt of the context is in flight: new frames wait it out (bounded). */
    private boolean interrupting;
    private boolean closed;
    private long started;

    /** @param name the context, for messages ("context 3") */
    Frames(String name, Timing timing, Interrupter interrupter) {
        this.name = name;
        this.timing = timing;
        this.interrupter = interrupter;
    }

    /**
     * Enters {@code frame} on its thread: waits out an interrupt in flight (it would hit the new
     * frame), links it to the frame it is nested in (which gives it its caller's token), and makes
     * the last check before Python: a stopped outer call, a cancelled token.
     *
     * @throws PyCancelledException when the frame's call was cancelled before it entered
     * @throws PyTimeoutException   when the call it is nested in was stopped
     */
    synchronized void push(CallFrame frame) {
        long waitUntil = 0; // the clock is read only while an interrupt is in flight
        while (interrupting && !closed) {
            if (waitUntil == 0) {
                waitUntil = System.nanoTime() + timing.interruptGateNanos();
            }
            long left = waitUntil - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PyUnavailableException("interrupted while " + name + " was being interrupted");
            }
        }
        started++;
        CallFrame outer = running.get(frame.thread);
        if (outer != null && outer.stoppedHereOrOuter() != null) {
            throw new PyTimeoutException(frame.what() + " was not started because the call it is nested in was stopped ("
                    + outer.stoppedHereOrOuter().name().toLowerCase() + ")");
        }
        if (frame.token == null && outer != null) {
            frame.token = outer.token; // a nested call is part of its caller's call: the same cancel stops it
        }
        if (StopToken.cancelled(frame.token)) {
            throw new PyCancelledException(frame.what() + " was cancelled by its caller before it started");
        }
        frame.outer = outer;
        running.put(frame.thread, frame);
    }

    /** Leaves {@code frame}, the innermost one of its thread. */
    synchronized void pop(CallFrame frame) {
        if (frame.outer == null) {
            running.remove(frame.thread);
        } else {
            running.put(frame.thread, frame.outer);
        }
    }

    /** The innermost frame of the current thread here, or null. Its {@code outer} links are fixed once pushed. */
    synchronized CallFrame current() {
        return running.get(Thread.currentThread());
    }

    /** How many frames have entered here (json's training looks for idle contexts by it). */
    synchronized long started() {
        return started;
    }

    /** The outermost frame of each thread running here. */
    synchronized java.util.List<CallFrame> outermost() {
        java.util.List<CallFrame> result = new java.util.ArrayList<>(running.size());
        for (CallFrame f : running.values()) {
            while (f.outer != null) {
                f = f.outer;
            }
            result.add(f);
        }
        return result;
    }

    synchronized boolean isEmpty() {
        return running.isEmpty();
    }

    /**
     * Marks the frames that must stop (past their deadline, their call's token cancelled, or all of
     * them when {@code memory} is set) and says whether to interrupt the context now; then call
     * {@link #interruptNow}. A frame is interrupted again every {@code reinterruptNanos} while it
     * runs on. A cancelled frame is left running while another thread's call, not being stopped,
     * shares the context (the interrupt would fail that call too): until it is alone or due.
     * Quick; called by the watchdog thread only.
     */
    synchronized boolean markStops(long now, boolean memory) {
        if (interrupting || closed || running.isEmpty()) {
            return false;
        }
        boolean interrupt = false;
        for (CallFrame top : running.values()) {
            for (CallFrame f = top; f != null; f = f.outer) {
                CallFrame.Stop why = memory ? CallFrame.Stop.MEMORY : dueStop(f, now);
                if (why == CallFrame.Stop.CANCELLED && f.stopped == null && now - f.deadlineNanos < 0
                        && othersRunOn(top, now)) {
                    why = null; // its caller has its answer; an interrupt now would fail the calls beside it
                }
                if (why == CallFrame.Stop.TIMEOUT && f.stopsItself) {
                    if (now - f.deadlineNanos < timing.nestedStopGraceNanos()) {
                        why = null; // Python stops it; an interrupt would unwind its outer call too
                    } else {
                        for (CallFrame o = f.outer; o != null; o = o.outer) {
                            o.nestedOverran = f.what(); // the interrupt will reach them: say why
                        }
                    }
                }
                if (why != null && (f.stopped == null || now - f.lastInterruptNanos >= timing.reinterruptNanos())) {
                    if (f.stopped == null) {
                        f.stopped = why;
                        f.firstInterruptNanos = now;
                    }
                    f.lastInterruptNanos = now;
                    interrupt = true;
                }
            }
        }
        interrupting = interrupt;
        return interrupt;
    }

    /**
     * Whether a thread other than {@code top}'s runs a call that is not being stopped: the
     * context's one interrupt would unwind it too (SHARED mode). A cancelled call waits for that
     * (its caller was answered at the cancel); at its deadline it is stopped like any other.
     */
    private boolean othersRunOn(CallFrame top, long now) {
        for (CallFrame other : running.values()) {
            if (other != top && !beingStopped(other, now)) {
                return true;
            }
        }
        return false;
    }

    private static boolean beingStopped(CallFrame innermost, long now) {
        for (CallFrame f = innermost; f != null; f = f.outer) {
            if (f.stopped != null || dueStop(f, now) != null) {
                return true;
            }
        }
        return false;
    }

    /** Why {@code f} must stop now, the memory guard aside: its call's token cancelled, or its deadline passed; else null. */
    private static CallFrame.Stop dueStop(CallFrame f, long now) {
        return StopToken.cancelled(f.token) ? CallFrame.Stop.CANCELLED
                : now - f.deadlineNanos >= 0 ? CallFrame.Stop.TIMEOUT : null;
    }

    /**
     * The outermost frames of the threads here that have ignored their interrupts for longer than
     * {@code abandonAfterNanos} (a builtin that never checks for an interrupt, e.g. a huge
     * {@code 3 ** n}). Each is reported once. Called by the watchdog thread only.
     */
    synchronized List<CallFrame> beyondRescue(long now) {
        List<CallFrame> lost = null;
        for (CallFrame top : running.values()) {
            for (CallFrame f = top; f != null; f = f.outer) {
                if (f.stopped != null && now - f.firstInterruptNanos >= timing.abandonAfterNanos()) {
                    CallFrame bottom = top.outermost();
                    if (!bottom.abandoned) {
                        bottom.abandoned = true;
                        if (lost == null) {
                            lost = new ArrayList<>();
                        }
                        lost.add(bottom);
                    }
                    break;
                }
            }
        }
        return lost == null ? List.of() : lost;
    }

    /** Interrupts the context, outside the monitor; pair with a true {@link #markStops}. Opens the gate after. */
    void interruptNow() {
        try {
            interrupter.interrupt();
        } catch (TimeoutException e) {
            // a thread is in host code; the next tick tries again
        } catch (RuntimeException e) {
            // context closing concurrently: nothing left to interrupt
        } finally {
            synchronized (this) {
                interrupting = false;
                notifyAll();
            }
        }
    }

    /** No interrupt from now on; frames waiting at the gate go on (and find the context closed). */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
