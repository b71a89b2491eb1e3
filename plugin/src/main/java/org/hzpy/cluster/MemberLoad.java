package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import com.hazelcast.map.IMap;
import org.hzpy.PySemaphore;

import java.util.concurrent.TimeUnit;

/**
 * Publishes how many more calls this member would take now (its free permits) to the IMap
 * {@value #MAP}, every {@value #EVERY_MILLIS} ms when it changed, so that clients send their
 * unkeyed calls to the member with the most room.
 */
final class MemberLoad {
    static final String MAP = "hzpy.member-load";
    private static final ILogger LOGGER = Logger.getLogger(MemberLoad.class);
    private static final long EVERY_MILLIS = 50;
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final IMap<String, Integer> map;
    private final String self;
    private final PySemaphore limit;
    private final Thread publisher;
    private volatile boolean running = true;

    MemberLoad(HazelcastInstance member, PySemaphore limit) {
        this.map = member.getMap(MAP);
        this.self = member.getCluster().getLocalMember().getUuid().toString();
        this.limit = limit;
        this.publisher = new Thread(this::publish, "hzpy-" + member.getName() + "-load");
        this.publisher.setDaemon(true);
        this.publisher.start();
    }

    private void publish() {
        int last = Integer.MIN_VALUE;
        long lastAt = 0;
        while (running) {
            try {
                int free = Math.max(0, limit.maxConcurrent() - limit.current());
                long now = System.nanoTime();
                if (free != last || now - lastAt > REFRESH_NANOS) {
                    map.set(self, free);
                    last = free;
                    lastAt = now;
                }
                Thread.sleep(EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOGGER.fine("hzpy could not publish this member's load: " + e);
                }
            }
        }
    }

    void stop() {
        running = false;
        publisher.interrupt();
        try {
            map.delete(self);
        } catch (RuntimeException e) {
            // the member is going: clients skip members that are not in the cluster
        }
    }
}
