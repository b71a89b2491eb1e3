package org.hzpy.state;

import org.hzpy.PyConversionException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The values the shared state holds: exactly those hzpy converts to Python, in the forms Python's
 * values convert to (Long, BigInteger beyond 64 bits, Double, String, Boolean, byte[], ArrayList,
 * LinkedHashMap, LinkedHashSet). Hazelcast serializes each of them itself, so a client without
 * GraalPy reads them, and nothing travels with Java serialization.
 */
final class StateValues {
    private static final int MAX_DEPTH = 200;
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private StateValues() {
    }

    /** {@code value} in its stored form, or {@link PyConversionException} naming what cannot be stored. */
    static Object portable(Object value) {
        return portable(value, 0);
    }

    private static Object portable(Object v, int depth) {
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Double || v instanceof String) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof Character c) {
            return c.toString();
        }
        if (v instanceof BigInteger b) {
            return b.compareTo(LONG_MIN) >= 0 && b.compareTo(LONG_MAX) <= 0 ? (Object) b.longValue() : b;
        }
        if (v instanceof byte[] b) {
            return b.clone();
        }
        if (depth >= MAX_DEPTH) {
            throw new PyConversionException("cannot store a value nested deeper than " + MAX_DEPTH + " levels (is it cyclic?)");
        }
        if (v instanceof List<?> || v instanceof Object[]) {
            Collection<?> items = v instanceof Object[] a ? List.of(a) : (List<?>) v;
            List<Object> out = new ArrayList<>(items.size());
            for (Object item : items) {
                out.add(portable(item, depth + 1));
            }
            return out;
        }
        if (v instanceof Set<?> set) {
            Set<Object> out = new LinkedHashSet<>();
            for (Object item : set) {
                out.add(portable(item, depth + 1));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(portable(e.getKey(), depth + 1), portable(e.getValue(), depth + 1));
            }
            return out;
        }
        throw new PyConversionException("cannot store Java " + v.getClass().getName() + " in the shared state; supported: "
                + "null, Boolean, integers, BigInteger, Float, Double, String, Character, byte[], List, Object[], Set, Map");
    }

    /** The Python name of a stored value's type, for messages. */
    static String pythonType(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof byte[]) {
            return "bytes";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Set) {
            return "set";
        }
        return v.getClass().getName();
    }
}
