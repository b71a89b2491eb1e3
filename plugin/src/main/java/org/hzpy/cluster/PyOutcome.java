package org.hzpy.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.OverloadedException;
import org.hzpy.PyCancelledException;
import org.hzpy.PyConversionException;
import org.hzpy.PyException;
import org.hzpy.PyResourceException;
import org.hzpy.PySandboxException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;
import org.hzpy.PythonException;

import java.io.IOException;

/**
 * What a remote call ended with, as it travels back: its result, or its failure as plain fields
 * (kind, message, Python type and traceback, limit figures), rebuilt into the same hzpy exception
 * on the caller's side. No exception object and no cause chain travels, so a client without
 * GraalPy reads every failure.
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

    private byte kind;
    private Object value;
    private String message;
    private String pythonType;
    private String pythonMessage;
    private String traceback;
    private int current;
    private int max;
    private String servedBy;

    PyOutcome() {
    }

    static PyOutcome value(Object value, String servedBy) {
        PyOutcome o = new PyOutcome();
        o.kind = VALUE;
        o.value = value;
        o.servedBy = servedBy;
        return o;
    }

    static PyOutcome failure(PyException e, String servedBy) {
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
        } else {
            o.kind = OTHER;
        }
        return o;
    }

    /** The member that ran the call ({@code host:port}). */
    public String servedBy() {
        return servedBy;
    }

    /** The call's result, or its failure thrown as the hzpy exception the member raised. */
    public Object get() {
        switch (kind) {
            case VALUE: return value;
            case PYTHON: throw new PythonException(pythonType, pythonMessage, traceback);
            case OVERLOADED: throw new OverloadedException(current, max);
            case TIMEOUT: throw new PyTimeoutException(message);
            case CONVERSION: throw new PyConversionException(message);
            case SANDBOX: throw new PySandboxException(message);
            case RESOURCE: throw new PyResourceException(message);
            case CANCELLED: throw new PyCancelledException(message);
            case UNAVAILABLE: throw new PyUnavailableException(message);
            default: throw new PyException(message);
        }
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.PY_OUTCOME;
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
