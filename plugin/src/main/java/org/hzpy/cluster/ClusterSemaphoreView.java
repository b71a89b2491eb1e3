package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.PySemaphore;
import org.hzpy.PyUnavailableException;

import java.util.HashMap;

/**
 * The cluster-wide limit as a client sees it: read it, change it. Calls a client makes pass it on
 * the member that runs them. Thread-safe.
 */
public final class ClusterSemaphoreView implements PySemaphore {
    private final IMap<String, HashMap<String, Long>> map;

    /** @throws PyUnavailableException if the cluster runs without a cluster-wide limit */
    public ClusterSemaphoreView(HazelcastInstance instance) {
        this.map = instance.getMap(ClusterLimit.MAP);
        if (read()[2] == 0) {
            throw new PyUnavailableException("the cluster has no cluster-wide limit: set hzpy.cluster-max-concurrent"
                    + " in the members' hazelcast.yaml");
        }
    }

    /** Which implementation keeps the limit ({@value ClusterLimit#BACKEND}). */
    @Override
    public String backend() {
        return ClusterLimit.BACKEND;
    }

    @Override
    public int maxConcurrent() {
        return (int) read()[2];
    }

    @Override
    public int current() {
        return (int) read()[1];
    }

    @Override
    public void setMaxConcurrent(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + max);
        }
        map.executeOnKey(ClusterLimit.KEY, new LimitOp(LimitOp.SET_MAX, "client", max));
    }

    private long[] read() {
        return map.executeOnKey(ClusterLimit.KEY, new LimitOp(LimitOp.READ, "client", 0));
    }
}
