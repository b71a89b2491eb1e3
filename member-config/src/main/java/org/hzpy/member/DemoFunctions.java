package org.hzpy.member;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import org.hzpy.Py;

/**
 * Registers the Java functions the demo's Python calls back ({@link DemoMember#registerDemoFunctions})
 * on a member started from the distribution: list it after hzpy's plugin under {@code listeners:}
 * (member-config/demo-member.yaml does). With {@code -Dhzpy.demo.serve-for=SECONDS} the member shuts
 * down after that long, so that members a script started never outlive it. Hazelcast calls it on
 * its lifecycle thread; it keeps no state.
 */
public final class DemoFunctions implements LifecycleListener, HazelcastInstanceAware {
    private volatile HazelcastInstance member;

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.member = member;
    }

    @Override
    public void stateChanged(LifecycleEvent event) {
        if (event.getState() != LifecycleEvent.LifecycleState.STARTED || member == null) {
            return;
        }
        DemoMember.registerDemoFunctions(Py.on(member));
        long serveSeconds = Long.getLong("hzpy.demo.serve-for", 0);
        if (serveSeconds > 0) {
            HazelcastInstance m = member;
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(serveSeconds * 1000);
                } catch (InterruptedException e) {
                    return;
                }
                m.shutdown();
            }, "demo-member-stopper");
            stopper.setDaemon(true);
            stopper.start();
        }
    }
}
