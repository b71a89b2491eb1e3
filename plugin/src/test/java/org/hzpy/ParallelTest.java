package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.Intervals;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code py.parallel} on the 2-member test cluster (1 context each, cluster-wide limit 6), from a
 * client and from a member. Each member's {@code whoami.name()} says which member ran a call.
 */
@ExtendWith(Invariants.class)
class ParallelTest {
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final Py client = Py.on(TestMembers.clientOf(a));

    @Test
    void outcomesComeInTheOrderOfTheCalls() {
        List<PyCall> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(i % 3 == 0 ? PyCall.of("testmod", "echo", i).key("k" + i) : PyCall.of("testmod", "echo", i));
        }

        List<PyOutcome> outcomes = client.parallel(calls);

        assertThat(outcomes).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(outcomes.get(i).isOk()).isTrue();
            assertThat(outcomes.get(i).value()).isEqualTo((long) i);
        }
    }

    @Test
    void aFailedCallIsItsOwnOutcome_andSinksNoOther() {
        List<PyOutcome> outcomes = onA.parallel(List.of(
                PyCall.of("testmod", "echo", "first"),
                PyCall.of("testmod", "fail", "ünïcode"),
                PyCall.of("testmod", "sleep_then", 5.0, "late").timeout(Duration.ofMillis(300)),
                PyCall.of("no_such_module", "f"),
                PyCall.of("testmod", "echo", "last")));

        assertThat(outcomes.get(0).value()).isEqualTo("first");
        assertThat(outcomes.get(1).error()).isInstanceOf(PythonException.class);
        assertThat(((PythonException) outcomes.get(1).error()).message()).isEqualTo("ünïcode");
        assertThat(outcomes.get(2).error()).isInstanceOf(PyTimeoutException.class);
        assertThat(outcomes.get(3).isOk()).isFalse();
        assertThat(outcomes.get(4).value()).isEqualTo("last");
        assertThat(outcomes.get(1).isOk()).isFalse();
        assertThat(outcomes.get(0).error()).isNull();
    }

    @Test
    void manyMoreCallsThanContexts_allRun_aContextsWorthAtATimePerMember() {
        // Given 12 calls of 0.1 s, on a cluster with 2 contexts in all and a cluster-wide limit of 6
        List<PyCall> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(PyCall.of("testmod", "interval", 0.1));
        }

        // When they run in parallel
        List<PyOutcome> outcomes = client.parallel(calls);

        // Then every one ran (none refused), two at a time
        assertThat(outcomes).allMatch(PyOutcome::isOk);
        assertThat(maxOverlap(outcomes)).isEqualTo(2);
    }

    @Test
    void callsMetByAFullLimit_areOverloadedOutcomes() throws Exception {
        // Given the cluster's 6 permits held by other calls (once earlier tests' idle leases are back)
        Await.until(Duration.ofSeconds(30), "the cluster's permits are back", () -> onA.clusterSemaphore().current() == 0);
        List<CompletableFuture<Object>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(onA.callAsync(PyCall.of("testmod", "sleep_then", 1.5, "a")).toCompletableFuture());
            held.add(onB.callAsync(PyCall.of("testmod", "sleep_then", 1.5, "b")).toCompletableFuture());
        }

        // When a parallel runs
        List<PyOutcome> outcomes = client.parallel(List.of(PyCall.of("testmod", "echo", 1), PyCall.of("testmod", "echo", 2)));

        // Then each of its calls is refused with the limit's figures, and the held calls finish
        for (PyOutcome o : outcomes) {
            assertThat(o.error()).isInstanceOf(OverloadedException.class);
            assertThat(((OverloadedException) o.error()).max()).isEqualTo(6);
        }
        for (CompletableFuture<Object> h : held) {
            assertThat(h.get(1, TimeUnit.MINUTES)).isIn("a", "b");
        }
    }

    @Test
    void keyedCallsRunOnTheirKeysOwners() {
        List<PyCall> calls = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String key = "owner-" + i;
            calls.add(PyCall.of("whoami", "name").key(key));
            owners.add(a.getPartitionService().getPartition(key).getOwner().getAddress().getPort() == 5901 ? "a" : "b");
        }

        List<PyOutcome> fromClient = client.parallel(calls);
        List<PyOutcome> fromMember = onB.parallel(calls);

        for (int i = 0; i < 12; i++) {
            assertThat(fromClient.get(i).value()).as("call %d from a client", i).isEqualTo(owners.get(i));
            assertThat(fromMember.get(i).value()).as("call %d from member b", i).isEqualTo(owners.get(i));
        }
        assertThat(owners).contains("a", "b");
    }

    @Test
    void unkeyedCallsSpreadOverTheMembers() {
        List<PyCall> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(PyCall.of("whoami", "name"));
        }

        Set<Object> fromClient = new HashSet<>();
        Set<Object> fromMember = new HashSet<>();
        client.parallel(calls).forEach(o -> fromClient.add(o.value()));
        onA.parallel(calls).forEach(o -> fromMember.add(o.value()));

        assertThat(fromClient).containsExactlyInAnyOrder("a", "b");
        assertThat(fromMember).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void unkeyedCallsGoToTheMemberWithRoom_notInTurns() throws Exception {
        // Given member a with no permit free (its limit lowered to 1 and taken), member b idle
        onA.semaphore().setMaxConcurrent(1);
        try {
            CompletableFuture<Object> holder = onA.callAsync(PyCall.of("testmod", "sleep_then", 20.0, "held"))
                    .toCompletableFuture();
            List<PyCall> calls = List.of(PyCall.of("whoami", "name"), PyCall.of("whoami", "name"),
                    PyCall.of("whoami", "name"), PyCall.of("whoami", "name"));

            // When a client and member b run unkeyed calls in parallel (until the published load has reached
            // their routing: in turns, half would go to a and be refused, however long one waits)
            // Then every call ran on b
            Await.until(Duration.ofSeconds(15), "a client's parallel calls all went to b", () -> allServedBy(client.parallel(calls), "b"));
            Await.until(Duration.ofSeconds(15), "member b's parallel calls all stayed on b", () -> allServedBy(onB.parallel(calls), "b"));
            assertThat(holder.cancel(true)).isTrue();
        } finally {
            onA.semaphore().setMaxConcurrent(onA.settings().maxConcurrent());
        }
    }

    private static boolean allServedBy(List<PyOutcome> outcomes, String name) {
        return outcomes.stream().allMatch(o -> o.isOk() && name.equals(o.value()));
    }

    @Test
    void aMemberThatJustJoined_getsItsShareOfUnkeyedCalls() throws Exception {
        // Given a client that has seen the members' load, then a third member joining
        Py freshClient = Py.on(TestMembers.clientOf(a));
        freshClient.parallel(List.of(PyCall.of("whoami", "name"), PyCall.of("whoami", "name")));
        HazelcastInstance c = TestMembers.startOwn("cluster-c");
        try {
            TestMembers.py(c);
            Await.until(Duration.ofSeconds(60), "the client sees the third member",
                    () -> TestMembers.clientOf(a).getCluster().getMembers().size() == 3);

            // When the client runs unkeyed calls in parallel at once
            Set<Object> servedBy = new HashSet<>();
            freshClient.parallel(List.of(PyCall.of("whoami", "name"), PyCall.of("whoami", "name"),
                    PyCall.of("whoami", "name"))).forEach(o -> servedBy.add(o.value()));

            // Then the new member got its share, though the client's last look at the load predates it
            assertThat(servedBy).contains("c");
        } finally {
            c.shutdown();
            awaitMembers(2);
        }
    }

    @Test
    void cpuBoundCalls_runAtTheSameTime_oneOnEachMember() {
        // Given CPU-bound calls of ~0.2 s each, once their code is compiled on both members
        List<PyCall> warmUp = new ArrayList<>();
        List<PyCall> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            warmUp.add(PyCall.of("testmod", "busy_interval", 20_000_000).timeout(Duration.ofMinutes(2)));
            calls.add(PyCall.of("testmod", "busy_interval", 200_000_000).timeout(Duration.ofMinutes(2)));
        }
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < warm) {
            client.parallel(warmUp);
        }

        // When they run in parallel
        List<PyOutcome> outcomes = client.parallel(calls);

        // Then two of them ran at once, one in each member's one context (by the intervals their
        // Python measured; how much sooner the whole ends is a benchmark's question: P3, P9)
        assertThat(outcomes).allMatch(PyOutcome::isOk);
        assertThat(maxOverlap(outcomes)).isEqualTo(2);
    }

    @Test
    void theLossOfAMember_failsOnlyItsOwnCalls() throws Exception {
        // Given a third member and calls keyed to it that run for a while, plus calls elsewhere
        HazelcastInstance c = TestMembers.startOwn("cluster-c");
        TestMembers.py(c);
        String cUuid = c.getCluster().getLocalMember().getUuid().toString();
        List<String> keysOfC = new ArrayList<>();
        Await.until(Duration.ofSeconds(60), "partitions have migrated to the third member", () -> {
            keysOfC.clear();
            for (int i = 0; i < 2_000 && keysOfC.size() < 3; i++) {
                String key = "loss-" + i;
                if (a.getPartitionService().getPartition(key).getOwner().getUuid().toString().equals(cUuid)) {
                    keysOfC.add(key);
                }
            }
            return keysOfC.size() == 3 && a.getPartitionService().isClusterSafe();
        });
        List<String> keysElsewhere = new ArrayList<>();
        for (int i = 0; keysElsewhere.size() < 5; i++) {
            String key = "elsewhere-" + i;
            if (!a.getPartitionService().getPartition(key).getOwner().getUuid().toString().equals(cUuid)) {
                keysElsewhere.add(key);
            }
        }
        List<PyCall> calls = new ArrayList<>();
        List<Boolean> onC = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            boolean toC = i % 3 == 0;
            calls.add(toC ? PyCall.of("testmod", "sleep_then", 30.0, "c").key(keysOfC.get(i / 3)).timeout(Duration.ofMinutes(1))
                    : PyCall.of("testmod", "echo", "elsewhere").key(keysElsewhere.get(i - i / 3 - 1)));
            onC.add(toC);
        }
        CompletableFuture<List<PyOutcome>> running = onA.parallelAsync(calls).toCompletableFuture();
        Py third = TestMembers.py(c);
        Await.until(Duration.ofSeconds(60), "the third member runs its calls", () -> third.semaphore().current() > 0);

        // When that member dies
        c.getLifecycleService().terminate();

        // Then its calls fail as unavailable, and every other call has its result
        List<PyOutcome> outcomes = running.get(2, TimeUnit.MINUTES);
        awaitMembers(2);
        for (int i = 0; i < calls.size(); i++) {
            if (onC.get(i)) {
                assertThat(outcomes.get(i).error()).as("call %d, on the lost member", i).isInstanceOf(PyUnavailableException.class);
            } else {
                assertThat(outcomes.get(i).value()).as("call %d", i).isEqualTo("elsewhere");
            }
        }
        assertThat(onC).contains(true);
    }

    private void awaitMembers(int n) {
        Await.until(Duration.ofSeconds(60), n + " members, as the members and the client see it",
                () -> a.getCluster().getMembers().size() == n && b.getCluster().getMembers().size() == n
                        && TestMembers.clientOf(a).getCluster().getMembers().size() == n);
    }

    private static int maxOverlap(List<PyOutcome> outcomes) {
        List<List<?>> intervals = new ArrayList<>();
        outcomes.forEach(o -> intervals.add((List<?>) o.value()));
        return Intervals.maxOverlap(intervals);
    }
}
