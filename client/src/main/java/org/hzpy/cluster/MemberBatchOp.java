package org.hzpy.cluster;

import org.hzpy.PyOutcome;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The calls of a member's {@code Py.parallel} bound for another member: member code wherever it
 * lands, so they run without the remote policy (which is for clients). Only members can send it
 * ({@link MemberOps}); a client's parallel travels as a {@link PyBatchTask}. Answers one
 * {@link PyOutcome} per call, in order. Not thread-safe: one per invocation, answered once.
 */
public final class MemberBatchOp extends MemberOps.Offloaded {
    private List<PyTask> tasks;
    private transient WireValues.Refused refused;

    MemberBatchOp() {
    }

    MemberBatchOp(List<PyTask> tasks) {
        this.tasks = tasks;
    }

    @Override
    void start(HazelcastInstance member, Consumer<Object> answer) {
        TaskHandlers.of(member).runBatch(member, tasks, refused, true).thenAccept(answer);
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.MEMBER_BATCH_OP;
    }

    @Override
    protected void writeInternal(ObjectDataOutput out) throws IOException {
        PyBatchTask.writeTasks(out, tasks);
    }

    @Override
    protected void readInternal(ObjectDataInput in) throws IOException {
        tasks = new ArrayList<>();
        refused = PyBatchTask.readTasks(in, tasks);
    }
}
