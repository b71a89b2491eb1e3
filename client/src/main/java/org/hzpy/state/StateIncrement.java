package org.hzpy.state;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.cluster.HzpySerializerHook;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Adds to a counter in the shared state where its entry lives, so concurrent increments from any
 * member or client never lose one. Answers the new value (a Long) or, when the entry holds
 * something else or the sum leaves 64 bits, why not (a String); the entry is then left as it was.
 *
 * <p>Applied once: Hazelcast re-sends an entry operation (same object, same id) when its partition's
 * owner dies after applying it but before answering. Each increment carries an id, and every member
 * that applies it — as primary, or as backup through {@link #getBackupProcessor()} — remembers the
 * answer ({@link AppliedIncrements}); a re-sent one is answered from there and changes nothing. The
 * backup does not add again but sets what the primary computed, so a backup made by copying the
 * partition (a member that joined) cannot count an increment twice either. Not thread-safe (one
 * instance per operation).
 */
public final class StateIncrement implements EntryProcessor<String, Object, Object>, IdentifiedDataSerializable,
        HazelcastInstanceAware {
    /** This class's id in hzpy's serializer factory ({@link HzpySerializerHook}). */
    public static final int CLASS_ID = 7;
    static final String OVERFLOW = "overflow";
    private static final long PROCESS = new SecureRandom().nextLong();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final byte ADD = 0;
    /** On a backup replica: set {@link #value} (unless null) and remember {@link #answer} under the id. */
    private static final byte BACKUP = 1;

    private byte kind;
    private long delta;
    private long process;
    private long sequence;
    private Long value;
    private long answer;
    /** On the primary: whether this increment counted (now or before), so its backup has something to apply. */
    private transient boolean counted;
    private transient HazelcastInstance member;

    public StateIncrement() {
    }

    StateIncrement(long delta) {
        this.kind = ADD;
        this.delta = delta;
        this.process = PROCESS;
        this.sequence = SEQUENCE.incrementAndGet();
    }

    private StateIncrement(long process, long sequence, Long value, long answer) {
        this.kind = BACKUP;
        this.process = process;
        this.sequence = sequence;
        this.value = value;
        this.answer = answer;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public Object process(Map.Entry<String, Object> entry) {
        AppliedIncrements applied = member == null ? null : AppliedIncrements.of(member);
        AppliedIncrements.Id id = new AppliedIncrements.Id(process, sequence);
        if (kind == BACKUP) {
            if (value != null) {
                entry.setValue(value);
            }
            if (applied != null) {
                applied.record(id, answer);
            }
            return null;
        }
        Long before = applied == null ? null : applied.answerOf(id);
        if (before != null) { // a re-send: the first answer, nothing added; the backup only remembers it
            answer = before;
            value = null;
            counted = true;
            return before;
        }
        Object v = entry.getValue();
        long now;
        if (v == null) {
            now = 0;
        } else if (v instanceof Long l) {
            now = l;
        } else if (v instanceof BigInteger) {
            return OVERFLOW;
        } else {
            return StateValues.pythonType(v);
        }
        long next;
        try {
            next = Math.addExact(now, delta);
        } catch (ArithmeticException e) {
            return OVERFLOW;
        }
        entry.setValue(next);
        if (applied != null) {
            applied.record(id, next);
        }
        answer = next;
        value = next;
        counted = true;
        return next;
    }

    /** What a backup replica applies: the primary's outcome, never the addition again; none after a refusal. */
    @Override
    public EntryProcessor<String, Object, Object> getBackupProcessor() {
        if (kind == BACKUP || !counted) {
            return null;
        }
        return new StateIncrement(process, sequence, value, answer);
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(kind);
        out.writeLong(process);
        out.writeLong(sequence);
        if (kind == ADD) {
            out.writeLong(delta);
        } else {
            out.writeBoolean(value != null);
            out.writeLong(value == null ? 0 : value);
            out.writeLong(answer);
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        kind = in.readByte();
        if (kind != ADD && kind != BACKUP) {
            throw new IOException("not a state increment (kind " + kind + ")");
        }
        process = in.readLong();
        sequence = in.readLong();
        if (kind == ADD) {
            delta = in.readLong();
        } else {
            boolean set = in.readBoolean();
            long v = in.readLong();
            value = set ? v : null;
            answer = in.readLong();
        }
    }
}
