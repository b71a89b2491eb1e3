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
 * unkeyed calls to the member with the most room. A member that cannot take calls (see
 * hzpy-plugin's {@code PythonRuntime.unhealthyBecause()}) publishes {@value #UNHEALTHY}: load is
 * not health. Every member removes the entry of a member that left, so a dead member attracts nothing.
 * The entry's key is the member's uuid as it is now: Hazelcast gives a member that merges into
 * another cluster after a split-brain a new one, and clients look for that.
 */
final class MemberLoad {
    static final String MAP = "hzpy.member-load";
    /** What a member that cannot take calls publishes instead of its free permits. */
    static final int UNHEALTHY = -1;
    private static final ILogger LOGGER = Logger.getLogger(MemberLoad.class);
    private static final long EVERY_MILLIS = 50;
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final IMap<String, Integer> map;
    private final HazelcastInstance member;
    /** The key this member publishes under: its uuid (the publisher's thread changes it after a merge). */
    private volatile String self;
    private final PySemaphore limit;
    private final java.util.function.Supplier<String> unhealthyBecause;
    private final java.util.UUID listener;
    private final Thread publisher;
    private volatile boolean running = true;

    MemberLoad(HazelcastInstance member, PySemaphore limit, java.util.function.Supplier<String> unhealthyBecause) {
        this.map = member.getMap(MAP);
        this.member = member;
        this.self = member.getCluster().getLocalMember().getUuid().toString();
        this.limit = limit;
        this.unhealthyBecause = unhealthyBecause;
        this.listener = member.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
                try { // every survivor asks: deleting twice is harmless
                    map.delete(event.getMember().getUuid().toString());
                } catch (RuntimeException e) {
                    LOGGER.fine("hzpy could not drop the load of " + event.getMember() + ": " + e);
                }
            }
        });
        this.publisher = new Thread(this::publish, "hzpy-" + member.getName() + "-load");
        this.publisher.setDaemon(true);
        this.publisher.start();
    }

    private void publish() {
        int last = Integer.MIN_VALUE;
        long lastAt = 0;
        String lastWhy = null;
        while (running) {
            try {
                String why = unhealthyBecause.get();
                if (!java.util.Objects.equals(why, lastWhy)) {
                    if (why != null) {
                        LOGGER.warning("hzpy: this member takes no calls from the cluster now: " + why);
                    } else {
                        LOGGER.info("hzpy: this member takes calls from the cluster again");
                    }
                    lastWhy = why;
                }
                int free = why != null ? UNHEALTHY : Math.max(0, limit.maxConcurrent() - limit.current());
                long now = System.nanoTime();
                String uuid = member.getCluster().getLocalMember().getUuid().toString();
                if (!uuid.equals(self)) { // merged into another cluster: under the new uuid from now on
                    map.delete(self);
                    self = uuid;
                    last = Integer.MIN_VALUE;
                }
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

    void stop(HazelcastInstance member) {
        running = false;
        try {
            member.getCluster().removeMembershipListener(listener);
        } catch (RuntimeException e) {
            // the member is going
        }
        publisher.interrupt();
        try {
            map.delete(self);
        } catch (RuntimeException e) {
            // the member is going: clients skip members that are not in the cluster
        }
    }
}
