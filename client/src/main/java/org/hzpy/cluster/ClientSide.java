package org.hzpy.cluster;

import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.client.properties.ClientProperty;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.Logger;
import org.hzpy.PySemaphore;
import org.hzpy.state.PyState;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of hzpy a client reaches without a runtime of its own: the cluster-wide limit and the
 * shared state, as the members keep them. Used by {@code Py} on a client. Stateless; thread-safe.
 */
public final class ClientSide {
    /** Where members tell clients what they need to know of their settings (the state map's name). */
    public static final String CLUSTER_INFO_MAP = "hzpy.cluster-info";
    /** How long a client's state operations wait for an answer. */
    private static final Duration CLIENT_STATE_WAIT = Duration.ofSeconds(30);
    /** How long a client uses the state map's name it read before reading it again. */
    private static final Duration STATE_MAP_NAME_REFRESH = Duration.ofSeconds(10);
    /** Where a client keeps the state map's name it read (its user context). */
    private static final String STATE_MAP_NAME_KEY = "org.hzpy.cluster.stateMapName";
    /** The clients (by name) already told that they take unconfirmed writes as done. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

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
        warnIfUnconfirmedWritesCountAsDone(client);
        return new PyState(client, stateMapName(client), CLIENT_STATE_WAIT);
    }

    /**
     * The state map's name as the members published it, read at most every
     * {@link #STATE_MAP_NAME_REFRESH}: read on every {@code state()}, it was a second request per
     * state operation (users call {@code Py.on(client).state()} each time). Members all have the same
     * name; the refresh picks up a cluster restarted with another. Until members publish one, the
     * default is used and not remembered.
     */
    private static String stateMapName(HazelcastInstance client) {
        long now = System.nanoTime();
        if (client.getUserContext().get(STATE_MAP_NAME_KEY) instanceof KnownName known
                && now - known.readAtNanos() < STATE_MAP_NAME_REFRESH.toNanos()) {
            return known.name();
        }
        Object name = client.getMap(CLUSTER_INFO_MAP).get("state-map");
        if (!(name instanceof String published)) {
            return PyState.DEFAULT_MAP;
        }
        client.getUserContext().put(STATE_MAP_NAME_KEY, new KnownName(published, now));
        return published;
    }

    /** The state map's name as a client last read it. */
    private record KnownName(String name, long readAtNanos) {
    }

    /**
     * Hazelcast's client, by default, takes a write whose backup did not confirm within
     * {@code hazelcast.client.operation.backup.timeout.millis} as done; if the member that applied it
     * dies then, the write is lost though acknowledged. With the property below it fails instead, and
     * {@link PyState} sends it again (an increment counts once). A client's properties cannot change
     * once it runs, so hzpy says so, once per client.
     */
    private static void warnIfUnconfirmedWritesCountAsDone(HazelcastInstance client) {
        // the client's resolved properties (its config and system properties) are reachable only
        // through its implementation class; another kind of instance is left alone
        if (client instanceof HazelcastClientProxy proxy && proxy.client != null
                && !proxy.client.getProperties().getBoolean(ClientProperty.FAIL_ON_INDETERMINATE_OPERATION_STATE)
                && WARNED.add(client.getName())) {
            Logger.getLogger(ClientSide.class).warning("hzpy: client " + client.getName() + " takes a state write "
                    + "whose backup did not confirm in time as done, and loses it if its member dies then; set "
                    + ClientProperty.FAIL_ON_INDETERMINATE_OPERATION_STATE.getName() + "=true in its config "
                    + "so that hzpy sends such a write again");
        }
    }
}
