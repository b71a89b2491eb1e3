package org.hzpy.cluster;

import com.hazelcast.internal.nio.BufferObjectDataInput;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the values of hzpy's tasks (arguments, keyword arguments, eval locals) travel: a small
 * tag-based codec for exactly the types hzpy converts to Python (docs/type-conversion.md), so
 * that a member never runs Java deserialization on what a caller sends, and every count read
 * from the wire is bounded by the bytes the message still holds before anything is allocated.
 * A value of another type travels as its class name only, and the member refuses the call with
 * the same {@link org.hzpy.PyConversionException} a local call would get. Stateless, thread-safe.
 */
final class WireValues {
    /** Containers nest at most this deep, as in hzpy-plugin's {@code org.hzpy.runtime.Conversions}. */
    static final int MAX_DEPTH = 200;
    /** The most elements a count may name when the input cannot say how many bytes it has left. */
    private static final int COUNT_CAP = 1 << 20;
    static final String SUPPORTED = "supported: null, Boolean, Integer/Long/Short/Byte, BigInteger, Double/Float, "
            + "String, Character, byte[], List, Object[], Set, Map";

    private static final byte NULL = 0;
    private static final byte TRUE = 1;
    private static final byte FALSE = 2;
    private static final byte BYTE = 3;
    private static final byte SHORT = 4;
    private static final byte INT = 5;
    private static final byte LONG = 6;
    private static final byte BIG_INTEGER = 7;
    private static final byte FLOAT = 8;
    private static final byte DOUBLE = 9;
    private static final byte STRING = 10;
    private static final byte CHAR = 11;
    private static final byte BYTES = 12;
    private static final byte LIST = 13;
    private static final byte SET = 14;
    private static final byte MAP = 15;
    /** A value hzpy does not convert: only its class name travels; the member refuses the call. */
    private static final byte UNSUPPORTED = 16;
    /** A container nested deeper than {@link #MAX_DEPTH} (or cyclic): the member refuses the call. */
    private static final byte TOO_DEEP = 17;

    private WireValues() {
    }

    /** What a member refuses to read: a malformed message, or a value hzpy does not convert. */
    static final class Refused extends IOException {
        private final boolean conversion;

        Refused(String message, boolean conversion) {
            super(message);
            this.conversion = conversion;
        }

        /** Whether the message is well formed and only holds a value hzpy does not convert (reading can go on). */
        boolean isConversion() {
            return conversion;
        }

        /** The failure a call refused for this carries. */
        org.hzpy.PyException asPyException(String what) {
            return conversion ? new org.hzpy.PyConversionException(getMessage())
                    : new org.hzpy.PySandboxException(what + " was refused by the member: " + getMessage());
        }
    }

    static void write(ObjectDataOutput out, Object v) throws IOException {
        write(out, v, 0);
    }

