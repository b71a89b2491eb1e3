package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyCall;
import org.hzpy.PyCancelledException;
import org.hzpy.PyException;
import org.hzpy.PyOutcome;
import org.hzpy.PyStream;
import org.hzpy.runtime.CallStats;
import org.hzpy.runtime.PythonRuntime;
import org.hzpy.runtime.StopToken;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A client's {@code Py.stream(call)}: opens the call's generator on this member (on hzpy's
 * executor, under the member's {@link RemotePolicy} exactly as the same {@link PyTask} call would
 * be), keeps it in the member's {@link RemoteStreams} and answers a {@link PyOutcome} whose value is
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

    @Override
    public PyOutcome call() {
        return open(member, call, firstBatch, false);
    }

    /**
     * Opens {@code task}'s call as a stream on {@code member}: the outcome's value is
     * {@code [id, done, items]} ({@link #answer}).
     *
     * @param fromMember the open came from another member's code: it runs without the remote policy
     */
    static PyOutcome open(HazelcastInstance member, PyTask task, int firstBatch, boolean fromMember) {
        RunningCalls calls = MemberParts.runningCallsOf(member);
        String servedBy = calls.address(member);
        String callId = task.callId();
        StopToken admitted = callId == null ? null : calls.start(callId); // refused if its caller has left
        if (callId != null && admitted == null) {
            return PyOutcome.failed(new PyCancelledException(task.describe() + " was cancelled by its caller before it started"),
                    servedBy);
        }
        try {
            PythonRuntime runtime = MemberParts.servingRuntimeOf(member); // a member still joining serves nothing remote yet
            PyCall c = task.asStreamCall(member, fromMember);
            if (firstBatch < 0 || firstBatch > PyStream.MAX_BATCH_SIZE) {
                throw new org.hzpy.PySandboxException(task.describe() + " was refused by the member: a first batch of "
                        + firstBatch + " items (0 to " + PyStream.MAX_BATCH_SIZE + ")");
            }
            Duration timeout = task.timeout();
            PyStream.Source source = runtime.openStream(fromMember ? CallStats.Origin.MEMBER : CallStats.Origin.REMOTE,
                    c.module(), c.function(), c.args().toArray(), c.kwargs(), timeout);
            RemoteStreams streams = calls.streams();
            String id = streams.register(source, callId == null ? null : RunningCalls.callerOf(callId),
                    timeout != null ? timeout : runtime.settings().callTimeout(), runtime.settings().streamIdleTimeout());
            PyStream.Batch first = new PyStream.Batch(List.of(), false);
            PyOutcome firstFailure = null;
            if (firstBatch > 0) {
                try {
                    first = streams.pull(id, firstBatch);
                } catch (PyException e) { // the stream opened: its first pull's failure arrives on the first pull, as on a member
                    first = new PyStream.Batch(List.of(), true);
                    firstFailure = PyOutcome.failed(e, servedBy);
                }
            }
            return PyOutcome.ok(answer(id, first, firstFailure), servedBy);
        } catch (PyException e) {
            return PyOutcome.failed(e, servedBy);
        } catch (RuntimeException e) { // a bad argument (IllegalArgumentException, NullPointerException)
            return PyOutcome.failed(new PyException(task.describe() + " was refused by the member: " + e), servedBy);
        } finally {
            if (admitted != null) {
                calls.end(callId);
            }
        }
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
