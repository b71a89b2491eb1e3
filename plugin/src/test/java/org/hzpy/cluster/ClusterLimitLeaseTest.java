package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a member leases cluster-wide permits when many callers need them at once: each lease is a
 * round trip to the limit's partition that every waiting caller sits through, so a burst must not
 * cost one lease per block of 4.
 */
class ClusterLimitLeaseTest {
    private static final int CALLERS = 32;
    private final HazelcastInstance member = TestMembers.isolated();

    @Test
    void aBurstOfCallers_isServedByAFewLeases_notOnePerBlock() throws Exception {
        // Given a cluster limit of 64 whose store counts leases, and holds the first one back until
        // every caller of the burst waits
        String mapName = "hzpy.test-lease-size-" + UUID.randomUUID();
        LimitStore real = new MapLimitStore(member, mapName);
        AtomicInteger leases = new AtomicInteger();
        CompletableFuture<Void> allWaiting = new CompletableFuture<>();
        LimitStore counting = new ClusterLimits.DelegatingStore(real) {
            @Override
            public CompletionStage<long[]> lease(String m, int n) {
                int k = leases.incrementAndGet();
                CompletionStage<long[]> answer = real.lease(m, n);
                return k == 1 ? allWaiting.thenCompose(v -> answer) : answer;
            }
        };
        ClusterLimit limit = new ClusterLimit(member, counting, 64, Duration.ofSeconds(30));
        CountDownLatch acquired = new CountDownLatch(CALLERS);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        try {
            // When 32 callers need a permit at once (each holds it until all have one)
            for (int i = 0; i < CALLERS; i++) {
                Thread t = new Thread(() -> {
                    limit.acquire();
                    acquired.countDown();
                    try {
                        release.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        limit.release();
                    }
                }, "burst-caller-" + i);
                t.start();
                callers.add(t);
            }
            awaitAllBlocked(callers);
            allWaiting.complete(null);

            // Then every caller gets its permit, and the burst cost a few leases (one per block of 4 would be 8)
            assertThat(acquired.await(1, TimeUnit.MINUTES)).as("every caller got a permit").isTrue();
            assertThat(leases.get()).as("leases for a burst of %d callers", CALLERS).isLessThanOrEqualTo(3);
        } finally {
            allWaiting.complete(null);
            release.countDown();
            for (Thread t : callers) {
                t.join(TimeUnit.MINUTES.toMillis(1));
            }
            limit.stop();
            member.getMap(mapName).destroy();
        }
    }

    @Test
    void loadInBursts_keepsItsPermitsBetweenBursts_ratherThanReturningAndLeasingAroundEachOne() throws Exception {
        // Given a cluster limit whose store counts leases and returns
        String mapName = "hzpy.test-bursts-" + UUID.randomUUID();
        LimitStore real = new MapLimitStore(member, mapName);
        AtomicInteger storeChanges = new AtomicInteger();
        LimitStore counting = new ClusterLimits.DelegatingStore(real) {
            @Override
            public CompletionStage<long[]> lease(String m, int n) {
                storeChanges.incrementAndGet();
                return real.lease(m, n);
            }

            @Override
            public void giveBack(String m, long n) {
                storeChanges.incrementAndGet();
                real.giveBack(m, n);
            }
        };
        ClusterLimit limit = new ClusterLimit(member, counting, 64, Duration.ofSeconds(30));
        try {
            // When calls come in bursts of 10, 60 ms apart (three of the returner's looks), 40 times
            int before = 0;
            for (int burst = 0; burst < 40; burst++) {
                if (burst == 10) {
                    before = storeChanges.get();
                }
                for (int call = 0; call < 10; call++) {
                    limit.acquire();
                    limit.release();
                }
                Thread.sleep(60);
            }
            int lastThirty = storeChanges.get() - before;

            // Then, once it has seen a lease follow each return, it keeps its permits between bursts:
            // the last 30 bursts cost the store a few changes, not a lease and a return each (60)
            assertThat(lastThirty).as("leases and returns during the last 30 bursts").isLessThanOrEqualTo(6);
        } finally {
            limit.stop();
            member.getMap(mapName).destroy();
        }
    }

    /** Waits until every caller is parked waiting for the held lease. */
    private static void awaitAllBlocked(List<Thread> callers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (callers.stream().anyMatch(t -> t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING)) {
            assertThat(System.nanoTime()).as("the callers are all waiting for the lease").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
