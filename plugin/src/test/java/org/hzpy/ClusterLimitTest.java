package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.hzpy.cluster.ClusterLimits;
import org.hzpy.support.ChildMember;
import org.hzpy.support.Intervals;
import org.hzpy.support.Invariants;
import org.hzpy.support.MemberProcess;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * hzpy.cluster-max-concurrent: 6 on the 2-member test cluster (each member allows 8 on its own, and
 * runs 1 context).
 * Runs on the plugin's Hazelcast (no CP subsystem: the IMap backend) and, in hz54-compat, on
 * Hazelcast 5.4.0, whose community edition still serves IAtomicLong (system property
 * {@code hzpy.test.cluster-limit-backend} names the backend expected there).
 */
@ExtendWith(Invariants.class)
class ClusterLimitTest {
    private static final String BACKEND = System.getProperty("hzpy.test.cluster-limit-backend", "imap-entry-processor");
    private final HazelcastInstance b = TestMembers.clusterB();
    private final HazelcastInstance a = TestMembers.clusterA();
    private final Py onA = TestMembers.py(a);
    private final Py onB = TestMembers.py(b);
    private final Py client = Py.on(TestMembers.clientOf(a));

    @Test
    void clusterLimit_isTheConfiguredOne_onMembersAndClients() {
        assertThat(onA.clusterSemaphore().maxConcurrent()).isEqualTo(6);
        assertThat(onB.clusterSemaphore().maxConcurrent()).isEqualTo(6);
        assertThat(client.semaphore().maxConcurrent()).as("a client's semaphore() is the cluster's").isEqualTo(6);
        assertThat(onA.semaphore().maxConcurrent()).as("a member's semaphore() is its own").isEqualTo(8);
        assertThat(onA.clusterSemaphore().backend()).isEqualTo(BACKEND);
        assertThat(onB.clusterSemaphore().backend()).isEqualTo(BACKEND);
        assertThat(client.semaphore().backend()).isEqualTo(BACKEND);
        assertThat(onA.semaphore().backend()).isEqualTo("member-local");
    }

