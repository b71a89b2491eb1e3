package org.hzpy.runtime;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.hzpy.PyConversionException;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact conversion between Java values and the Python values of one context (see
 * docs/type-conversion.md). Used only by the thread that holds the context.
 */
final class Conversions {
    /** Deeper than this is almost surely a cycle; Python's own limit is ~1000 frames. */
    static final int MAX_DEPTH = 200;

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    /** Lists at least this long are offered to {@code pack_list} first; shorter ones are not worth its call. */
    private static final int PACK_AT_LEAST = 16;

    private final Value none;
    private final Value makeList;
    private final Value makeSet;
    private final Value makeDict;
    private final Value makeInt;
    private final Value makeBytes;
    private final Value makeTuple;
    private final Value makeFrozenset;
    private final Value utf16Units;
    private final Value containerKind;
    private final Value flatItems;
    private final Value asList;
    private final Value packList;
    private final Value bytesAsLatin1;
    private final Value typeName;

    Conversions(Value helpers) {
        none = helpers.getMember("NONE");
        makeList = helpers.getMember("make_list");
        makeSet = helpers.getMember("make_set");
        makeDict = helpers.getMember("make_dict");
        makeInt = helpers.getMember("make_int");
        makeBytes = helpers.getMember("make_bytes");
        makeTuple = helpers.getMember("make_tuple");
        makeFrozenset = helpers.getMember("make_frozenset");
        utf16Units = helpers.getMember("utf16_units");
        containerKind = helpers.getMember("container_kind");
        flatItems = helpers.getMember("flat_items");
        asList = helpers.getMember("as_list");
        packList = helpers.getMember("pack_list");
        bytesAsLatin1 = helpers.getMember("bytes_as_latin1");
        typeName = helpers.getMember("type_name");
    }

    // ---------------------------------------------------------------- Java -> Python

    /**
     * A Java value as something {@link Value#execute} passes to Python as the exact Python value:
     * Java primitives and strings pass through (GraalPy maps them), the rest become Python
     * objects built in this context.
     */
    Object toPython(Object o) {
        return toPython(o, 0);
    }

    /** A Python list of values already converted ({@link #toPython} results). */
    Object listOf(Object[] pythonValues) {
        return makeList.execute(pythonValues);
    }

    Object[] toPythonArgs(Object[] args, int offset, Object... leading) {
        Object[] out = new Object[offset + args.length];
        System.arraycopy(leading, 0, out, 0, offset);
        for (int i = 0; i < args.length; i++) {
            out[offset + i] = toPython(args[i], 0);
        }
        return out;
    }

    private Object toPython(Object o, int depth) {
        return toPython(o, depth, false);
    }

