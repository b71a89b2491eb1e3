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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
        // Given a call in context 0 past its deadline inside one long builtin operation (a big-int
        // power of seconds), which Python's interrupt cannot stop until it returns: each interrupt
        // attempt on it waits out its whole bound. (Its timeout leaves room to get into the context:
        // with 100 ms a loaded machine timed it out in the queue, behind background json training,
        // before it ever reached Python, and no interrupt was ever in flight.)
        ExecutorService caller = Executors.newSingleThreadExecutor();
        Future<Object> stuck = caller.submit(() -> TestMembers.inContext(py, 0, () -> {
            try {
                return py.call(PyCall.of("hardening", "huge_power", 40_000_000).timeout(Duration.ofSeconds(1)));
            } catch (RuntimeException e) {
                return e;
            }
        }));
        caller.shutdown();

        // When the watchdog's interrupt of it is in flight, then the watchdog keeps ticking during that
        // one interrupt: a tick that waited on it would hold the count still. (However fast the CPU, the
        // power outlasts 3 ticks of 10 ms; however slow, only the wait for it grows.)
        assertThat(ticksDuringOneInterruptInFlight(3, Duration.ofSeconds(60)))
                .as("the watchdog ticked 3 times while one interrupt stayed in flight").isTrue();
        assertThat(stuck.get(2, TimeUnit.MINUTES)).isInstanceOf(PyTimeoutException.class);
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
