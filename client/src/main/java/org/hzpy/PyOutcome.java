package org.hzpy;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.cluster.WireIds;

import java.io.IOException;

/**
 * What a call ended with: one per call of {@code Py.parallel}, in their order; {@link #isOk()},
 * then {@link #value()} or {@link #error()}. It is also how a remote call's end travels back: its
 * result, or its failure as plain fields (kind, message, Python type and traceback, limit
 * figures), rebuilt into the same hzpy exception on the caller's side. No exception object and no cause chain travels, so a client without
 * GraalPy reads every failure. Immutable once made (Hazelcast fills it in once when it arrives);
 * thread-safe.
 */
public final class PyOutcome implements IdentifiedDataSerializable {
    private static final byte VALUE = 0;
    private static final byte PYTHON = 1;
    private static final byte OVERLOADED = 2;
    private static final byte TIMEOUT = 3;
    private static final byte CONVERSION = 4;
    private static final byte SANDBOX = 5;
    private static final byte RESOURCE = 6;
    private static final byte CANCELLED = 7;
    private static final byte UNAVAILABLE = 8;
    private static final byte OTHER = 9;
    private static final byte DEPLOY = 10;

    private byte kind;
    private Object value;
    private String message;
    private String pythonType;
    private String pythonMessage;
    private String traceback;
    private int current;
    private int max;
    private String servedBy;

    /** For Hazelcast's deserialization only (hzpy's serializer hook); hzpy makes outcomes with {@link #ok} and {@link #failed}. */
    public PyOutcome() {
    }

    /** A call that returned {@code value} on the member {@code servedBy} ({@code host:port}). */
    public static PyOutcome ok(Object value, String servedBy) {
        PyOutcome o = new PyOutcome();
        o.kind = VALUE;
        o.value = value;
        o.servedBy = servedBy;
        return o;
    }

    /** A call that failed with {@code e} on the member {@code servedBy} ({@code host:port}). */
    public static PyOutcome failed(PyException e, String servedBy) {
        PyOutcome o = new PyOutcome();
        o.servedBy = servedBy;
        o.message = e.getMessage();
        if (e instanceof PythonException p) {
            o.kind = PYTHON;
            o.pythonType = p.pythonType();
            o.pythonMessage = p.message();
            o.traceback = p.traceback();
        } else if (e instanceof OverloadedException ov) {
            o.kind = OVERLOADED;
            o.current = ov.current();
            o.max = ov.max();
        } else if (e instanceof PyTimeoutException) {
            o.kind = TIMEOUT;
        } else if (e instanceof PyConversionException) {
            o.kind = CONVERSION;
        } else if (e instanceof PySandboxException) {
            o.kind = SANDBOX;
        } else if (e instanceof PyResourceException) {
            o.kind = RESOURCE;
        } else if (e instanceof PyCancelledException) {
            o.kind = CANCELLED;
        } else if (e instanceof PyUnavailableException) {
            o.kind = UNAVAILABLE;
        } else if (e instanceof PyDeployException) {
            o.kind = DEPLOY;
        } else {
            o.kind = OTHER;
        }
        return o;
    }

    /** The member that ran the call ({@code host:port}). */
    public String servedBy() {
        return servedBy;
    }

    /** Whether the call returned (its result is {@link #value()}), rather than failed ({@link #error()}). */
    public boolean isOk() {
        return kind == VALUE;
    }

    /**
     * The call's result.
     *
     * @throws IllegalStateException if the call failed: see {@link #error()}
     */
    public Object value() {
        if (kind != VALUE) {
            throw new IllegalStateException("the call failed, it has no value: " + error());
        }
        return value;
    }

    /** The call's failure as the hzpy exception the member raised, or null if it returned. */
    public PyException error() {
        switch (kind) {
            case VALUE: return null;
            case PYTHON: return new PythonException(pythonType, pythonMessage, traceback);
            case OVERLOADED: return new OverloadedException(current, max);
            case TIMEOUT: return new PyTimeoutException(message);
            case CONVERSION: return new PyConversionException(message);
            case SANDBOX: return new PySandboxException(message);
            case RESOURCE: return new PyResourceException(message);
            case CANCELLED: return new PyCancelledException(message);
            case UNAVAILABLE: return new PyUnavailableException(message);
            case DEPLOY: return new PyDeployException(message);
            default: return new PyException(message);
        }
    }

    /** The call's result, or its failure thrown as the hzpy exception the member raised. */
    public Object get() {
        if (kind == VALUE) {
            return value;
        }
        throw error();
    }

    @Override
    public String toString() {
        return kind == VALUE ? "ok(" + value + ")" : "failed(" + error() + ")";
    }

    @Override
    public int getFactoryId() {
        return WireIds.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return WireIds.PY_OUTCOME;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(kind);
        out.writeString(servedBy);
        if (kind == VALUE) {
            out.writeObject(value);
            return;
        }
        out.writeString(message);
        if (kind == PYTHON) {
            out.writeString(pythonType);
            out.writeString(pythonMessage);
            out.writeString(traceback);
        } else if (kind == OVERLOADED) {
            out.writeInt(current);
            out.writeInt(max);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        kind = in.readByte();
        servedBy = in.readString();
        if (kind == VALUE) {
            value = in.readObject();
            return;
        }
        message = in.readString();
        if (kind == PYTHON) {
            pythonType = in.readString();
            pythonMessage = in.readString();
            traceback = in.readString();
        } else if (kind == OVERLOADED) {
            current = in.readInt();
            max = in.readInt();
        }
    }
}
