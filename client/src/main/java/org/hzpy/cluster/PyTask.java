package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyCall;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * One piece of Python work sent to a member through hzpy's executor: a call, an eval or an exec.
 * It runs on the member like a local call (same limit, timeout, conversions), under the member's
 * {@code RemotePolicy} (hzpy-plugin's), and never throws: its {@link PyOutcome} carries the failure.
 */
public final class PyTask implements Callable<PyOutcome>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private static final byte CALL = 0;
    private static final byte EVAL = 1;
    private static final byte EXEC = 2;
    private static final long DEFAULT_TIMEOUT = -1;

    private byte kind;
    private String module;
    private String function;
    private List<Object> args;
    private Map<String, Object> kwargs;
    private String code;
    private long timeoutNanos = DEFAULT_TIMEOUT;
    /** Set for calls their caller may cancel: the id a {@link CancelRemoteCall} names. */
    private String callId;
    /** Why this task, as read from the wire, is refused (a malformed message, an unconverted value), or null. */
    private transient WireValues.Refused refused;
    private transient HazelcastInstance member;

    PyTask() {
    }

    static PyTask call(PyCall call) {
        PyTask t = new PyTask();
        t.kind = CALL;
        t.module = call.module();
        t.function = call.function();
        t.args = call.args();
        t.kwargs = call.kwargs();
        t.timeoutNanos = timeoutNanos(call.timeout());
        return t;
    }

    static PyTask eval(String expression, Map<String, ?> locals, Duration timeout) {
        PyTask t = new PyTask();
        t.kind = EVAL;
        t.code = expression;
        t.kwargs = locals == null ? Map.of() : new LinkedHashMap<>(locals);
        t.timeoutNanos = timeoutNanos(timeout);
        return t;
    }

    static PyTask exec(String code, Duration timeout) {
        PyTask t = new PyTask();
        t.kind = EXEC;
        t.code = code;
        t.timeoutNanos = timeoutNanos(timeout);
        return t;
    }

    private static long timeoutNanos(Duration timeout) {
        if (timeout == null) {
            return DEFAULT_TIMEOUT;
        }
        return timeout.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE : timeout.toNanos();
    }

    PyTask cancellableAs(String id) {
        this.callId = id;
        return this;
    }

    /** The call's own timeout, or null for the member's default. */
    Duration timeout() {
        return timeoutNanos == DEFAULT_TIMEOUT ? null : Duration.ofNanos(timeoutNanos);
    }

    String describe() {
        return kind == CALL ? module + "." + function + "()" : kind == EVAL ? "eval()" : "exec()";
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    /** Runs on the member: its handling is the member's ({@link TaskHandlers#run}). */
    @Override
    public PyOutcome call() {
        return TaskHandlers.of(member).run(member, this);
    }

    boolean isCall() {
        return kind == CALL;
    }

    boolean isEval() {
        return kind == EVAL;
    }

    String module() {
        return module;
    }

    String function() {
        return function;
    }

    List<Object> args() {
        return args;
    }

    Map<String, Object> kwargs() {
        return kwargs;
    }

    /** An eval's expression or an exec's statements. */
    String code() {
        return code;
    }

    /** The id its caller gave it ({@code <caller uuid>:...}), or null. */
    String callId() {
        return callId;
    }

    /** How a call ended: its value, or its failure ({@code error}, unwrapped) as the hzpy exception it carries. */
    static PyOutcome outcome(Object value, Throwable error, String what, String servedBy) {
        return error == null ? PyOutcome.ok(value, servedBy) : PyOutcome.failed(asPyException(error, what), servedBy);
    }

    static PyException asPyException(Throwable t, String what) {
        Throwable cause = unwrapped(t);
        return cause instanceof PyException p ? p : new PyException(what + " was refused by the member: " + cause);
    }

    /** {@code t} without the CompletionException / ExecutionException wrappers of futures. */
    static Throwable unwrapped(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.PY_TASK;
    }

    /** Whether this task, as read from the wire, was malformed: a batch holding it stops reading there. */
    boolean malformedOnRead() {
        return refused != null && !refused.isConversion();
    }

    WireValues.Refused refusal() {
        return refused;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(kind);
        out.writeLong(timeoutNanos);
        out.writeString(callId);
        if (kind == CALL) {
            out.writeString(module);
            out.writeString(function);
            out.writeInt(args.size());
            for (Object a : args) {
                WireValues.write(out, a);
            }
        } else {
            out.writeString(code);
        }
        if (kind != EXEC) {
            out.writeInt(kwargs.size());
            for (Map.Entry<String, Object> e : kwargs.entrySet()) {
                out.writeString(e.getKey());
                WireValues.write(out, e.getValue());
            }
        }
    }

    /**
     * Reads the task as sent. What a member must not accept (a count larger than the message, a
     * value hzpy does not convert, anything but its own tags) ends the reading: the task is then
     * refused when it runs, with a typed failure in its outcome, and nothing was allocated for it.
     */
    @Override
    public void readData(ObjectDataInput in) throws IOException {
        args = List.of();
        kwargs = Map.of();
        WireValues.Refused[] unconverted = new WireValues.Refused[1];
        try {
            kind = in.readByte();
            timeoutNanos = in.readLong();
            callId = in.readString();
            if (kind != CALL && kind != EVAL && kind != EXEC) {
                throw new WireValues.Refused("a task of unknown kind " + kind, false);
            }
            if (kind == CALL) {
                module = in.readString();
                function = in.readString();
                int n = WireValues.count(in, 1, "an argument count");
                List<Object> read = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    read.add(WireValues.read(in, unconverted));
                }
                args = read;
            } else {
                code = in.readString();
            }
            if (kind != EXEC) {
                int n = WireValues.count(in, 5, "a keyword argument count"); // a name's length and a value's tag each
                Map<String, Object> read = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    read.put(in.readString(), WireValues.read(in, unconverted));
                }
                kwargs = read;
            }
            refused = unconverted[0];
        } catch (WireValues.Refused e) {
            refused = e;
        } catch (java.io.EOFException | RuntimeException e) { // ends early, or a string's length beyond its end
            refused = new WireValues.Refused("the message ends before the values it announces", false);
        }
    }
}
