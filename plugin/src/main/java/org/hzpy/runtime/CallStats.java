package org.hzpy.runtime;

import org.hzpy.OverloadedException;
import org.hzpy.PyCancelledException;
import org.hzpy.PyConversionException;
import org.hzpy.PySandboxException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PythonException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many calls ended how, and the time they took, per kind, origin and outcome: striped adders,
 * so that recording costs a few nanoseconds and no lock (meters read them when scraped), and any
 * listeners (timers with percentiles). Off, at the cost of one volatile read a call, until meters
 * are bound ({@link #enable()}). Thread-safe.
 */
public final class CallStats {
    /** What was asked. */
    public enum Kind {
        CALL, EVAL, EXEC;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where the call came from: this member's own API, the cluster (clients and other members), a Jet stage. */
    public enum Origin {
        MEMBER, REMOTE, JET;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How it ended. */
    public enum Outcome {
        OK, PYTHON_ERROR, TIMEOUT, CANCELLED, OVERLOADED, CONVERSION, SANDBOX, UNAVAILABLE;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The outcome a call's exception stands for (null: it succeeded). */
        public static Outcome of(Throwable error) {
            Throwable t = error;
            while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
                t = t.getCause();
            }
            if (t == null) {
                return OK;
            } else if (t instanceof PythonException) {
                return PYTHON_ERROR;
            } else if (t instanceof PyTimeoutException) {
                return TIMEOUT;
            } else if (t instanceof PyCancelledException || t instanceof java.util.concurrent.CancellationException) {
                return CANCELLED;
            } else if (t instanceof OverloadedException) {
                return OVERLOADED;
            } else if (t instanceof PyConversionException) {
                return CONVERSION;
            } else if (t instanceof PySandboxException) {
                return SANDBOX;
            }
            return UNAVAILABLE; // PyUnavailableException, PyResourceException (memory guard), anything else
        }
    }

    private static final int KINDS = Kind.values().length;
    private static final int ORIGINS = Origin.values().length;
    private static final int OUTCOMES = Outcome.values().length;
    /** How many kind × origin × outcome combinations there are: the cells numbered by {@link #cell}. */
    public static final int CELLS = KINDS * ORIGINS * OUTCOMES;

    /** Told of one kind × origin × outcome combination. */
    @FunctionalInterface
    public interface CellVisitor {
        void visit(Kind kind, Origin origin, Outcome outcome);
    }

    /** Told of each call that ends, once meters that need every call are bound. */
    @FunctionalInterface
    public interface Listener {
        void ended(Kind kind, Origin origin, Outcome outcome, long nanos);
    }

    private final LongAdder[] counts = new LongAdder[CELLS];
    private final LongAdder jetRefusals = new LongAdder();
    private final LongAdder[] nanos = new LongAdder[counts.length];
    private volatile boolean enabled;
    private volatile Listener[] listeners = {};

    CallStats() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
            nanos[i] = new LongAdder();
        }
    }

    /** The combination's number, from 0 to {@link #CELLS} - 1. */
    public static int cell(Kind kind, Origin origin, Outcome outcome) {
        return (kind.ordinal() * ORIGINS + origin.ordinal()) * OUTCOMES + outcome.ordinal();
    }

    /** Every kind × origin × outcome combination, once. */
    public static void forEachCell(CellVisitor visitor) {
        for (Kind kind : Kind.values()) {
            for (Origin origin : Origin.values()) {
                for (Outcome outcome : Outcome.values()) {
                    visitor.visit(kind, origin, outcome);
                }
            }
        }
    }

    /** From now on, calls are counted. */
    public void enable() {
        enabled = true;
    }

    /** Also tells {@code listener} of every call that ends from now on. */
    public synchronized void addListener(Listener listener) {
        Listener[] more = java.util.Arrays.copyOf(listeners, listeners.length + 1);
        more[listeners.length] = listener;
        listeners = more;
        enabled = true;
    }

    void record(Kind kind, Origin origin, Throwable error, long startNanos) {
        if (!enabled) {
            return;
        }
        add(kind, origin, Outcome.of(error), System.nanoTime() - startNanos);
    }

    /** A Jet batch was refused a permit (it waits in the member's line, and asks again now and then). */
    public void jetBatchRefused() {
        if (enabled) {
            jetRefusals.increment();
        }
    }

    /** Times Jet batches were refused a permit (each waits on in the member's line, or gives up when its wait is over). */
    public long jetRefusals() {
        return jetRefusals.sum();
    }

    private void add(Kind kind, Origin origin, Outcome outcome, long took) {
        int i = cell(kind, origin, outcome);
        counts[i].increment();
        nanos[i].add(took);
        for (Listener l : listeners) {
            l.ended(kind, origin, outcome, took);
        }
    }

    public long count(Kind kind, Origin origin, Outcome outcome) {
        return counts[cell(kind, origin, outcome)].sum();
    }

    public long totalNanos(Kind kind, Origin origin, Outcome outcome) {
        return nanos[cell(kind, origin, outcome)].sum();
    }
}
