package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A listener (named in {@code members/cluster-gated.yaml}) that holds its member's STARTED event
 * while armed: the member is then in the cluster, owns partitions and takes executor tasks, but
 * hzpy's own STARTED work may not have run yet. Hazelcast calls lifecycle listeners in no fixed
 * order, so the gate reports whether it caught the member before hzpy joined it.
 */
public final class JoinGate implements LifecycleListener, HazelcastInstanceAware {
    private static volatile CountDownLatch release = new CountDownLatch(0);
    private static volatile CountDownLatch reached = new CountDownLatch(1);
    private static volatile HazelcastInstance held;
    private static volatile boolean beforeHzpy;
    private HazelcastInstance instance;

    /** The next member's STARTED waits for {@link #open()} (at most 5 minutes). */
    static void arm() {
        release = new CountDownLatch(1);
        reached = new CountDownLatch(1);
        held = null;
    }

    static void open() {
        release.countDown();
    }

    /** Waits for the armed member's STARTED; true if it arrived before hzpy had joined the member. */
    static boolean awaitHeldBeforeHzpy(long seconds) throws InterruptedException {
        if (!reached.await(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the gated member did not reach STARTED within " + seconds + " s");
        }
        return beforeHzpy;
    }

    static HazelcastInstance held() {
        return held;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.instance = instance;
    }

    @Override
    public void stateChanged(LifecycleEvent event) {
        if (event.getState() != LifecycleEvent.LifecycleState.STARTED) {
            return;
        }
        held = instance;
        beforeHzpy = !HzpyPlugin.serving(instance);
        reached.countDown();
        try {
            release.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
