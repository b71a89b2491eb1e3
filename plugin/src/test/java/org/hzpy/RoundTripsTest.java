package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import org.hzpy.support.Await;
import org.hzpy.support.OperationCounts;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a call costs the cluster, counted with Hazelcast's own counters ({@link OperationCounts}):
 * the requests a client makes and the operations members execute, on two members of their own with
 * the cluster-wide limit on (1 context each). Hazelcast's client takes 2 invocation ids for one
 * executor submission that waits on its future (3 with a callback), so a client's requests are
 * compared with a bare executor task's from the same client: hzpy must add none. Every count is
 * taken over many calls and includes whatever else the members do meanwhile, which comes with time
 * rather than with calls: hzpy's published load (at most 20 sets a second per member, each with its
 * backup), the limit's settling (once a second per member), Hazelcast's heartbeats. Each bound
 * allows that traffic for as long as the calls took, at {@value #BACKGROUND_PER_SECOND} operations
 * a second (on a loaded machine 1,000 calls took 8 s).
 */
class RoundTripsTest {
    private static final int CALLS = 1000;
    /** The limit's leases, returns and settling, and the members' published load, amortized: at most 1/16 per call. */
    private static final double AMORTIZED = 1.0 / 16;
    /** Both members' time-based operations: 2 × (20 load sets + their backups, a settle, heartbeats). */
    private static final double BACKGROUND_PER_SECOND = 100;
    /** The client's own time-based requests (statistics, pings): a few a second at most. */
    private static final double CLIENT_BACKGROUND_PER_SECOND = 2;
    private static HazelcastInstance a;
    private static HazelcastInstance b;
    private static HazelcastInstance client;

    @BeforeAll
    static void startCluster() {
        a = TestMembers.startOwn("round-trips-a");
        b = TestMembers.startOwn("round-trips-b");
        TestMembers.py(a);
        TestMembers.py(b);
        client = TestMembers.clientOf(a);
        // b's joining moves half the partitions: each migration is operations too (on a loaded
        // machine they were still running when the first counts began)
        Await.until(Duration.ofMinutes(2), "the round-trips cluster's partitions migrated",
                () -> a.getPartitionService().isClusterSafe() && b.getPartitionService().isClusterSafe());
    }

    @AfterAll
    static void stopCluster() {
        if (client != null) {
            client.shutdown();
        }
        b.shutdown();
        a.shutdown();
    }

    /** A bare executor task: what hzpy's remote calls are compared with. */
    static final class Noop implements java.util.concurrent.Callable<Long>, java.io.Serializable {
        @Override
        public Long call() {
            return 1L;
        }
    }

    /** The client's requests for one bare executor task to {@code member}, waited for on its future or through a callback. */
    private static double bareTaskRequests(HazelcastInstance member, boolean callback) throws Exception {
        var executor = client.getExecutorService("hzpy");
        var target = member.getCluster().getLocalMember();
        return requestsPerOperation(() -> {
            if (!callback) {
                return executor.submitToMember(new Noop(), target).get();
            }
            java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
            executor.submitToMember(new Noop(), target, new com.hazelcast.core.ExecutionCallback<Long>() {
                @Override
                public void onResponse(Long r) {
                    done.complete(r);
                }

                @Override
                public void onFailure(Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            return done.get();
        });
    }

    /** A bare entry processor: what a state increment is compared with. */
    static final class Touch implements com.hazelcast.map.EntryProcessor<String, Long, Long> {
        @Override
        public Long process(java.util.Map.Entry<String, Long> entry) {
            return 1L;
        }
    }

    /** The client's requests for one bare entry processor on {@code key}, waited for on its future. */
    private static double bareEntryProcessorRequests(String key) throws Exception {
        var map = client.<String, Long>getMap("round-trips-bare");
        return requestsPerOperation(() -> map.submitToKey(key, new Touch()).toCompletableFuture().get());
    }

    /** The client's requests (invocation ids) for one run of {@code operation}, over 100 runs. */
    private static double requestsPerOperation(java.util.concurrent.Callable<?> operation) throws Exception {
        int n = 100;
        long sent = OperationCounts.sentBy(client);
        for (int i = 0; i < n; i++) {
            operation.call();
        }
        return Math.round((OperationCounts.sentBy(client) - sent) / (double) n); // whole ids per operation: a stray heartbeat aside
    }

    @Test
    void aKeyedCallFromAClient_isOneRoundTrip_andOneOperationPlusAmortizedLeases() throws Exception {
        // Given a client that has called before (its first calls learn the partition table and load)
        Py py = Py.on(client);
        String key = keyOwnedBy(a, "keyed-call");
        for (int i = 0; i < 200; i++) {
            py.call(PyCall.of("testmod", "echo", i).key(key));
        }

        // When it makes many keyed calls, one after another
        long sent = OperationCounts.sentBy(client);
        long executed = OperationCounts.executedBy(a, b);
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            assertThat(py.call(PyCall.of("testmod", "echo", i).key(key))).isEqualTo((long) i);
        }
        double seconds = secondsSince(t0);
        long requests = OperationCounts.sentBy(client) - sent;
        long operations = OperationCounts.executedBy(a, b) - executed;

        // Then each costs the client what one bare executor task costs, and the members one operation plus at most 1/16 of another
        double bare = bareTaskRequests(a, false);
        assertThat(requests).as("client requests for %d keyed calls in %.1f s (a bare executor task: %s)", CALLS, seconds, bare)
                .isBetween((long) (CALLS * bare), clientBound(CALLS * bare, seconds));
        assertThat(operations).as("operations the members executed for %d keyed calls in %.1f s", CALLS, seconds)
                .isBetween((long) CALLS, bound(CALLS * (1 + AMORTIZED), seconds));
    }

    @Test
    void aCallOnAMemberWithTheClusterLimitOn_costsAtMostOneSixteenthOfAnOperation() {
        // Given a member whose calls each take a permit of the cluster-wide limit
        Py onA = Py.on(a);
        assertThat(onA.clusterSemaphore().maxConcurrent()).isEqualTo(6);
        for (int i = 0; i < 200; i++) {
            onA.call("testmod", "echo", i);
        }

        // When it makes many calls of its own
        long executed = OperationCounts.executedBy(a, b);
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            assertThat(onA.call("testmod", "echo", i)).isEqualTo((long) i);
        }
        double seconds = secondsSince(t0);
        long operations = OperationCounts.executedBy(a, b) - executed;

        // Then the limit's leases (a block of permits each) amortize to at most 1/16 operation per call
        assertThat(operations).as("cluster operations for %d member-local calls with the limit on, in %.1f s", CALLS, seconds)
                .isLessThanOrEqualTo(bound(CALLS * AMORTIZED, seconds));
    }

    @Test
    void parallelOfManyCallsOverTwoMembers_isOneTaskPerMember() throws Exception {
        // Given a client and 40 keyed calls, half owned by each member
        Py py = Py.on(client);
        String onA = keyOwnedBy(a, "parallel");
        String onB = keyOwnedBy(b, "parallel");
        List<PyCall> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(PyCall.of("testmod", "echo", i).key(i % 2 == 0 ? onA : onB));
        }
        py.parallel(calls);

        // When it runs them with parallel() many times
        int rounds = 50;
        long sent = OperationCounts.sentBy(client);
        long executed = OperationCounts.executedBy(a, b);
        long t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            List<PyOutcome> outcomes = py.parallel(calls);
            assertThat(outcomes).allMatch(PyOutcome::isOk);
        }
        double seconds = secondsSince(t0);
        long requests = OperationCounts.sentBy(client) - sent;
        long operations = OperationCounts.executedBy(a, b) - executed;

        // Then each parallel() is one task per member: the client's requests of 2 bare tasks, and 2 operations (plus leases amortized)
        double bare = bareTaskRequests(b, true);
        assertThat(requests).as("client requests for %d parallel() of 40 calls over 2 members in %.1f s (a bare task: %s)",
                rounds, seconds, bare).isBetween((long) (rounds * 2 * bare), clientBound(rounds * 2 * bare, seconds));
        assertThat(operations).as("operations for %d parallel() of 40 calls over 2 members in %.1f s", rounds, seconds)
                .isBetween(2L * rounds, bound(rounds * (2 + 40 * AMORTIZED), seconds));
    }

    @Test
    void aStateIncrement_isOneOperationOnItsPartitionOwner_andOneBackup() {
        // Given a counter whose key member b owns, incremented from member a
        Py onA = Py.on(a);
        String key = keyOwnedBy(b, "member-incr");
        onA.state().incr(key);

        // When it is incremented many times
        long onOwner = OperationCounts.executedBy(b);
        long all = OperationCounts.executedBy(a, b);
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            onA.state().incr(key);
        }
        double seconds = secondsSince(t0);
        long ownerOps = OperationCounts.executedBy(b) - onOwner;
        long allOps = OperationCounts.executedBy(a, b) - all;

        // Then each increment is one operation on the owner, and one backup on the other member
        assertThat(onA.state().fetch(key)).contains((long) CALLS + 1);
        assertThat(ownerOps).as("operations on the key's owner for %d increments in %.1f s", CALLS, seconds)
                .isBetween((long) CALLS, bound(CALLS * (1 + AMORTIZED), seconds));
        assertThat(allOps).as("operations on both members for %d increments in %.1f s (backups included)", CALLS, seconds)
                .isBetween(2L * CALLS, bound(CALLS * (2 + AMORTIZED), seconds));
    }

    @Test
    void aStateIncrementFromAClient_isOneRequest_andOneOperationOnItsOwner_andOneBackup() throws Exception {
        // Given a counter whose key member b owns, incremented from a client as users write it
        // (Hazelcast's client takes 2 invocation ids for one IMap.submitToKey, 1 for an IMap.get)
        String key = keyOwnedBy(b, "client-incr");
        Py.on(client).state().incr(key);

        // When it is incremented many times, each through Py.on(client).state()
        long sent = OperationCounts.sentBy(client);
        long all = OperationCounts.executedBy(a, b);
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            Py.on(client).state().incr(key);
        }
        double seconds = secondsSince(t0);
        long requests = OperationCounts.sentBy(client) - sent;
        long allOps = OperationCounts.executedBy(a, b) - all;

        // Then each increment costs the client what one bare entry processor costs, and the members one operation and its backup
        double bare = bareEntryProcessorRequests(key);
        assertThat(Py.on(client).state().fetch(key)).contains((long) CALLS + 1);
        assertThat(requests).as("client requests for %d increments in %.1f s (a bare entry processor: %s)", CALLS, seconds, bare)
                .isBetween((long) (CALLS * bare), clientBound(CALLS * bare, seconds));
        assertThat(allOps).as("operations on both members for %d increments in %.1f s (backups included)", CALLS, seconds)
                .isBetween(2L * CALLS, bound(CALLS * (2 + AMORTIZED), seconds));
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** At most {@code perCalls} operations, plus the members' time-based traffic over {@code seconds}. */
    private static long bound(double perCalls, double seconds) {
        return (long) (perCalls + BACKGROUND_PER_SECOND * seconds + 0.5);
    }

    /** At most {@code perCalls} requests, plus the client's own time-based ones over {@code seconds} (and one spare). */
    private static long clientBound(double perCalls, double seconds) {
        return (long) (perCalls + CLIENT_BACKGROUND_PER_SECOND * seconds + 1.5);
    }

    /** A key whose partition {@code member} owns, starting with {@code prefix} (one per test: each counts its own key). */
    private static String keyOwnedBy(HazelcastInstance member, String prefix) {
        for (int i = 0; ; i++) {
            String key = prefix + "-" + i;
            Partition p = client.getPartitionService().getPartition(key);
            if (p.getOwner() != null && p.getOwner().getUuid().equals(member.getCluster().getLocalMember().getUuid())) {
                return key;
            }
        }
    }
}