    /**
     * @param hashable the value is a dict key or a set element: lists become tuples and sets
     *                 frozensets, as Python had them (a dict with tuple keys round-trips exactly)
     */
    private Object toPython(Object o, int depth, boolean hashable) {
        if (o == null) {
            return none;
        }
        if (o instanceof String || o instanceof Long || o instanceof Integer || o instanceof Double
                || o instanceof Boolean || o instanceof Float || o instanceof Short || o instanceof Byte) {
            return o;
        }
        if (depth > MAX_DEPTH) {
            throw new PyConversionException("cannot convert a Java value nested deeper than " + MAX_DEPTH
                    + " levels to Python (is it cyclic?)");
        }
        if (o instanceof Character) {
            return String.valueOf(o);
        }
        if (o instanceof BigInteger) {
            BigInteger b = (BigInteger) o;
            return b.bitLength() < 64 ? (Object) b.longValue() : makeInt.execute(b.toString(16));
        }
        if (o instanceof byte[]) {
            return makeBytes.execute(new String((byte[]) o, StandardCharsets.ISO_8859_1));
        }
        if (o instanceof List || o instanceof Object[]) {
            Collection<?> items = o instanceof List ? (List<?>) o : java.util.Arrays.asList((Object[]) o);
            return hashable ? guarded(makeTuple, convertAll(items, depth, true), "List", "tuple")
                    : makeList.execute(convertAll(items, depth, false));
        }
        if (o instanceof Set) {
            return guarded(hashable ? makeFrozenset : makeSet, convertAll((Set<?>) o, depth, true), "Set",
                    hashable ? "frozenset" : "set");
        }
        if (o instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) o;
            Object[] flat = new Object[map.size() * 2];
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flat[i++] = toPython(e.getKey(), depth + 1, true);
                flat[i++] = toPython(e.getValue(), depth + 1, false);
            }
            return guarded(makeDict, flat, "Map", "dict");
        }
        throw new PyConversionException("cannot convert Java " + o.getClass().getTypeName()
                + " to Python; supported: null, Boolean, Integer/Long/Short/Byte, BigInteger, Double/Float, "
                + "String, Character, byte[], List, Object[], Set, Map");
    }

    private Object[] convertAll(Collection<?> items, int depth, boolean hashable) {
        Object[] out = new Object[items.size()];
        int i = 0;
        for (Object item : items) {
            out[i++] = toPython(item, depth + 1, hashable);
        }
        return out;
    }

    /**
     * Building a set or dict fails on unhashable members: that is a conversion error, not user
     * code's. An interrupt, cancellation or exit passing through is none of those: it goes on.
     */
    private static Value guarded(Value builder, Object[] items, String javaType, String pythonType) {
        try {
            return builder.execute(items);
        } catch (PolyglotException e) {
            if (!e.isGuestException() || e.isInterrupted() || e.isCancelled() || e.isExit() || e.isResourceExhausted()) {
                throw e;
            }
            throw new PyConversionException("cannot convert Java " + javaType + " to a Python " + pythonType + ": "
                    + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- Python -> Java

    /** A Python value as the exact Java value, or {@link PyConversionException} naming its type. */
    Object toJava(Value v) {
        return toJava(v, 0);
    }

    private Object toJava(Value v, int depth) {
        if (v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isString()) {
            return string(v);
        }
        if (v.isNumber()) {
            return number(v);
        }
        if (depth > MAX_DEPTH) {
            throw new PyConversionException("cannot convert a Python value nested deeper than " + MAX_DEPTH
                    + " levels to Java (is it cyclic?)");
        }
        String kind = kindOf(v);
        switch (kind) {
            case "list": {
                int n = (int) v.getArraySize();
                if (n >= PACK_AT_LEAST) {
                    Value packed = packList.execute(v);
                    if (!packed.isNull()) {
                        return unpack(packed, n);
                    }
                }
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(toJava(v.getArrayElement(i), depth + 1));
                }
                return out;
            }
            case "dict": {
                Value flat = flatItems.execute(v);
                int n = (int) flat.getArraySize();
                Map<Object, Object> out = new LinkedHashMap<>(Math.max(4, n));
                for (int i = 0; i < n; i += 2) {
                    out.put(toJava(flat.getArrayElement(i), depth + 1), toJava(flat.getArrayElement(i + 1), depth + 1));
                }
                return out;
            }
            case "set": {
                Value items = asList.execute(v);
                int n = (int) items.getArraySize();
                Set<Object> out = new LinkedHashSet<>(Math.max(4, n * 2));
                for (int i = 0; i < n; i++) {
                    out.add(toJava(items.getArrayElement(i), depth + 1));
                }
                return out;
            }
            case "bytes":
                return bytesAsLatin1.execute(v).asString().getBytes(StandardCharsets.ISO_8859_1);
            default:
                throw new PyConversionException("cannot convert Python " + typeName.execute(v).asString()
                        + " to Java; return None, bool, int, float, str, bytes, list, tuple, dict or set "
                        + "(or containers of them)");
        }
    }

    /** A list {@code pack_list} packed: the same values, in two or three crossings instead of several per item. */
    private static List<Object> unpack(Value packed, int n) {
        String kind = packed.getArrayElement(0).asString();
        List<Object> out = new ArrayList<>(n);
        if (kind.equals("z")) {
            // ASCII joined by NULs, none inside an item; cut from the bytes (see below)
            byte[] joined = packed.getArrayElement(1).asString().getBytes(StandardCharsets.ISO_8859_1);
            int at = 0;
            for (int i = 0; i < joined.length; i++) {
                if (joined[i] == 0) {
                    out.add(new String(joined, at, i - at, StandardCharsets.ISO_8859_1));
                    at = i + 1;
                }
            }
            out.add(new String(joined, at, joined.length - at, StandardCharsets.ISO_8859_1));
        } else if (kind.equals("s")) {
            // ASCII; as bytes, each item is a copy of its range (the interop string is UTF-16
            // inside, and each substring of it was compressed to latin-1 on its own)
            byte[] joined = packed.getArrayElement(1).asString().getBytes(StandardCharsets.ISO_8859_1);
            java.nio.LongBuffer lengths = nativeOrder(packed.getArrayElement(2).asString()).asLongBuffer();
            int at = 0;
            for (int i = 0; i < n; i++) {
                int len = (int) lengths.get(i);
                out.add(new String(joined, at, len, StandardCharsets.ISO_8859_1));
                at += len;
            }
        } else if (kind.equals("q")) {
            java.nio.LongBuffer longs = nativeOrder(packed.getArrayElement(1).asString()).asLongBuffer();
            for (int i = 0; i < n; i++) {
                out.add(longs.get(i));
            }
        } else {
            java.nio.DoubleBuffer doubles = nativeOrder(packed.getArrayElement(1).asString()).asDoubleBuffer();
            for (int i = 0; i < n; i++) {
                out.add(doubles.get(i));
            }
        }
        return out;
    }

    /** The bytes of Python's array.tobytes() (native byte order), carried as a latin-1 str. */
    private static java.nio.ByteBuffer nativeOrder(String latin1) {
        return java.nio.ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1)).order(java.nio.ByteOrder.nativeOrder());
    }

    /**
     * GraalPy hands a str over as UTF-16, which replaces a lone surrogate code point with '?' and
     * reads a high+low pair of surrogate code points as one character. Java strings can hold lone
     * surrogates, so those convert exactly; a pair cannot and is refused.
     */
    private String string(Value v) {
        String s = v.asString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '?' || Character.isSurrogate(c)) {
                return exactString(v, s);
            }
        }
        return s;
    }

    private String exactString(Value v, String converted) {
        Value units = utf16Units.execute(v);
        if (units.isNull()) {
            return converted; // no surrogate code points: the interop string was exact
        }
        if (units.isBoolean()) {
            throw new PyConversionException("cannot convert a Python str holding a high and a low surrogate code point"
                    + " in a row to Java: Java reads them as one character, so the value would not round-trip");
        }
        String latin1 = units.asString();
        char[] out = new char[latin1.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (char) (latin1.charAt(2 * i) | latin1.charAt(2 * i + 1) << 8);
        }
        return new String(out);
    }

    private String kindOf(Value v) {
        String simple = v.getMetaObject().getMetaSimpleName();
        switch (simple) {
            case "list":
            case "tuple":
                return "list";
            case "dict":
                return "dict";
            case "set":
            case "frozenset":
                return "set";
            case "bytes":
            case "bytearray":
                return "bytes";
            default:
                // Subclasses (OrderedDict, namedtuple, ...) are asked of Python itself.
                Value k = containerKind.execute(v);
                return k.isNull() ? "" : k.asString();
        }
    }

    /** int stays int (Long, or BigInteger beyond 64 bits); float stays float, nan and inf included. */
    private static Object number(Value v) {
        Object boxed = v.as(Object.class);
        if (boxed instanceof Double) {
            return boxed;
        }
        if (boxed instanceof Integer || boxed instanceof Short || boxed instanceof Byte) {
            return ((Number) boxed).longValue();
        }
        if (boxed instanceof Long) {
            return boxed;
        }
        if (boxed instanceof BigInteger) {
            BigInteger b = (BigInteger) boxed;
            return b.compareTo(LONG_MIN) >= 0 && b.compareTo(LONG_MAX) <= 0 ? (Object) b.longValue() : b;
        }
        if (boxed instanceof Float) {
            return ((Float) boxed).doubleValue();
        }
        throw new PyConversionException("cannot convert Python number of Java shape "
                + boxed.getClass().getName() + " to Java");
    }
}
