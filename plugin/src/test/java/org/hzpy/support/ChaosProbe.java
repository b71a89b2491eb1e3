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
        out.put("limitRecords", limitRecords());
        org.hzpy.runtime.CallStats stats = org.hzpy.cluster.HzpyPlugin.runtimeOf(member).callStats();
        stats.enable();
        out.put("jetRefused", stats.jetRefusals());
        if (!names.isEmpty()) {
            out.put("missing", missing(py));
        }
        return out;
    }

    /** The cluster limit's entry as its store keeps it: {@code member-uuid-prefix=[held, lease id, granted, return id, refused at]}. */
    private String limitRecords() throws InterruptedException {
        Object state;
        try { // bounded: a probe must not wait on a partition in migration (the timeline asks every second)
            state = member.getMap("hzpy.cluster-limit").getAsync("limit").toCompletableFuture().get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return "not read within 1 s (" + e.getClass().getSimpleName() + ")";
        }
        if (!(state instanceof Map<?, ?> records)) {
            return String.valueOf(state);
        }
        StringBuilder out = new StringBuilder();
        long now = System.currentTimeMillis();
        new java.util.TreeMap<>(records).forEach((k, v) -> {
            long[] r = (long[]) v;
            out.append(String.valueOf(k), 0, Math.min(8, String.valueOf(k).length())).append("=held ").append(r[0]);
            if (r.length > 4 && r[4] > 0) {
                out.append(" refused ").append(now - r[4]).append(" ms ago");
            }
            out.append("; ");
        });
        return out.toString();
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