    @Test
    void neverMoreCallsRunInTheClusterThanItsLimit() throws Exception {
        // Given a cluster limit of 1, below the 2 calls the members could run (1 context each), and
        // 8 threads, 4 calling each member
        awaitClusterPermitsAtMost(0, 10);
        client.semaphore().setMaxConcurrent(1);
        Queue<List<?>> intervals = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> callers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Py py = t % 2 == 0 ? onA : onB;
                callers.add(threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < 25; i++) {
                        try { // when each call ran, as Python saw it (one monotonic clock: both members share this JVM)
                            intervals.add((List<?>) py.call("testmod", "interval", 0.02));
                        } catch (OverloadedException e) {
                            refused.incrementAndGet();
                            Thread.sleep(1);
                        }
                    }
                    return null;
                }));
            }

            // When they all call at once
            go.countDown();
            for (Future<?> c : callers) {
                c.get(2, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
            client.semaphore().setMaxConcurrent(6);
        }

        // Then at no moment did two calls run in Python, though calls were refused and others ran
        assertThat(intervals).isNotEmpty();
        assertThat(Intervals.maxOverlap(intervals)).isEqualTo(1);
        assertThat(refused.get()).isPositive();
    }

    @Test
    void aRetriedLease_isGrantedOnce_andAnswersWhatItWasGranted() {
        // Given a limit of 6 in an IMap entry of the test's own, and a lease of 2 permits applied once
        IMap<String, HashMap<String, long[]>> limit = a.getMap("hzpy.test-retried-lease-" + UUID.randomUUID());
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.initMax(6));
        long[] first = limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.lease("member-1", 2, 1));

        // When Hazelcast applies the same operation again (what it does when the partition's owner
        // dies after applying it and before answering)
        long[] retried = limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.lease("member-1", 2, 1));

        // Then the retry answers the first grant, and the store records it once
        assertThat(first[0]).isEqualTo(2);
        assertThat(retried[0]).as("what the retry answers").isEqualTo(2);
        assertThat(limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.read())[1]).as("permits held").isEqualTo(2);
        limit.destroy();
    }

    @Test
    void aLeaseAppliedButNeverAnswered_isGivenBackWhenTheMemberSettles_unlessALeaseCameSince() {
        // Given a lease of 2 that the store applied but whose answer never reached the member (its
        // owner died first, and the re-sends failed too): the member counts none of them
        IMap<String, HashMap<String, long[]>> limit = a.getMap("hzpy.test-settle-" + UUID.randomUUID());
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.initMax(20)); // room for whole blocks
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.lease("member-1", 2, 1));

        // When the member settles with a count taken before its next lease, which the store applied first
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.lease("member-1", 2, 2));
        long[] stale = limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.settle("member-1", 0, 1));

        // Then nothing changes (the newer grant may be on its way to the member) ...
        assertThat(stale[0]).isZero();
        assertThat(limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.read())[1]).as("permits held").isEqualTo(4);

        // ... and when it settles after that lease was answered (it counts those 2), the stranded 2 go back
        long[] settled = limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.settle("member-1", 2, 2));
        assertThat(settled[0]).as("given back").isEqualTo(2);
        assertThat(limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.read())[1]).as("permits held").isEqualTo(2);
        limit.destroy();
    }

    @Test
    void aRetriedReturn_givesBackOnce() {
        // Given a member holding 2 permits of a limit of 6 (an IMap entry of the test's own), and a
        // return of 1 applied once
        IMap<String, HashMap<String, long[]>> limit = a.getMap("hzpy.test-retried-return-" + UUID.randomUUID());
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.initMax(6));
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.lease("member-1", 2, 1));
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.giveBack("member-1", 1, 1));

        // When Hazelcast applies the same return again
        limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.giveBack("member-1", 1, 1));

        // Then the member still holds the permit it kept (else the cluster could lease it twice)
        assertThat(limit.executeOnKey(ClusterLimits.KEY, ClusterLimits.read())[1]).as("permits held").isEqualTo(1);
        limit.destroy();
    }

    @Test
    void aLeaseTheStoreNeverAnswers_failsEveryCallerTypedWithinTheLeaseWait_andIsAskedOnce() throws Exception {
        // Given member a's calls under a cluster limit whose store answers no lease (as when the
        // member that owns the limit's partition is frozen), with a lease wait of 500 ms
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (ClusterLimits.HeldLeases held = ClusterLimits.holdLeasesOn(a, 6, Duration.ofMillis(500))) {
            // When 4 callers call on a at once
            List<Future<Throwable>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(threads.submit(() -> catchThrowable(() -> onA.call("testmod", "echo", 1))));
            }

            // Then each fails with a typed error instead of waiting for the store (the bound here is liveness only)
            for (Future<Throwable> call : calls) {
                assertThat(call.get(30, TimeUnit.SECONDS)).isInstanceOf(PyUnavailableException.class)
                        .hasMessageContaining("did not answer a lease");
            }
            // and a later caller, synchronous or not, fails at once, without asking the store again
            assertThat(catchThrowable(() -> onA.call("testmod", "echo", 1))).isInstanceOf(PyUnavailableException.class);
            assertThat(catchThrowable(() -> onA.callAsync(PyCall.of("testmod", "echo", 1)).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS))).hasCauseInstanceOf(PyUnavailableException.class);
            assertThat(held.leasesAsked()).as("leases in flight: every caller joins the one").isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
        assertThat(onA.call("testmod", "echo", "served again")).isEqualTo("served again");
    }

    @Test
    void callAsync_neverBlocksItsCallerOnALease_andRunsWhenTheLeaseLands() throws Exception {
        // Given member a's calls under a cluster limit whose store holds its leases back
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ClusterLimits.HeldLeases held = ClusterLimits.holdLeasesOn(a, 6, Duration.ofMinutes(1))) {
            // When a thread (as a Jet stage's cooperative thread does) makes an async call
            Future<CompletableFuture<Object>> made = caller.submit(() ->
                    onA.callAsync(PyCall.of("testmod", "echo", "ran")).toCompletableFuture());

            // Then callAsync returns while the lease is still held back (the bound here is liveness only)
            CompletableFuture<Object> call = made.get(30, TimeUnit.SECONDS);
            assertThat(call).isNotDone();

            // and the call runs once the store answers
            held.answer();
            assertThat(call.get(1, TimeUnit.MINUTES)).isEqualTo("ran");
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void fullClusterLimit_refusesTheNextCallAnywhere_withItsFigures() throws Exception {
        // Given the cluster's 6 permits held: 3 calls on each member
        awaitClusterPermitsAtMost(0, 10); // earlier tests' idle leases are back
        CountDownLatch release = holdingGate();
        List<CompletableFuture<Object>> held = new ArrayList<>();
        OverloadedException onAToo;
        OverloadedException onBToo;
        OverloadedException fromClient;
        try {
            for (int i = 0; i < 3; i++) {
                held.add(onA.callAsync(PyCall.of("callbackmod", "call", "limit_gate", "a")).toCompletableFuture());
                held.add(onB.callAsync(PyCall.of("callbackmod", "call", "limit_gate", "b")).toCompletableFuture());
            }
            awaitClusterPermitsAtLeast(6, 10); // callAsync returns before a permit it must lease has come

            // When one more call is made, on either member or from a client
            onAToo = catchThrowableOfType(OverloadedException.class, () -> onA.call("testmod", "echo", 1));
            onBToo = catchThrowableOfType(OverloadedException.class, () -> onB.call("testmod", "echo", 1));
            fromClient = catchThrowableOfType(OverloadedException.class, () -> client.call("testmod", "echo", 1));
        } finally {
            release.countDown();
        }

        // Then each is refused at once with the cluster's figures, and the held calls finish
        for (OverloadedException e : List.of(onAToo, onBToo, fromClient)) {
            assertThat(e).isNotNull();
            assertThat(e.current()).isEqualTo(6);
            assertThat(e.max()).isEqualTo(6);
        }
        for (CompletableFuture<Object> h : held) {
            assertThat(h.get(1, TimeUnit.MINUTES)).isIn("a", "b");
        }
    }

    @Test
    void limitChangedAtRunTimeByAClient_holdsOnEveryMember() throws Exception {
        // Given no cluster permit held, a client that lowers the limit to 2, and a Java function on
        // each member that holds its Python caller until the test lets it go (not a sleep: a slow
        // machine must not end the held calls before the third one is tried)
        awaitClusterPermitsAtMost(0, 10);
        CountDownLatch release = holdingGate();
        client.semaphore().setMaxConcurrent(2);
        List<CompletableFuture<Object>> held = new ArrayList<>();
        try {
            assertThat(onA.clusterSemaphore().maxConcurrent()).isEqualTo(2);
            assertThat(onB.clusterSemaphore().maxConcurrent()).isEqualTo(2);

            // When one call runs on each member
            held.add(onA.callAsync(PyCall.of("callbackmod", "call", "limit_gate", "a")).toCompletableFuture());
            held.add(onB.callAsync(PyCall.of("callbackmod", "call", "limit_gate", "b")).toCompletableFuture());
            awaitClusterPermitsAtLeast(2, 10);

            // Then a third is refused on either member with the new figures
            for (Py py : List.of(onA, onB)) {
                OverloadedException e = catchThrowableOfType(OverloadedException.class, () -> py.call("testmod", "echo", 1));
                assertThat(e).isNotNull();
                assertThat(e.current()).isEqualTo(2);
                assertThat(e.max()).isEqualTo(2);
            }
        } finally {
            release.countDown();
            client.semaphore().setMaxConcurrent(6);
        }
        for (CompletableFuture<Object> h : held) {
            assertThat(h.get(1, TimeUnit.MINUTES)).isIn("a", "b");
        }
    }

    /**
     * Registers {@code limit_gate} on both members: a Java function that holds its Python caller
     * (and so the call's permit) until the latch it answers is counted down, then answers its
     * argument. Not a sleep: a slow machine must not end held calls before the test has looked.
     */
    private CountDownLatch holdingGate() {
        CountDownLatch release = new CountDownLatch(1);
        for (Py py : List.of(onA, onB)) {
            py.registerFunction("limit_gate", args -> release.await(1, TimeUnit.MINUTES) ? args.get(0) : "not released");
        }
        return release;
    }

    @Test
    void permitsLeftIdleOnOneMember_serveAnotherMemberSoonAfter() throws Exception {
        // Given all 6 permits used on member a (once earlier tests' idle leases are back, and no
        // refusal of b is recent enough for the limit to be shared), then given back as its calls end
        awaitClusterPermitsAtMost(0, 10);
        Thread.sleep(ClusterLimits.WANT.toMillis());
        CountDownLatch release = holdingGate();
        List<CompletableFuture<Object>> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                held.add(onA.callAsync(PyCall.of("callbackmod", "call", "limit_gate", i)).toCompletableFuture());
            }
            awaitClusterPermitsAtLeast(6, 10);
            assertThat(catchThrowableOfType(OverloadedException.class, () -> onB.call("testmod", "echo", 1))).isNotNull();
        } finally {
            release.countDown();
        }
        CompletableFuture.allOf(held.toArray(new CompletableFuture[0])).get(1, TimeUnit.MINUTES);
        long finished = System.nanoTime();

        // When member b calls
        Object result = null;
        while (result == null && System.nanoTime() - finished < TimeUnit.SECONDS.toNanos(5)) {
            try {
                result = onB.call("testmod", "echo", "b runs");
            } catch (OverloadedException e) {
                Thread.sleep(2);
            }
        }

        // Then it runs: member a kept no permit it was not using (measured: see the log line)
        assertThat(result).isEqualTo("b runs");
        System.out.printf("cluster limit: member b served %d ms after member a's calls ended%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - finished));
    }

    @Test
    void permitsOfAMemberThatShutsDown_comeBack() throws Exception {
        // Given a third member holding 4 of the cluster's permits with calls that run for a minute
        HazelcastInstance c = TestMembers.startOwn("cluster-c");
        try {
            Py onC = TestMembers.py(c);
            awaitClusterPermitsAtMost(0, 10); // idle leases are back: none held before
            for (int i = 0; i < 4; i++) {
                onC.callAsync(PyCall.of("testmod", "sleep_then", 60.0, i).timeout(Duration.ofMinutes(2)));
            }
            awaitClusterPermitsAtLeast(4, 30);
        } catch (RuntimeException | AssertionError e) {
            c.shutdown(); // its calls would hold the permits past this test
            throw e;
        }

        // When it shuts down
        c.shutdown();

        // Then its permits are back
        awaitClusterPermitsAtMost(0, 30);
    }

    @Test
    void permitsOfAMemberThatIsKilled_areReclaimedByTheOthers() throws Exception {
        // Given a member in a JVM of its own holding 4 of the cluster's permits with calls that run for a minute
        awaitClusterPermitsAtMost(0, 10); // idle leases are back: none held before
        int before = 0;
        try (MemberProcess c = MemberProcess.start(180, ChildMember.class, "cluster-c", "4")) {
            c.awaitLine("HOLDING", 150);
            assertThat(onA.clusterSemaphore().current()).isGreaterThanOrEqualTo(before + 4);

            // When it is killed (SIGKILL: it cannot give anything back)
            long killed = System.nanoTime();
            c.kill();

            // Then the members that are left take its permits back
            awaitClusterPermitsAtMost(before, 60);
            System.out.printf("cluster limit: a killed member's permits were reclaimed %d ms after SIGKILL%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        }
        assertThat(onA.call("testmod", "echo", "still serving")).isEqualTo("still serving");
    }

    private void awaitClusterPermitsAtMost(int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (onA.clusterSemaphore().current() > n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(onA.clusterSemaphore().current()).isLessThanOrEqualTo(n);
    }

    private void awaitClusterPermitsAtLeast(int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (onA.clusterSemaphore().current() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(onA.clusterSemaphore().current()).isGreaterThanOrEqualTo(n);
    }
}
