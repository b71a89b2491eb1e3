package org.hzpy.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import org.hzpy.OverloadedException;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyException;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real split-brain that heals, in one JVM: a1 and a2 form the bigger side; b lists only its own
 * port, so it forms a cluster of its own under the same name. Each side runs execs and deploys
 * while they are apart. Then a1 (the bigger side's oldest member) gets b's address in its tcp-ip
 * member list — only then, so that b's side has done its work first — and Hazelcast's split-brain
 * handler merges b, the smaller side, into a1's cluster. Each test checks one thing about the
 * cluster after that one merge (ports 6261-6263).
 */
class SplitBrainMergeTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static HazelcastInstance a1;
    private static HazelcastInstance a2;
    private static HazelcastInstance b;
    private static Py onA1;
    private static Py onA2;
    private static Py onB;
    private static String bUuidBeforeMerge;

    @BeforeAll
    static void splitThenMerge() throws InterruptedException {
        Config a1Config = TestMembers.config("members/merge-a1.yaml");
        a1 = Hazelcast.newHazelcastInstance(a1Config);
        a2 = TestMembers.startOwn("merge-a2");
        b = TestMembers.startOwn("merge-b");
        CountDownLatch merged = new CountDownLatch(1);
        b.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                merged.countDown();
            }
        });
        onA1 = TestMembers.py(a1);
        onA2 = TestMembers.py(a2);
        onB = TestMembers.py(b);
        assertThat(a1.getCluster().getMembers()).as("the bigger side").hasSize(2);
        assertThat(b.getCluster().getMembers()).as("the smaller side, apart").hasSize(1);

        // while apart, each side records an exec under log number 1 and deploys the same name as version 1
        onA1.exec("merge_a_split = 'the bigger side defined it during the split'");
        onB.exec("def merge_b_split():\n    return 'b ran it during the split'");
        onA1.modules().deploy("mergeclash", Map.of("merge_side.py", "def who():\n    return 'bigger side'\n"));
        onB.modules().deploy("mergeclash", Map.of("merge_side.py", "def who():\n    return 'smaller side'\n"));
        onB.modules().deploy("mergebonly", Map.of("merge_b_only.py", "def who():\n    return 'b only'\n"));
        bUuidBeforeMerge = b.getCluster().getLocalMember().getUuid().toString();

        a1Config.getNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:6263");
        assertThat(merged.await(90, TimeUnit.SECONDS)).as("b merged into a1's cluster").isTrue();
        Await.until(BOUND, "all three in one cluster", () -> a1.getCluster().getMembers().size() == 3
                && b.getCluster().getMembers().size() == 3);
    }

    @AfterAll
    static void shutDown() {
        for (HazelcastInstance m : new HazelcastInstance[] {b, a2, a1}) {
            if (m != null) {
                m.shutdown();
            }
        }
    }

    @Test
    void anExecOnTheBiggerSideAfterTheMerge_reachesTheMergedMember() {
        // Given the merged cluster
        // When a member of the bigger side defines a function
        onA2.exec("def merge_after():\n    return 'defined after the merge'");

        // Then the member that merged has it
        awaitAnswer(onB, "merge_after", "defined after the merge");
    }

    @Test
    void anExecOfTheBiggerSideDuringTheSplit_isDefinedOnTheMergedMember() {
        Await.until(BOUND, "b has the bigger side's exec of the split", () -> "the bigger side defined it during the split"
                .equals(evaluates(onB, "merge_a_split")));
    }

    @Test
    void anExecTheMergedMemberRanDuringTheSplit_isDefinedOnEveryMemberAfterTheMerge() {
        for (Py py : List.of(onA1, onA2, onB)) {
            awaitAnswer(py, "merge_b_split", "b ran it during the split");
        }
    }

    @Test
    void theMergedMembersExecsOfTheSplit_areRecordedOnce_afterTheBiggerSidesEntries() {
        Await.until(BOUND, "b's exec of the split recorded in the cluster's log", () -> numbersOf("merge_b_split").size() == 1);
        List<Long> bigger = numbersOf("merge_a_split");
        assertThat(bigger).hasSize(1);
        assertThat(numbersOf("merge_b_split").get(0)).isGreaterThan(bigger.get(0));
    }

    @Test
    void theBiggerSidesVersion_winsOverTheSmallerSidesOfTheSameNameAndNumber() {
        Await.until(BOUND, "b runs the bigger side's mergeclash", () -> "bigger side".equals(answersFrom(onB, "merge_side", "who")));
        assertThat(HzpyPlugin.runtimeOf(b).deployedVersions()).containsEntry("mergeclash", 1L);
    }

    @Test
    void aDeploymentMadeOnlyOnTheSmallerSide_isDroppedOnTheMergedMember() {
        Await.until(BOUND, "b dropped mergebonly", () -> !HzpyPlugin.runtimeOf(b).deployedVersions().containsKey("mergebonly"));
        assertThat(onA1.modules().list()).noneMatch(i -> i.name().equals("mergebonly"));
        assertThat(a1.getMap(ClusterDeployments.MAP).keySet()).as("the smaller side's records, not merged in")
                .noneMatch(key -> String.valueOf(key).startsWith("mergebonly"));
    }

    @Test
    void aDeploymentOnTheBiggerSideAfterTheMerge_reachesTheMergedMember() {
        // Given the merged cluster
        // When a member of the bigger side deploys
        onA2.modules().deploy("mergelater", Map.of("merge_later.py", "def who():\n    return 'deployed after the merge'\n"));

        // Then the member that merged runs it
        Await.until(BOUND, "b runs mergelater", () -> "deployed after the merge".equals(answersFrom(onB, "merge_later", "who")));
    }

    @Test
    void theMergedMembersClusterPermits_areCountedUnderItsCurrentUuid_whichTheClusterReclaimsWhenItLeaves() {
        // Given the merged cluster with no permit held, and a function that holds its call's permits for a while
        awaitNoPermitHeld();
        onA1.exec("def merge_hold(seconds):\n    import time\n    time.sleep(seconds)\n    return seconds");
        awaitDefined(onB, "merge_hold");
        String bNow = b.getCluster().getLocalMember().getUuid().toString();

        // When a call holds a cluster-wide permit on the member that merged
        CompletableFuture<Object> holding = onB.callAsync(PyCall.of("__main__", "merge_hold", 3)).toCompletableFuture();
        try {
            // Then the limit's store counts it under the member's uuid now, and holds nothing under a uuid no member has
            Await.until(BOUND, "b's permit counted under its uuid", () -> heldByMember().getOrDefault(bNow, 0L) > 0);
            Set<String> holders = new HashSet<>();
            heldByMember().forEach((member, held) -> {
                if (held > 0) {
                    holders.add(member);
                }
            });
            assertThat(holders).isSubsetOf(memberUuids());
        } finally {
            holding.join();
        }
        // ... and once the call ended, no permit is held anywhere
        awaitNoPermitHeld();
    }

    @Test
    void theClusterLimit_holdsAcrossTheMergedCluster() {
        // Given the merged cluster (limit 2) with no permit held, and a function that holds its call's permits
        awaitNoPermitHeld();
        onA1.exec("def merge_block(seconds):\n    import time\n    time.sleep(seconds)\n    return seconds");
        awaitDefined(onB, "merge_block");
        awaitNoPermitHeld();

        // When two calls on the bigger side hold both permits
        List<CompletableFuture<Object>> holding = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            holding.add(onA1.callAsync(PyCall.of("__main__", "merge_block", 4)).toCompletableFuture());
        }
        try {
            Await.until(BOUND, "both permits held", () -> onA1.clusterSemaphore().current() == 2);

            // Then a call on the member that merged is refused: the cluster has no permit free
            assertThatThrownBy(() -> onB.call("__main__", "merge_block", 0)).isInstanceOf(OverloadedException.class);
        } finally {
            holding.forEach(CompletableFuture::join);
        }
    }

    @Test
    void theMergedMember_publishesItsLoadUnderItsCurrentUuid() {
        String bNow = b.getCluster().getLocalMember().getUuid().toString();
        assertThat(bNow).as("Hazelcast gave the merging member a new uuid").isNotEqualTo(bUuidBeforeMerge);
        Await.until(BOUND, "b's load under its uuid now, none under its former one", () -> {
            Set<Object> keys = a1.getMap(MemberLoad.MAP).keySet();
            return keys.contains(bNow) && !keys.contains(bUuidBeforeMerge);
        });
    }

    // ------------------------------------------------------------------ helpers

    /** Idle leases go back within about a second: a test that needs the whole limit waits for them. */
    private static void awaitNoPermitHeld() {
        Await.until(BOUND, "no cluster-wide permit held", () -> onA1.clusterSemaphore().current() == 0);
    }

    private static void awaitAnswer(Py py, String function, String expected) {
        Await.until(BOUND, function + " answers on " + py, () -> expected.equals(answers(py, function)));
    }

    private static void awaitDefined(Py py, String function) {
        Await.until(BOUND, function + " defined on " + py, () -> {
            try {
                return Long.valueOf(0).equals(py.call("__main__", function, 0));
            } catch (PyException e) {
                return false;
            }
        });
    }

    /** What {@code function} of {@code __main__} answers, or the failure's text (not defined yet, contexts restarting). */
    private static Object answers(Py py, String function) {
        return answersFrom(py, "__main__", function);
    }

    private static Object evaluates(Py py, String expression) {
        try {
            return py.eval(expression);
        } catch (PyException e) {
            return e.toString();
        }
    }

    private static Object answersFrom(Py py, String module, String function) {
        try {
            return py.call(module, function);
        } catch (PyException e) {
            return e.toString();
        }
    }

    /** The numbers of the exec log entries (as the bigger side holds them) whose code mentions {@code name}. */
    private static List<Long> numbersOf(String name) {
        List<Long> numbers = new ArrayList<>();
        a1.getMap(ClusterExecLog.MAP).forEach((key, value) -> {
            if (value instanceof List<?> l && l.size() > 1 && String.valueOf(l.get(1)).contains(name)) {
                numbers.add((Long) key);
            }
        });
        numbers.sort(null);
        return numbers;
    }

    /** The cluster-wide permits the limit's store counts, by member uuid. */
    @SuppressWarnings("unchecked")
    private static Map<String, Long> heldByMember() {
        Map<String, Long> held = new HashMap<>();
        Object state = a1.getMap(LimitStore.NAME).get(ClusterLimits.KEY);
        if (state instanceof Map<?, ?> records) {
            ((Map<String, long[]>) records).forEach((member, record) -> {
                if (!member.startsWith("#")) {
                    held.put(member, record[0]);
                }
            });
        }
        return held;
    }

    private static Set<String> memberUuids() {
        Set<String> uuids = new HashSet<>();
        for (Member m : a1.getCluster().getMembers()) {
            uuids.add(m.getUuid().toString());
        }
        return uuids;
    }
}
