package org.hzpy.cluster;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member's cluster limit stopping while it gives permits back. The IAtomicLong store returns
 * permits in two operations (the member's own count, then the total); an interrupt between them
 * left the total counting a permit nobody held, for good (seen on Hazelcast 5.4.0 when a member
 * shut down as its calls ended).
 */
class ClusterLimitStopTest {
    private final HazelcastInstance member = TestMembers.isolated();

    @Test
    void stopping_letsAReturnUnderWayFinish_ratherThanCutItShort() throws Exception {
        // Given a cluster limit whose store, once a return has begun, waits for the test (as a
        // blocking IAtomicLong call waits for the CP group) and notes whether it was interrupted
        String mapName = "hzpy.test-stop-limit-" + UUID.randomUUID();
        LimitStore real = new MapLimitStore(member, mapName);
        CountDownLatch returnBegun = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        LimitStore slowReturns = new ClusterLimits.DelegatingStore(real) {
            @Override
            public void giveBack(String m, long n) {
                returnBegun.countDown();
                try {
                    gate.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    throw new IllegalStateException("interrupted half-way through a return", e);
                }
                real.giveBack(m, n);
                finished.set(true);
            }
        };
        ClusterLimit limit = new ClusterLimit(member, slowReturns, 4, Duration.ofSeconds(5));
        try {
            // ... and a call that took a permit and ended, so the idle permit is on its way back
            limit.acquire();
            limit.release();
            assertThat(returnBegun.await(30, TimeUnit.SECONDS)).as("the idle permit's return began").isTrue();

            // When the limit stops while that return is under way
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(limit::stop);
            try {
                stopped.get(500, TimeUnit.MILLISECONDS); // stop() has its chance to cut in
            } catch (TimeoutException e) {
                // it waits for the return: the behaviour wanted
            }
            gate.countDown();
            stopped.get(1, TimeUnit.MINUTES);

            // Then the return ran to its end, uninterrupted
            assertThat(interrupted).as("the return was interrupted").isFalse();
            assertThat(finished).as("the return finished").isTrue();
        } finally {
            gate.countDown();
            limit.stop();
            member.getMap(mapName).destroy();
        }
    }
}
