package org.hzpy.runtime;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.Py;
import org.hzpy.PyCall;
import org.hzpy.PyContext;
import org.hzpy.PyTimeoutException;
import org.hzpy.cluster.HzpyPlugin;
import org.hzpy.support.Invariants;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The runtime's own machinery, seen from inside the package, on the hardening member. */
@ExtendWith(Invariants.class)
class WatchdogTest {
    private final HazelcastInstance member = TestMembers.hardening();
    private final Py py = TestMembers.py(member);
    private final PythonRuntime runtime = (PythonRuntime) member.getUserContext().get(HzpyPlugin.USER_CONTEXT_KEY);

    @Test
    void aContextThatIsSlowToInterrupt_neverHoldsUpTheWatchdog() throws Exception {
        // Given a call in context 0, past its deadline, inside a Java function that no interrupt stops
        // until the test releases it (so each interrupt attempt on it waits out its whole bound; no
        // CPU is fast enough to end it early, none slow enough to make it end late)
        CountDownLatch release = new CountDownLatch(1);
        py.registerFunction("watchdog_hold", args -> {
            awaitIgnoringInterrupts(release);
            return null;
        });
        ExecutorService caller = Executors.newSingleThreadExecutor();
        Future<Object> stuck;
        try {
            stuck = caller.submit(() -> TestMembers.inContext(py, 0, () -> {
                try {
                    return py.call(PyCall.of("callbackmod", "call", "watchdog_hold").timeout(Duration.ofMillis(100)));
                } catch (RuntimeException e) {
                    return e;
                }
            }));

            // When the watchdog's interrupt of it is in flight, then the watchdog keeps ticking during
            // that one interrupt (a tick that waited on the interrupt would hold the count still)
            assertThat(ticksDuringOneInterruptInFlight(3, Duration.ofSeconds(30)))
                    .as("the watchdog ticked 3 times while one interrupt stayed in flight").isTrue();

            // and it stops a runaway call in context 1 while context 0 is still stuck
            assertThatThrownBy(() -> TestMembers.inContext(py, 1, () -> py.call(
                    PyCall.of("hardening", "spin_forever").timeout(Duration.ofMillis(100)))))
                    .isInstanceOf(PyTimeoutException.class);
            assertThat(stuck).as("the call stuck in context 0").isNotDone();
        } finally {
            release.countDown();
            caller.shutdown();
        }
        assertThat(stuck.get(2, TimeUnit.MINUTES)).isInstanceOf(PyTimeoutException.class);
        py.unregisterFunction("watchdog_hold");
    }

    /**
     * Whether, within {@code bound}, a run of samples that all saw an interrupt in flight (before and
     * after reading the tick count) saw the watchdog tick {@code ticks} times.
     */
    private boolean ticksDuringOneInterruptInFlight(int ticks, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        long runStart = -1; // the tick count at the first sample of the current run
        while (System.nanoTime() - deadline < 0) {
            boolean inFlight = runtime.watchdogInterruptsInFlight() > 0;
            long now = runtime.watchdogTicks();
            inFlight &= runtime.watchdogInterruptsInFlight() > 0;
            if (!inFlight) {
                runStart = -1;
            } else if (runStart < 0) {
                runStart = now;
            } else if (now - runStart >= ticks) {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                if (latch.await(2, TimeUnit.MINUTES)) {
                    return;
                }
                throw new IllegalStateException("never released");
            } catch (InterruptedException e) {
                // deaf to interrupts, like a long builtin operation
            }
        }
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
