package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.Await;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member whose Python is still starting takes calls (they wait for its first context), but holds
 * none of the cluster-wide limit's permits for them while they wait: those are every member's.
 * (The chaos suite's Jet stage found no permit for 20 s while a slow replacement's waiting calls held them.)
 * Each test: a member of its own under a cluster limit of 2, whose one context, started afresh,
 * cannot serve while the state key 'hold-starts' is set (the exec log's code waits for it in every
 * fresh context).
 */
class StartingMemberTest {
    private static final int LIMIT = 2;
    private HazelcastInstance member;
    private Py py;

    @BeforeEach
    void aMemberWhoseContextIsStartingAfresh() {
        member = TestMembers.startOwn("starting-member");
        py = TestMembers.py(member);
        py.state().store("hold-starts", true);
        TestMembers.inContext(py, 0, () -> {
            py.eval("globals().__setitem__('first', True)");
            py.exec("import hzpy, time\nwhile hzpy.state_get('hold-starts', False) and not globals().get('first'):\n"
                    + "    time.sleep(0.02)\n");
            return null;
        });
        Await.until(Duration.ofSeconds(30), "no cluster permit held", () -> py.clusterSemaphore().current() == 0);
        py.contexts().stop();
        py.contexts().start(1);
    }

    @AfterEach
    void shutdown() {
        member.shutdown();
    }

    @Test
    void asynchronousCallsToAMemberWhosePythonIsStillStarting_holdNoClusterPermitWhileTheyWait() throws Exception {
        // When as many asynchronous calls as the limit allows are made while it starts
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            calls.add(py.callAsync(PyCall.of("testmod", "echo", i)).toCompletableFuture());
        }

        // Then for as long as they wait (a second here), the cluster's permits stay free, and once the context serves, every call runs
        thenNoClusterPermitIsHeldWhileTheyWait(calls);
    }

    @Test
    void callersWaitingOnAMemberWhosePythonIsStillStarting_holdNoClusterPermitWhileTheyWait() throws Exception {
        // When as many threads as the limit allows call it (and wait) while it starts
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            long n = i;
            calls.add(CompletableFuture.supplyAsync(() -> py.call("testmod", "echo", n), command -> new Thread(command).start()));
        }

        // Then the same
        thenNoClusterPermitIsHeldWhileTheyWait(calls);
    }

    @Test
    void callsFromCommonPoolThreadsToAMemberWhosePythonIsStillStarting_holdNoClusterPermitWhileTheyWait() throws Exception {
        // When as many common-pool tasks as the limit allows call it (hzpy runs those calls on threads of its own)
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            long n = i;
            calls.add(CompletableFuture.supplyAsync(() -> py.call("testmod", "echo", n)));
        }

        // Then the same
        thenNoClusterPermitIsHeldWhileTheyWait(calls);
    }

    private void thenNoClusterPermitIsHeldWhileTheyWait(List<CompletableFuture<Object>> calls) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() - until < 0) {
            assertThat(py.clusterSemaphore().current()).as("cluster permits held by calls waiting for a first context").isZero();
            assertThat(calls).noneMatch(CompletableFuture::isDone);
            Thread.sleep(50);
        }
        py.state().store("hold-starts", false);
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(1, TimeUnit.MINUTES)).isEqualTo((long) i);
        }
    }
}
