package org.hzpy.support;

import com.hazelcast.client.impl.ClientEngineImpl;
import com.hazelcast.client.impl.ClientEvent;
import com.hazelcast.client.impl.ClientEventType;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.spi.impl.eventservice.EventService;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Client events as a member's own client engine publishes them (the same service, registrations
 * and order key), for the orders a loaded member produces but a test cannot time: a client's old
 * connection's disconnect event arriving after its reconnect's connect event.
 */
public final class ClientEvents {
    private ClientEvents() {
    }

    /** Tells {@code member}'s client listeners that {@code client} disconnected, as its client engine would. */
    public static void disconnected(HazelcastInstance member, HazelcastInstance client) {
        EventService events = ((HazelcastInstanceProxy) member).getOriginal().node.getNodeEngine().getEventService();
        ClientEvent event = new ClientEvent(client.getLocalEndpoint().getUuid(), ClientEventType.DISCONNECTED,
                (InetSocketAddress) client.getLocalEndpoint().getSocketAddress(), "JVM", client.getName(), Set.of());
        events.publishEvent(ClientEngineImpl.SERVICE_NAME,
                events.getRegistrations(ClientEngineImpl.SERVICE_NAME, ClientEngineImpl.SERVICE_NAME),
                event, event.getUuid().hashCode());
    }
}
