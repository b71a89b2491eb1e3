package org.hzpy.cluster;

import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import org.hzpy.PyUnavailableException;

/**
 * A read of one of hzpy's maps that the map did not answer (a member joining or leaving, a timeout):
 * the entry may be perfectly good, so it is read again later, never skipped as forged. To a caller of
 * an operation, a reason to try again.
 */
final class UnansweredRead extends PyUnavailableException {
    private static final long serialVersionUID = 1L;
    /** The key whose read was not answered. */
    final transient Object key;

    private UnansweredRead(String map, Object key, RuntimeException cause) {
        super("the entry " + key + " of " + map + " could not be read: " + cause);
        initCause(cause);
        this.key = key;
    }

    /**
     * The value under {@code key}; the exception itself when it is a value this member cannot
     * deserialize (callers treat it like any value not written by a member).
     *
     * @throws UnansweredRead when the map did not answer
     */
    static <K> Object read(IMap<K, Object> map, K key) {
        try {
            return map.get(key);
        } catch (HazelcastSerializationException e) {
            return e;
        } catch (RuntimeException e) {
            throw new UnansweredRead(map.getName(), key, e);
        }
    }
}
