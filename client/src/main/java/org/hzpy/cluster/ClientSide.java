package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.PySemaphore;
import org.hzpy.state.PyState;

import java.time.Duration;

/**
 * The parts of hzpy a client reaches without a runtime of its own: the cluster-wide limit and the
 * shared state, as the members keep them. Used by {@code Py} on a client. Stateless; thread-safe.
 */
public final class ClientSide {
    /** Where members tell clients what they need to know of their settings (the state map's name). */
    public static final String CLUSTER_INFO_MAP = "hzpy.cluster-info";
    /** How long a client's state operations wait for an answer. */
    private static final Duration CLIENT_STATE_WAIT = Duration.ofSeconds(30);

    private ClientSide() {
    }

    /**
     * The cluster-wide limit as a client sees it.
     *
     * @throws org.hzpy.PyUnavailableException if the cluster runs without one
     */
    public static PySemaphore clusterSemaphore(HazelcastInstance client) {
        return new ClusterSemaphoreView(client);
    }

    /** The shared state: the map the members name in the cluster's info map. */
    public static PyState state(HazelcastInstance client) {
        Object name = client.getMap(CLUSTER_INFO_MAP).get("state-map");
        return new PyState(client, name instanceof String s ? s : PyState.DEFAULT_MAP, CLIENT_STATE_WAIT);
    }
}
