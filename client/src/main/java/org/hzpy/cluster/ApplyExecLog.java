package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.concurrent.Callable;

/** Asks a member to apply the cluster's exec log up to an entry (sent by the member that ran it). */
public final class ApplyExecLog implements Callable<Boolean>, IdentifiedDataSerializable, HazelcastInstanceAware {
    private long upTo;
    private transient HazelcastInstance member;

    ApplyExecLog() {
    }

    ApplyExecLog(long upTo) {
        this.upTo = upTo;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public Boolean call() {
        TaskHandlers.of(member).applyExecLog(member, upTo);
        return true;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.APPLY_EXEC_LOG;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeLong(upTo);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        upTo = in.readLong();
    }
}
