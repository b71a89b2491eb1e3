package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.support.Await;
import org.hzpy.support.ChildMember;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Members publish health with their load: clients send no unkeyed work to a member that cannot take it. */
@ExtendWith(Invariants.class)
class MemberHealthTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final Py client = Py.on(TestMembers.clientOf(a));

    @Test
    void aMemberWithItsContextsStopped_getsNoUnkeyedCalls() {
        // Given member b with its Python contexts stopped (it has the most free permits: none in use)
        String bId = b.getCluster().getLocalMember().getUuid().toString();
        onB.contexts().stop();
        try {
            // When it has published its state
            Await.until(Duration.ofSeconds(30), "b publishes that it takes no calls",
                    () -> Integer.valueOf(MemberLoad.UNHEALTHY).equals(a.getMap(MemberLoad.MAP).get(bId)));

            // Then a client's unkeyed calls all go to a, and all succeed
            for (int i = 0; i < 12; i++) {
                assertThat(client.call(PyCall.of("testmod", "echo", i))).isEqualTo((long) i);
            }
        } finally {
            onB.contexts().start(1);
            assertThat(onB.awaitReady(1, Duration.ofMinutes(2))).isTrue();
        }
        Await.until(Duration.ofSeconds(30), "b publishes free permits again",
                () -> a.getMap(MemberLoad.MAP).get(bId) instanceof Integer free && free >= 0);
    }

    @Test
    void aMemberThatIsKilled_hasItsLoadEntryRemovedByTheOthers() throws Exception {
        // Given a third member, in a JVM of its own, that published its load
        try (MemberProcess c = MemberProcess.start(300, ChildMember.class, "cluster-defaults", "0")) {
            c.awaitLine("READY", 180);
            String cId = a.getCluster().getMembers().stream().filter(m -> m.getAddress().getPort() == 5904)
                    .findFirst().orElseThrow().getUuid().toString();
            Await.until(Duration.ofSeconds(30), "c publishes its load", () -> a.getMap(MemberLoad.MAP).containsKey(cId));

            // When it is killed (SIGKILL: it cannot remove its entry itself)
            c.kill();

            // Then the survivors drop its entry
            Await.until(Duration.ofMinutes(1), "c's load entry removed", () -> !a.getMap(MemberLoad.MAP).containsKey(cId));
        }
    }
}
