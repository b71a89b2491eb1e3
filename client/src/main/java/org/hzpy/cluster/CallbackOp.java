package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import org.hzpy.PyOutcome;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code hzpy.call(name, ...)} from Python on a member, of a Java function registered on another
 * member: runs it there, on hzpy's executor (its nested Python calls are member calls there), and
 * answers its {@link PyOutcome}. Only members can send it ({@link MemberOps}); what a client sends
 * for the same is a {@link FunctionTask}, refused unless {@code hzpy.remote-callbacks} allows it.
 * Not thread-safe: one per invocation, answered once.
 */
public final class CallbackOp extends MemberOps.Offloaded {
    private final FunctionTask.Payload payload = new FunctionTask.Payload();

    CallbackOp() {
    }

    CallbackOp(String name, List<Object> args, long timeoutNanos) {
        payload.set(name, args, timeoutNanos);
    }

    @Override
    void start(HazelcastInstance member, Consumer<Object> answer) {
        TaskHandlers.of(member).callBack(member, this, answer);
    }

    FunctionTask.Payload payload() {
        return payload;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.CALLBACK_OP;
    }

    @Override
    protected void writeInternal(ObjectDataOutput out) throws IOException {
        payload.write(out);
    }

    @Override
    protected void readInternal(ObjectDataInput in) throws IOException {
        payload.read(in);
    }
}
