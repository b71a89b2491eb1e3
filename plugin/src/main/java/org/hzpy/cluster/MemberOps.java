package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.Operation;
import org.hzpy.PyUnavailableException;

import java.util.concurrent.CompletableFuture;

/**
 * Member-to-member messages that only members can send. An executor task or an entry processor can
 * be submitted by any client (Hazelcast's open-source edition authenticates none), so nothing that
 * decides what code a member runs may travel that way. A Hazelcast {@link Operation} cannot: clients
 * speak a protocol of fixed messages and never construct one. This is the one place hzpy reaches
 * into Hazelcast's internal SPI for it. Thread-safe.
 */
final class MemberOps {
    /** The service name hzpy's operations run under; no Hazelcast service is looked up by it. */
    static final String SERVICE = "hzpy";

    private MemberOps() {
    }

    /** Sends {@code op} to {@code target} (a member of this one's cluster); the future completes with its response. */
    static <T> CompletableFuture<T> invoke(HazelcastInstance member, Operation op, Member target) {
        return nodeEngine(member).getOperationService().invokeOnTarget(SERVICE, op, target.getAddress());
    }

    /** The member's node engine; an operation that runs on a member finds its instance through it. */
    static NodeEngine nodeEngine(HazelcastInstance member) {
        HazelcastInstance hz = member instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal() : member;
        if (hz instanceof HazelcastInstanceImpl impl) {
            return impl.node.getNodeEngine();
        }
        throw new PyUnavailableException("member-only messages need a Hazelcast member, not " + member.getClass().getName());
    }
}
