package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyOutcome;
import org.hzpy.PyStream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.concurrent.Callable;

/**
 * The next batch of a stream this member serves ((hzpy-plugin's {@code RemoteStreams})), asked for by the caller
 * that opened it: runs on hzpy's executor, as calls do (it runs the generator), and answers a
 * {@link PyOutcome} whose value is {@code [done, items]}. An unknown id, a count outside 1 to
 * {@link PyStream#MAX_BATCH_SIZE} or a malformed message is a typed failure in the outcome. Not
 * thread-safe: one per submission.
 */
public final class StreamPull implements Callable<PyOutcome>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private String streamId;
    private int max;
    /** Why the message, as read, is refused, or null. */
    private transient String malformed;
    private transient HazelcastInstance member;

    StreamPull() {
    }

    StreamPull(String streamId, int max) {
        this.streamId = streamId;
        this.max = max;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    /** Runs on the member: its handling is the member's ({@link TaskHandlers#pullStream}). */
    @Override
    public PyOutcome call() {
        return TaskHandlers.of(member).pullStream(member, this);
    }

    String streamId() {
        return streamId;
    }

    int max() {
        return max;
    }

    /** Why the message, as read, is refused, or null. */
    String malformed() {
        return malformed;
    }

    /** A pull's answer as it travels: {@code [done, items]}. */
    static ArrayList<Object> answer(PyStream.Batch batch) {
        ArrayList<Object> a = new ArrayList<>(2);
        a.add(batch.done());
        a.add(new ArrayList<>(batch.items()));
        return a;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.STREAM_PULL;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(streamId);
        out.writeInt(max);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        try {
            streamId = in.readString();
            max = in.readInt();
        } catch (java.io.EOFException | RuntimeException e) { // ends early, or a string's length beyond its end
            malformed = "the message ends before the values it announces";
        }
    }
}
