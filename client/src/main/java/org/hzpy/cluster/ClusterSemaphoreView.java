package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.PySemaphore;
import org.hzpy.PyUnavailableException;

/**
 * The cluster-wide limit as a client sees it: read it, change it. Calls a client makes pass it on
 * the member that runs them. Thread-safe.
 */
public final class ClusterSemaphoreView implements PySemaphore {
    private final LimitStore store;

    /**
     * The limit the members of {@code instance}'s cluster keep, in whichever store they picked.
     *
     * @throws PyUnavailableException if the cluster runs without a cluster-wide limit
     */
    public ClusterSemaphoreView(HazelcastInstance instance) {
        this(LimitStore.find(instance));
    }

    ClusterSemaphoreView(LimitStore store) {
        this.store = store;
    }

    /** Which implementation keeps the limit: {@code "atomic-long"} or {@code "imap-entry-processor"}. */
    @Override
    public String backend() {
        return store.backend();
    }

    @Override
    public int maxConcurrent() {
        return (int) store.read()[1];
    }

    @Override
    public int current() {
        return (int) store.read()[0];
    }

    @Override
    public void setMaxConcurrent(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + max);
        }
        store.setMax(max);
    }
}
