package org.hzpy.state;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A state increment is counted once even when Hazelcast sends it again: it re-sends an entry
 * operation, the same object, when the partition's owner dies after applying it but before
 * answering. The test re-sends it by hand after killing the owner — the one step of that race a
 * test cannot time — on three plain members.
 */
class StateIncrementRetryTest {
    private final List<HazelcastInstance> members = new ArrayList<>();

    @AfterEach
    void stopMembers() {
        members.forEach(m -> m.getLifecycleService().terminate());
    }

    @Test
    void anIncrementSentAgainAfterItsOwnerDied_answersAsTheFirstTime_andCountsOnce() throws Exception {
        // Given three members, a key owned by the first, and an increment applied there (sent from the third)
        for (int i = 0; i < 3; i++) {
            members.add(com.hazelcast.core.Hazelcast.newHazelcastInstance(TestMembers.config("members/state-retry.yaml")));
        }
        HazelcastInstance owner = members.get(0);
        HazelcastInstance caller = members.get(2);
        awaitSafe(caller);
        String key = keyOwnedBy(owner);
        IMap<String, Object> state = caller.getMap(PyState.DEFAULT_MAP);
        StateIncrement increment = new StateIncrement(5);
        assertThat(state.submitToKey(key, increment).toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(5L);

        // When the owner dies and the increment arrives again at the member that took its partition over
        owner.getLifecycleService().terminate();
        awaitSafe(caller);
        Object again = state.submitToKey(key, increment).toCompletableFuture().get(30, TimeUnit.SECONDS);

        // Then it answers what it answered the first time, and the counter holds it once
        assertThat(again).isEqualTo(5L);
        assertThat(state.get(key)).isEqualTo(5L);

        // ... also on the backup that took over next (it copied the partition, then applied the re-send's backup)
        HazelcastInstance nextOwner = owns(caller, key) ? caller : members.get(1);
        HazelcastInstance last = nextOwner == caller ? members.get(1) : caller;
        nextOwner.getLifecycleService().terminate();
        Await.until(Duration.ofMinutes(1), "one member left", () -> last.getCluster().getMembers().size() == 1);
        assertThat(last.getMap(PyState.DEFAULT_MAP).get(key)).isEqualTo(5L);
    }

    private void awaitSafe(HazelcastInstance member) {
        Await.until(Duration.ofMinutes(1), "the partitions and their backups settled",
                () -> member.getPartitionService().isClusterSafe());
    }

    private static boolean owns(HazelcastInstance member, String key) {
        return member.getPartitionService().getPartition(key).getOwner().getUuid()
                .equals(member.getCluster().getLocalMember().getUuid());
    }

    private static String keyOwnedBy(HazelcastInstance member) {
        for (int i = 0; ; i++) {
            String key = "retried-" + i;
            if (owns(member, key)) {
                return key;
            }
        }
    }
}
