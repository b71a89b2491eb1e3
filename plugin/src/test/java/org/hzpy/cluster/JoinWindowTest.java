package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member that has joined the cluster but not yet applied the exec log or joined the cluster-wide
 * limit serves nothing remote: work sent to it waits until it is ready, and clients send it none.
 */
@ExtendWith(Invariants.class)
class JoinWindowTest {
    private static final int ATTEMPTS = 10;
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final Py client = Py.on(TestMembers.clientOf(a));

    @Test
    void workForAMemberStillJoining_waitsUntilItHasTheExecLog_andUnkeyedWorkGoesElsewhere() throws Exception {
        // Given a definition every member must have before it serves a call
        String f = "joining_" + UUID.randomUUID().toString().replace('-', '_');
        onA.exec("def " + f + "():\n    return 'applied first'");
        client.call(PyCall.of("testmod", "echo", 0)); // the client has read the members' published load
        ExecutorService starter = Executors.newSingleThreadExecutor();
        try {
            // ... and a new member held in its STARTED event before hzpy joined it to the cluster
            HazelcastInstance joining = startHeldBeforeHzpy(starter);
            String k = keyOwnedBy(joining);

            // When a client sends it a keyed call for that definition, and unkeyed calls meanwhile
            CompletableFuture<Object> keyed = client.callAsync(PyCall.of("__main__", f).key(k)).toCompletableFuture();
            List<CompletableFuture<Object>> unkeyed = new ArrayList<>();
            for (int i = 0; i < 5; i++) { // fewer than the cluster-wide limit (6): none is refused
                unkeyed.add(client.callAsync(PyCall.of("testmod", "echo", i)).toCompletableFuture());
            }

            // Then the unkeyed calls are all served by the ready members while it is held
            CompletableFuture.allOf(unkeyed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            // ... and the keyed call has not run without the definition (it waits for the member)
            assertThat(keyed).as("keyed call answered while its member was still joining").isNotDone();
            JoinGate.open();
            assertThat(keyed.get(2, TimeUnit.MINUTES)).isEqualTo("applied first");
        } finally {
            JoinGate.open();
            HazelcastInstance held = JoinGate.held();
            if (held != null) {
                held.shutdown();
            }
            starter.shutdownNow();
        }
    }

    /** Starts cluster-gated members until one is held before hzpy's own STARTED work (listeners run in no fixed order). */
    private static HazelcastInstance startHeldBeforeHzpy(ExecutorService starter) throws Exception {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            JoinGate.arm();
            CompletableFuture<HazelcastInstance> started = CompletableFuture.supplyAsync(
                    () -> TestMembers.startOwn("cluster-gated"), starter);
            if (JoinGate.awaitHeldBeforeHzpy(180)) {
                return JoinGate.held();
            }
            JoinGate.open();
            started.get(3, TimeUnit.MINUTES).shutdown();
        }
        throw new AssertionError("no member was held before hzpy joined it in " + ATTEMPTS + " starts");
    }

    private String keyOwnedBy(HazelcastInstance joining) {
        UUID id = joining.getCluster().getLocalMember().getUuid();
        String[] found = new String[1];
        Await.until(Duration.ofMinutes(1), "a partition owned by the joining member", () -> {
            for (int i = 0; i < 2_000; i++) {
                String k = "join-" + i;
                if (ownedBy(a, k, id) && ownedBy(TestMembers.clientOf(a), k, id)) { // the client sends it there too
                    found[0] = k;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static boolean ownedBy(HazelcastInstance seenFrom, String key, UUID member) {
        com.hazelcast.cluster.Member owner = seenFrom.getPartitionService().getPartition(key).getOwner();
        return owner != null && owner.getUuid().equals(member);
    }
}
