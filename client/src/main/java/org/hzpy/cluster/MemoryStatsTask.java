package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import org.hzpy.PyMemoryStats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a member for its {@link PyMemoryStats}. The answer travels as a map of plain values, which
 * Hazelcast serializes itself.
 */
public final class MemoryStatsTask implements java.util.concurrent.Callable<Map<String, Object>>, IdentifiedDataSerializable,
        HazelcastInstanceAware {
    /** How long a member has to answer before it is left out. */
    private static final long ANSWER_WAIT_SECONDS = 10;

    private transient HazelcastInstance member;

    public MemoryStatsTask() {
    }

    /** Every member that answers within 10 s, by address. A member that does not is left out (and logged). */
    public static List<PyMemoryStats> ofCluster(HazelcastInstance instance) {
        Map<Member, Future<Map<String, Object>>> answers = instance.getExecutorService(RemoteRuntime.EXECUTOR)
                .submitToAllMembers(new MemoryStatsTask());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_WAIT_SECONDS);
        List<PyMemoryStats> stats = new ArrayList<>();
        for (Map.Entry<Member, Future<Map<String, Object>>> e : answers.entrySet()) {
            try {
                stats.add(fromMap(e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
            } catch (ExecutionException | TimeoutException ex) {
                com.hazelcast.logging.Logger.getLogger(MemoryStatsTask.class).warning("hzpy: no memory stats from "
                        + e.getKey().getAddress() + ": " + ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new org.hzpy.PyUnavailableException("interrupted while asking the members for their memory stats");
            }
        }
        stats.sort(Comparator.comparing(PyMemoryStats::member));
        return stats;
    }

    /** Runs on the member: its figures are the member's ({@link TaskHandlers#memoryStats}). */
    @Override
    public Map<String, Object> call() {
        return TaskHandlers.of(member).memoryStats(member);
    }

    @SuppressWarnings("unchecked")
    private static PyMemoryStats fromMap(Map<String, Object> m) {
        return new PyMemoryStats((String) m.get("member"), (Integer) m.get("contexts"), (Integer) m.get("busy"),
                (Long) m.get("heapUsed"), (Long) m.get("heapLive"), (Long) m.get("heapMax"), (Long) m.get("guardLimit"),
                (Boolean) m.get("guardTripped"), (List<List<Long>>) m.get("gc"), Boolean.TRUE.equals(m.get("jit")));
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public int getFactoryId() {
        return HzpySerializerHook.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return HzpySerializerHook.MEMORY_STATS_TASK;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
}
