package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A member's own {@code Py.stream(call)} of a key owned by another member: opens it there as
 * member code, without the remote policy (which is for clients). Only members can send it
 * ({@link MemberOps}); a client's open travels as a {@link StreamOpen}. Its pulls and close are the
 * same {@link StreamPull} / {@link StreamClose} a client sends. Answers as {@link StreamOpen} does.
 * Not thread-safe: one per invocation, answered once.
 */
public final class StreamOpenOp extends MemberOps.Offloaded {
    private PyTask call;
    private int firstBatch;

    StreamOpenOp() {
    }

    StreamOpenOp(PyTask call, int firstBatch) {
        this.call = call;
        this.firstBatch = firstBatch;
    }

    @Override
    void start(HazelcastInstance member, Consumer<Object> answer) {
        TaskHandlers handlers = TaskHandlers.of(member);
        member.getExecutorService(RemoteRuntime.EXECUTOR); // so that its configured pool exists before it is used
        MemberOps.nodeEngineOf(member).getExecutionService().execute(RemoteRuntime.EXECUTOR,
                () -> answer.accept(handlers.openStream(member, call, firstBatch, true)));
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.STREAM_OPEN_OP;
    }

    @Override
    protected void writeInternal(ObjectDataOutput out) throws IOException {
        out.writeInt(firstBatch);
        call.writeData(out);
    }

    @Override
    protected void readInternal(ObjectDataInput in) throws IOException {
        firstBatch = in.readInt();
        call = new PyTask();
        call.readData(in);
    }
}
