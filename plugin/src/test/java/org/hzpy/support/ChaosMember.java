package org.hzpy.support;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;

import java.time.Duration;

/**
 * A member of the chaos suite's cluster in a JVM of its own ({@link ChaosCluster}):
 * {@code ChaosMember PORT LIFETIME_SECONDS} starts {@code members/chaos.yaml} on 127.0.0.1:PORT,
 * prints {@code READY PORT} once its context is up, and serves until it is killed. It ends on its
 * own (without a graceful shutdown) when its lifetime is up or when its parent goes away (its
 * standard input reaches its end), so that no member outlives the test, even a test JVM killed itself.
 */
public final class ChaosMember {
    private ChaosMember() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long lifetimeSeconds = Long.parseLong(args[1]);
        endAfter(lifetimeSeconds);
        endWhenTheParentGoes();
        Config config = TestMembers.config("members/chaos.yaml");
        config.getNetworkConfig().setPort(port);
        config.setInstanceName("chaos-" + port);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        if (!Py.on(member).awaitReady(1, Duration.ofMinutes(3))) {
            System.out.println("NOT READY " + port);
            Runtime.getRuntime().halt(3);
        }
        System.out.println("READY " + port);
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void endAfter(long seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                // ends now
            }
            System.out.println("LIFETIME UP");
            Runtime.getRuntime().halt(4);
        }, "chaos-member-lifetime");
        t.setDaemon(true);
        t.start();
    }

    private static void endWhenTheParentGoes() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent; the end of the stream means the parent is gone
                }
            } catch (java.io.IOException e) {
                // the same
            }
            Runtime.getRuntime().halt(5);
        }, "chaos-member-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
