package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyContext;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The runtime's own machinery, seen from inside the package, on the hardening member. */
@ExtendWith(Invariants.class)
class WatchdogTest {
    private final HazelcastInstance member = TestMembers.hardening();
    private final Py py = TestMembers.py(member);
    private final PythonRuntime runtime = (PythonRuntime) member.getUserContext().get(HzpyPlugin.USER_CONTEXT_KEY);

    @Test
    void aContextThatIsSlowToInterrupt_neverHoldsUpTheWatchdog() throws Exception {
        // Given a call past its deadline inside one long builtin operation (a big-int power of about
        // 5 s), which Python's interrupt cannot stop until it returns (each interrupt attempt waits
        // out its bound)
        ExecutorService caller = Executors.newSingleThreadExecutor();
        CompletableFuture<Object> stuck = CompletableFuture.supplyAsync(() -> TestMembers.inContext(py, 0, () -> {
            try {
                return py.call(PyCall.of("hardening", "huge_power", 40_000_000).timeout(Duration.ofMillis(100)));
            } catch (RuntimeException e) {
                return e;
            }
        }), caller);
        caller.shutdown();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (runtime.watchdogInterruptsInFlight() == 0 && !stuck.isDone() && System.nanoTime() < until) {
            Thread.sleep(1);
        }

        // When the watchdog has been busy interrupting it for half a second
        long ticksBefore = runtime.watchdogTicks();
        Thread.sleep(500);
        long ticks = runtime.watchdogTicks() - ticksBefore;
        boolean stillStuck = !stuck.isDone();

        // Then it kept ticking for every other context all along (50 ticks in 500 ms unhindered; a
        // watchdog that waited on each 500 ms interrupt would manage about 1)
        assertThat(stillStuck).as("the power was still running while ticks were counted (it ended with %s)", stuck.getNow(null)).isTrue();
        assertThat(ticks).isGreaterThan(10);
        assertThat(stuck.get(2, TimeUnit.MINUTES)).isInstanceOf(org.hzpy.PyTimeoutException.class);
    }

    @Test
    void aBindingThatWasNeverUndone_doesNotKeepAStoppedContextReachable() throws Exception {
        // Given a pooled thread that bound itself to context 0 and never unbound
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            WeakReference<PyContext> ref = new WeakReference<>(py.contexts().context(0));
            pool.submit(() -> {
                py.contexts().bind(ref.get());
                return py.call("hardening", "echo", 1);
            }).get(1, TimeUnit.MINUTES);

            // When the router is stopped and started again
            py.contexts().stop();
            py.contexts().start(2);

            // Then the old context can be collected although the thread is still alive
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ref.get() != null && System.nanoTime() < until) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(ref.get()).as("the stopped context, still reachable").isNull();
            assertThat(py.awaitReady(2, Duration.ofMinutes(2))).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
