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
 * A client's {@code Py.stream(call)}: opens the call's generator on this member (on hzpy's
 * executor, under the member's {@code RemotePolicy} (hzpy-plugin's) exactly as the same {@link PyTask} call would
 * be), keeps it in the member's (hzpy-plugin's {@code RemoteStreams}) and answers a {@link PyOutcome} whose value is
 * {@code [stream id, done, first items]} (and the first pull's failure, if it failed): the id is random and known only to the opener, and the
 * first batch (when asked for) saves a round trip. A member's own stream of a key owned here
 * travels as a {@link StreamOpenOp} instead (member code: no remote policy). Never throws: the
 * outcome carries any failure. Not thread-safe: one per submission.
 */
public final class StreamOpen implements Callable<PyOutcome>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private PyTask call;
    /** Items of the first batch to answer with the id (0: none); checked like a pull's count. */
    private int firstBatch;
    private transient HazelcastInstance member;

    StreamOpen() {
    }

    StreamOpen(PyTask call, int firstBatch) {
        this.call = call;
        this.firstBatch = firstBatch;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    /** Runs on the member: its handling is the member's ({@link TaskHandlers#openStream}). */
    @Override
    public PyOutcome call() {
        return TaskHandlers.of(member).openStream(member, call, firstBatch, false);
    }

    /**
     * An open's answer as it travels (Hazelcast's own serializers for lists, strings, booleans):
     * {@code [id, done, items]}, and the first pull's failure as a fourth element when it failed.
     */
    static ArrayList<Object> answer(String id, PyStream.Batch batch, PyOutcome firstFailure) {
        ArrayList<Object> a = new ArrayList<>(4);
        a.add(id);
        a.add(batch.done());
        a.add(new ArrayList<>(batch.items()));
        if (firstFailure != null) {
            a.add(firstFailure);
        }
        return a;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.STREAM_OPEN;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(firstBatch); // first: a call that is refused as read leaves the rest of the message unread
        call.writeData(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        firstBatch = in.readInt();
        call = new PyTask();
        call.readData(in);
    }
}
