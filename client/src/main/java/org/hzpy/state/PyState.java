package org.hzpy.state;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyStateException;
import org.hzpy.PyTimeoutException;
import org.hzpy.PyUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * State shared by every context of every member and by clients: one IMap ({@code hzpy.state-map},
 * default {@value #DEFAULT_MAP}; its backups are set under {@code map:} in {@code hazelcast.yaml}).
 * Python reaches the same entries through {@code hzpy.state_*}. Values are those hzpy converts
 * ({@code null}, booleans, integers, floats, strings, bytes, lists, sets, maps, nested), stored in
 * forms Hazelcast serializes itself. Counters change where their entry lives, atomically: no
 * increment is lost. An operation cut off by the loss of its member is sent again (an increment
 * with its id, so it counts once), and a failure names the member it was sent to. Every operation
 * waits at most its timeout. Thread-safe.
 */
public final class PyState {
    /** The IMap used when {@code hzpy.state-map} is not set. */
    public static final String DEFAULT_MAP = "hzpy.state";

    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long FIRST_RESEND_PAUSE_MILLIS = 50;
    private static final long LAST_RESEND_PAUSE_MILLIS = 1_000;
    private final IMap<String, Object> map;
    private final PartitionService partitions;
    private final Duration timeout;

    public PyState(HazelcastInstance instance, String mapName, Duration timeout) {
        this.map = instance.getMap(mapName);
        this.partitions = instance.getPartitionService();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Stores {@code value} under {@code key}; storing {@code null} removes the key. */
    public void store(String key, Object value) {
        checkKey(key);
        Object stored = StateValues.portable(value);
        if (stored == null) {
            await(() -> map.removeAsync(key), "store", key);
        } else {
            await(() -> map.setAsync(key, stored), "store", key);
        }
    }

    /** The value under {@code key}, or empty when there is none. */
    public Optional<Object> fetch(String key) {
        checkKey(key);
        return Optional.ofNullable(await(() -> map.getAsync(key), "fetch", key));
    }

    /** Adds 1 to the counter under {@code key} (a missing key counts as 0); returns the new value. */
    public long incr(String key) {
        return incr(key, 1);
    }

    /**
     * Adds {@code delta} to the counter under {@code key} (a missing key counts as 0), atomically
     * across the cluster, and returns the new value.
     *
     * @throws PyStateException if the key holds anything but an integer
     * @throws ArithmeticException if the sum leaves 64 bits
     */
    public long incr(String key, long delta) {
        checkKey(key);
        StateIncrement increment = new StateIncrement(delta); // one id however often it is sent
        Object r = await(() -> map.submitToKey(key, increment), "incr", key);
        if (r instanceof Long l) {
            return l;
        }
        if (StateIncrement.OVERFLOW.equals(r)) {
            throw new ArithmeticException("the counter '" + key + "' would leave 64 bits (adding " + delta + ")");
        }
        throw new PyStateException("cannot increment '" + key + "': it holds " + r + ", not an int");
    }

    public long decr(String key) {
        return incr(key, -1);
    }

    /** Subtracts {@code delta}, as {@link #incr(String, long)} adds it. */
    public long decr(String key, long delta) {
        if (delta == Long.MIN_VALUE) {
            throw new ArithmeticException("cannot subtract " + delta + ": its negation leaves 64 bits");
        }
        return incr(key, -delta);
    }

    /**
     * Removes {@code key}; true if it was there. (Re-sent after its member was lost, the removal
     * answers whether the re-send found the key.)
     */
    public boolean remove(String key) {
        checkKey(key);
        return await(() -> map.removeAsync(key), "remove", key) != null;
    }

    /** Every key, sorted. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(map.keySet());
        keys.sort(null);
        return keys;
    }

    /**
     * The operations as Python calls them ({@code hzpy.state_*}), by name: arguments and results
     * in the converted forms.
     */
    public Map<String, Function<List<Object>, Object>> pythonFunctions() {
        return Map.of(
                "state_set", args -> {
                    store((String) args.get(0), args.get(1));
                    return null;
                },
                "state_get", args -> {
                    Optional<Object> v = fetch((String) args.get(0));
                    List<Object> found = new ArrayList<>(2);
                    found.add(v.isPresent());
                    found.add(v.orElse(null));
                    return found;
                },
                "state_incr", args -> incr((String) args.get(0), exactLong(args.get(1))),
                "state_delete", args -> remove((String) args.get(0)),
                "state_keys", args -> keys());
    }

    private static long exactLong(Object n) {
        if (n instanceof Long l) {
            return l;
        }
        throw new ArithmeticException("a state increment must fit in 64 bits, was " + n);
    }

    private static void checkKey(String key) {
        if (key == null) {
            throw new IllegalArgumentException("a state key must not be null");
        }
    }

    /**
     * The member that owns {@code key}'s partition as this instance sees it now, where an operation
     * on the key is sent; null while none is known. Read before sending: once the owner is lost,
     * the partition moves and the failure itself (e.g. a client's "connection closed") may not say
     * which member it was.
     */
    private Member ownerOf(String key) {
        try {
            return partitions.getPartition(key).getOwner();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String sentTo(Member owner) {
        return owner == null ? "" : " (sent to " + owner.getAddress() + ", the owner of its key)";
    }

    /**
     * Sends the operation on {@code key} and waits for its answer, at most {@link #timeout} in all.
     * When the member it went to is lost before it answers, or answers before its backup confirmed
     * (Hazelcast's "indeterminate operation state"), the operation may or may not have been applied:
     * it is sent again, to the key's owner then — each operation here gives the same outcome
     * applied twice as once (an increment by its id, see {@link StateIncrement}), so the second
     * answer is the one to trust. A client that Hazelcast does not let fail on an unconfirmed backup
     * ({@code hazelcast.client.operation.fail.on.indeterminate.state}) takes such an answer as final.
     */
    private <T> T await(Supplier<CompletionStage<T>> send, String what, String key) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Member owner = ownerOf(key);
        Member lostOwner = null;
        Throwable lost = null;
        long pauseMillis = FIRST_RESEND_PAUSE_MILLIS;
        try {
            while (true) {
                try {
                    return answer(send.get(), deadline);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof PyException p) {
                        throw p;
                    }
                    long left = deadline - System.nanoTime();
                    if (!mayHaveApplied(cause) || left <= TimeUnit.MILLISECONDS.toNanos(pauseMillis)) {
                        throw new PyUnavailableException("state " + what + " failed" + sentTo(owner) + ": " + cause);
                    }
                    if (lost == null) {
                        lost = cause;
                        lostOwner = owner;
                    }
                    // the partition moves to a backup within moments of its owner's loss
                    Thread.sleep(pauseMillis);
                    pauseMillis = Math.min(pauseMillis * 2, LAST_RESEND_PAUSE_MILLIS);
                    Member now = ownerOf(key);
                    owner = now == null ? owner : now;
                }
            }
        } catch (TimeoutException e) {
            if (lost != null) {
                throw new PyUnavailableException("state " + what + " failed" + sentTo(lostOwner) + ": " + lost
                        + "; sent again, it got no answer within " + timeout.toMillis() + " ms");
            }
            throw new PyTimeoutException("state " + what + sentTo(owner) + " got no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PyCancelledException("state " + what + " was interrupted");
        }
    }

    private static <T> T answer(CompletionStage<T> op, long deadline)
            throws ExecutionException, TimeoutException, InterruptedException {
        // Hazelcast's own future is waited on directly (a callback would add a thread hop), in
        // slices: its get() does not end on a Java interrupt, which is how a Python call's stop
        // reaches a thread waiting here, so the interrupt is checked between slices
        Future<T> answer = op.toCompletableFuture();
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            try {
                return answer.get(Math.min(left, WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS);
            } catch (TimeoutException slice) {
                // next slice
            }
        }
    }

    /** Whether {@code failure} says the member an operation went to was lost before it surely applied it (or surely did not). */
    private static boolean mayHaveApplied(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IndeterminateOperationStateException || c instanceof TargetDisconnectedException
                    || c instanceof MemberLeftException || c instanceof TargetNotMemberException) {
                return true;
            }
        }
        return false;
    }
}
