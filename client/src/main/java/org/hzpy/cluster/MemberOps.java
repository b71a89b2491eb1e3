package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.Offload;
import com.hazelcast.spi.impl.operationservice.Operation;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Work that only members can send each other: Hazelcast {@link Operation}s, invoked through the
 * member's internal operation service. A client cannot construct or invoke an operation (its
 * protocol messages map to a fixed set of Hazelcast's own), and an executor task or entry
 * processor a client sends is never one, so a member that receives an operation of hzpy's knows it
 * came from another member. That makes this the route for what must be told apart from a client's
 * work: a member's {@code hzpy.call} of a function registered elsewhere ({@link CallbackOp}), a
 * member's {@code parallel} ({@link MemberBatchOp}). Reusable: an operation of hzpy's extends
 * {@link Offloaded}, is registered in {@link HzpySerializerHook}, and is sent with
 * {@link #invoke}. Members are as trusted as Hazelcast makes them: on Hazelcast's open-source
 * edition anything that can join the cluster is a member (TLS and Enterprise security close that).
 * Thread-safe (stateless).
 */
public final class MemberOps {
    /** The service name hzpy's operations carry (no Hazelcast service of that name is looked up). */
    static final String SERVICE_NAME = "hzpy:member-ops";

    private MemberOps() {
    }

    /**
     * Sends {@code op} to {@code target} (a member of {@code from}'s cluster) and answers its response.
     *
     * @param from a member: a client has no operation service
     * @throws IllegalArgumentException if {@code from} is not a member
     */
    public static <T> CompletableFuture<T> invoke(HazelcastInstance from, Operation op, Member target) {
        return nodeEngineOf(from).getOperationService().invokeOnTarget(SERVICE_NAME, op, target.getAddress());
    }

    /** The member's node engine: Hazelcast's internals behind the public instance. */
    /** The cluster's data members other than {@code member} (where cluster-wide changes are spread). */
    static java.util.List<Member> otherDataMembers(HazelcastInstance member) {
        java.util.List<Member> others = new java.util.ArrayList<>();
        for (Member m : member.getCluster().getMembers()) {
            if (!m.localMember() && !m.isLiteMember()) {
                others.add(m);
            }
        }
        return others;
    }

    static NodeEngine nodeEngineOf(HazelcastInstance member) {
        if (member instanceof HazelcastInstanceProxy proxy) {
            return proxy.getOriginal().node.getNodeEngine();
        }
        if (member instanceof HazelcastInstanceImpl impl) {
            return impl.node.getNodeEngine();
        }
        throw new IllegalArgumentException("only a member sends member-only operations, not " + member.getClass().getName());
    }

    /**
     * An operation whose work does not run on Hazelcast's operation thread (it may take as long as a
     * Python call): {@link #start} begins it on another thread and hands over a way to answer. While
     * it runs, Hazelcast counts it as live (its caller's invocation does not time out).
     */
    abstract static class Offloaded extends Operation implements com.hazelcast.nio.serialization.IdentifiedDataSerializable {
        @Override
        public final com.hazelcast.spi.impl.operationservice.CallStatus call() {
            return new Offload(this) {
                @Override
                public void start() {
                    HazelcastInstance member = nodeEngine.getHazelcastInstance();
                    try {
                        Offloaded.this.start(member, Offloaded.this::sendResponse);
                    } catch (RuntimeException e) {
                        sendResponse(e);
                    }
                }
            };
        }

        /** Starts the work on {@code member}; it must call {@code answer} exactly once, from any thread. */
        abstract void start(HazelcastInstance member, Consumer<Object> answer);

        @Override
        public final int getFactoryId() {
            return HzpySerializerHook.FACTORY_ID;
        }
    }
}
