package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A caller's end of a stream this member serves ((hzpy-plugin's {@code RemoteStreams})): its generator is closed
 * (its {@code finally} runs) and its permit freed. Sent on hzpy's control executor
 * ({@value RemoteRuntime#CONTROL_EXECUTOR}), so that it never queues behind calls and pulls. Answers
 * whether such a stream was open; an unknown id changes nothing. Not thread-safe: one per submission.
 */
public final class StreamClose implements Callable<Boolean>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private String streamId;
    private transient HazelcastInstance member;

    StreamClose() {
    }

    StreamClose(String streamId) {
        this.streamId = streamId;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public Boolean call() {
        return TaskHandlers.of(member).closeStream(member, streamId);
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.STREAM_CLOSE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(streamId);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        try {
            streamId = in.readString();
        } catch (java.io.EOFException | RuntimeException e) { // a malformed message names no stream
            streamId = null;
        }
    }
}
