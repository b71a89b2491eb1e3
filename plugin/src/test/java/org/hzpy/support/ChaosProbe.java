package org.hzpy.support;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import org.hzpy.OverloadedException;
import org.hzpy.Py;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What the chaos suite asks one member directly (sent to it by address, on the executor
 * {@code chaos-probe}, not hzpy's): whether its partitions are safe, the permits of its own limit
 * in use, and — when {@code names} is not empty — which exec-defined functions its context lacks
 * (asked through a call on that member itself, so its exec log is caught up first, as before any
 * call it serves). Immutable; runs on the member.
 */
public final class ChaosProbe implements Callable<Map<String, Object>>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;
    private final ArrayList<String> names;
    private transient HazelcastInstance member;

    public ChaosProbe(List<String> names) {
        this.names = new ArrayList<>(names);
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.member = hazelcastInstance;
    }

    @Override
    public Map<String, Object> call() throws Exception {
        Py py = Py.on(member);
        Map<String, Object> out = new HashMap<>();
        out.put("port", member.getCluster().getLocalMember().getAddress().getPort());
        out.put("clusterSafe", member.getPartitionService().isClusterSafe());
        out.put("localPermits", py.semaphore().current());
        if (!names.isEmpty()) {
            out.put("missing", missing(py));
        }
        return out;
    }

    /** Asks the member's context; a full limit (Jet's stage may hold permits) is asked again, for at most 20 s. */
    private Object missing(Py py) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                return py.call("chaosmod", "missing", names);
            } catch (OverloadedException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
