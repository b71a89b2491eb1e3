package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A caller's cancellation of one of its remote calls, sent to the member that runs it on hzpy's
 * control executor ({@value RemoteRuntime#CONTROL_EXECUTOR}), so that it never queues behind calls.
 */
public final class CancelRemoteCall implements Callable<Boolean>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private String callId;
    private transient HazelcastInstance member;

    CancelRemoteCall() {
    }

    CancelRemoteCall(String callId) {
        this.callId = callId;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    /** Stops the call if it runs here now (true), or makes sure it never starts (false). */
    @Override
    public Boolean call() {
        return TaskHandlers.of(member).cancel(member, callId);
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.CANCEL_REMOTE_CALL;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(callId);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        callId = in.readString();
    }
}
