package org.hzpy.support;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;

import java.time.Duration;

/**
 * A member in a JVM of its own ({@link MemberProcess}): {@code ChildMember CONFIG HOLD} starts
 * {@code members/CONFIG.yaml}, prints {@code READY}, then starts HOLD calls that sleep for a minute
 * and prints {@code HOLDING n} with the cluster-wide permits in use (none with HOLD 0: the member may run
 * without a cluster-wide limit); then waits to be killed.
 */
public final class ChildMember {
    private ChildMember() {
    }

    public static void main(String[] args) throws Exception {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(TestMembers.config("members/" + args[0] + ".yaml"));
        Py py = Py.on(member);
        py.awaitReady(1, Duration.ofMinutes(3));
        System.out.println("READY");
        int hold = Integer.parseInt(args[1]);
        for (int i = 0; i < hold; i++) {
            py.callAsync(PyCall.of("testmod", "sleep_then", 60.0, i).timeout(Duration.ofMinutes(2)));
        }
        if (hold > 0) { // callAsync may return before its cluster permit is leased: wait until they are all held
            Await.until(Duration.ofMinutes(1), "the held calls' cluster permits", () -> py.clusterSemaphore().current() >= hold);
            System.out.println("HOLDING " + py.clusterSemaphore().current());
        }
        Thread.sleep(Duration.ofMinutes(5).toMillis());
    }
}
