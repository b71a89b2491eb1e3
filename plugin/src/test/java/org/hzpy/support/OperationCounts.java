package org.hzpy.support;

import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.client.impl.spi.impl.ClientInvocationServiceImpl;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;

/**
 * Hazelcast's own counts of cluster work, read from its internals (no public API has them): the
 * operations a member has executed (its partition and generic threads: whatever was sent to it,
 * by a member or for a client, local invocations and backups included), and the requests a
 * client has sent (its call-id sequence: one id per invocation, i.e. per round trip).
 */
public final class OperationCounts {
    private OperationCounts() {
    }

    /** Operations {@code member} has executed since it started. */
    public static long executedBy(HazelcastInstance member) {
        return ((HazelcastInstanceProxy) member).getOriginal().node.getNodeEngine().getOperationService()
                .getExecutedOperationCount();
    }

    /** Operations all of {@code members} have executed since they started. */
    public static long executedBy(HazelcastInstance... members) {
        long sum = 0;
        for (HazelcastInstance m : members) {
            sum += executedBy(m);
        }
        return sum;
    }

    /** Requests (round trips) {@code client} has sent since it started. */
    public static long sentBy(HazelcastInstance client) {
        return ((ClientInvocationServiceImpl) ((HazelcastClientProxy) client).client.getInvocationService())
                .getCallIdSequence().getLastCallId();
    }
}