    private static void write(ObjectDataOutput out, Object v, int depth) throws IOException {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else if (v instanceof Byte b) {
            out.writeByte(BYTE);
            out.writeByte(b);
        } else if (v instanceof Short s) {
            out.writeByte(SHORT);
            out.writeShort(s);
        } else if (v instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (v instanceof BigInteger b) {
            out.writeByte(BIG_INTEGER);
            byte[] bytes = b.toByteArray();
            out.writeInt(bytes.length);
            out.write(bytes);
        } else if (v instanceof Float f) {
            out.writeByte(FLOAT);
            out.writeFloat(f);
        } else if (v instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (v instanceof String s) {
            out.writeByte(STRING);
            out.writeString(s);
        } else if (v instanceof Character c) {
            out.writeByte(CHAR);
            out.writeChar(c);
        } else if (v instanceof byte[] bytes) {
            out.writeByte(BYTES);
            out.writeInt(bytes.length);
            out.write(bytes);
        } else if (depth >= MAX_DEPTH && (v instanceof Collection || v instanceof Object[] || v instanceof Map)) {
            out.writeByte(TOO_DEEP);
        } else if (v instanceof List || v instanceof Object[]) {
            Collection<?> items = v instanceof List<?> l ? l : java.util.Arrays.asList((Object[]) v);
            writeAll(out, LIST, items, depth);
        } else if (v instanceof Set<?> s) {
            writeAll(out, SET, s, depth);
        } else if (v instanceof Map<?, ?> m) {
            out.writeByte(MAP);
            out.writeInt(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                write(out, e.getKey(), depth + 1);
                write(out, e.getValue(), depth + 1);
            }
        } else {
            out.writeByte(UNSUPPORTED);
            out.writeString(v.getClass().getTypeName());
        }
    }

    private static void writeAll(ObjectDataOutput out, byte tag, Collection<?> items, int depth) throws IOException {
        out.writeByte(tag);
        out.writeInt(items.size());
        for (Object item : items) {
            write(out, item, depth + 1);
        }
    }

    /**
     * Reads one value. A value hzpy does not convert is read past (the message stays readable) as
     * null, and the first such is kept in {@code unconverted[0]}: the call is refused with it.
     *
     * @throws Refused the message is malformed (reading cannot go on)
     */
    static Object read(ObjectDataInput in, Refused[] unconverted) throws IOException {
        return read(in, 0, unconverted);
    }

    private static Object read(ObjectDataInput in, int depth, Refused[] unconverted) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL: return null;
            case TRUE: return Boolean.TRUE;
            case FALSE: return Boolean.FALSE;
            case BYTE: return in.readByte();
            case SHORT: return in.readShort();
            case INT: return in.readInt();
            case LONG: return in.readLong();
            case BIG_INTEGER: {
                byte[] bytes = new byte[count(in, 1, "a BigInteger's bytes")];
                in.readFully(bytes);
                if (bytes.length == 0) {
                    throw new Refused("a BigInteger without bytes", false);
                }
                return new BigInteger(bytes);
            }
            case FLOAT: return in.readFloat();
            case DOUBLE: return in.readDouble();
            case STRING: return in.readString();
            case CHAR: return in.readChar();
            case BYTES: {
                byte[] bytes = new byte[count(in, 1, "a byte[]'s length")];
                in.readFully(bytes);
                return bytes;
            }
            case LIST: {
                checkDepth(depth);
                int n = count(in, 1, "a list's size");
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(read(in, depth + 1, unconverted));
                }
                return list;
            }
            case SET: {
                checkDepth(depth);
                int n = count(in, 1, "a set's size");
                Set<Object> set = new LinkedHashSet<>();
                for (int i = 0; i < n; i++) {
                    set.add(read(in, depth + 1, unconverted));
                }
                return set;
            }
            case MAP: {
                checkDepth(depth);
                int n = count(in, 2, "a map's size");
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(read(in, depth + 1, unconverted), read(in, depth + 1, unconverted));
                }
                return map;
            }
            case UNSUPPORTED:
                return unconverted(unconverted, new Refused("cannot convert Java " + in.readString() + " to Python; "
                        + SUPPORTED, true));
            case TOO_DEEP:
                return unconverted(unconverted, tooDeep());
            default:
                throw new Refused("a value of unknown kind " + tag + " (hzpy's tasks carry only the values it converts;"
                        + " " + SUPPORTED + ")", false);
        }
    }

    private static Object unconverted(Refused[] first, Refused why) {
        if (first[0] == null) {
            first[0] = why;
        }
        return null;
    }

    /** A container read deeper than the writer may nest one: the message was not written by hzpy. */
    private static void checkDepth(int depth) throws Refused {
        if (depth >= MAX_DEPTH) {
            throw new Refused("values nested deeper than " + MAX_DEPTH + " levels", false);
        }
    }

    private static Refused tooDeep() {
        return new Refused("cannot convert a Java value nested deeper than " + MAX_DEPTH
                + " levels to Python (is it cyclic?)", true);
    }

    /** Whether {@code in} still holds {@code n} elements of at least {@code minBytesEach} bytes. */
    private static boolean holds(ObjectDataInput in, int n, int minBytesEach) throws IOException {
        if (!(in instanceof BufferObjectDataInput b)) {
            return n <= COUNT_CAP;
        }
        long needed = (long) n * minBytesEach;
        int at = b.position();
        if (needed > Integer.MAX_VALUE - at) {
            return false;
        }
        int skipped = b.skipBytes((int) needed); // stops at the message's end: how much it still holds
        b.position(at);
        return skipped == needed;
    }

    /**
     * A count read from the wire, refused unless the message still holds at least {@code minBytesEach}
     * bytes per element (or, where the input cannot say, unless it is at most {@value #COUNT_CAP}):
     * a few bytes must never make a member allocate gigabytes.
     */
    static int count(ObjectDataInput in, int minBytesEach, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || !holds(in, n, minBytesEach)) {
            throw new Refused(what + " of " + n + " is more than the message holds", false);
        }
        return n;
    }
}
