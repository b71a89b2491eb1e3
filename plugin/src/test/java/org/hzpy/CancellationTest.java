package org.hzpy;

import org.hzpy.support.Invariants;
import org.hzpy.support.PythonLog;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cancel(true) on callAsync's future stops the Python code, frees the permit, keeps the context. */
@ExtendWith(Invariants.class)
class CancellationTest {
    private final Py py = TestMembers.py(TestMembers.isolated());

    @Test
    void cancellingARunningCall_interruptsItsPython_andReleasesThePermit() throws Exception {
        // Given a call that loops forever (its own timeout is far away) and is running
        String key = UUID.randomUUID().toString();
        CompletableFuture<Object> call;
        try (PythonLog log = PythonLog.capture()) {
            call = py.callAsync(PyCall.of("hardening", "mark_and_spin", key).timeout(Duration.ofMinutes(5)))
                    .toCompletableFuture();
            log.await("started " + key, 30);
        }

        // When the caller cancels it
        assertThat(call.cancel(true)).isTrue();

        // Then its permit comes back long before its timeout, both contexts serve again, and the
        // Python code never got past its loop
        awaitTrue(() -> py.semaphore().current() == 0, "the permit was released");
        for (int i = 0; i < 2; i++) {
            assertThat(TestMembers.inContext(py, i, () -> py.call(PyCall.of("hardening", "was_finished", key)
                    .timeout(Duration.ofSeconds(10))))).isEqualTo(false);
        }
        assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancellingAQueuedCall_neverRunsIt_andReleasesItsPermit() throws Exception {
        // Given both contexts (ISOLATED: one call each) and both of the runtime's async threads held by
        // calls that spin until cancelled, so a third call waits (for a thread or a context): it
        // cannot be in Python while they run
        assertThat(py.executionMode()).isEqualTo(ExecutionMode.ISOLATED);
        assertThat(py.contexts().numContexts()).isEqualTo(2);
        String key = UUID.randomUUID().toString();
        String[] busyKeys = {key + "-busy-0", key + "-busy-1"};
        CompletableFuture<?>[] busy = new CompletableFuture<?>[busyKeys.length];
        try (PythonLog log = PythonLog.capture()) {
            for (int i = 0; i < busy.length; i++) {
                busy[i] = py.callAsync(PyCall.of("hardening", "mark_and_spin", busyKeys[i])
                        .timeout(Duration.ofMinutes(5))).toCompletableFuture();
            }
            for (String busyKey : busyKeys) {
                log.await("started " + busyKey, 60);
            }
            CompletableFuture<Object> queued = py.callAsync(PyCall.of("hardening", "mark_and_spin", key)
                    .timeout(Duration.ofMinutes(5))).toCompletableFuture();
            assertThat(queued).as("the third call, while both threads spin").isNotDone();

            // When it is cancelled while queued, and only then are the spinning calls cancelled
            assertThat(queued.cancel(true)).isTrue();
            for (CompletableFuture<?> b : busy) {
                b.cancel(true);
            }

            // Then every permit comes back (a queued call that ran after all would hold one, spinning
            // for minutes), and neither context ever started it
            awaitTrue(() -> py.semaphore().current() == 0, "all permits released");
            for (int i = 0; i < 2; i++) {
                assertThat(TestMembers.inContext(py, i, () -> py.call(PyCall.of("hardening", "was_started", key)
                        .timeout(Duration.ofSeconds(10))))).as("started in context %d", i).isEqualTo(false);
            }
            assertThat(log.contains("started " + key)).isFalse();
        } finally {
            for (CompletableFuture<?> b : busy) {
                if (b != null) {
                    b.cancel(true);
                }
            }
        }
    }

    @Test
    void cancellingACall_inASharedContext_doesNotFailTheCallRunningBesideIt() throws Exception {
        // Given, in the SHARED member's one context, a call that spins until stopped and a call that
        // sleeps 3 s and then returns, both running
        Py shared = TestMembers.py(TestMembers.sharedMode());
        String spinning = UUID.randomUUID().toString();
        String sleeping = spinning + "-beside";
        CompletableFuture<Object> cancelled;
        CompletableFuture<Object> beside;
        try (PythonLog log = PythonLog.capture()) {
            cancelled = shared.callAsync(PyCall.of("hardening", "mark_and_spin", spinning)
                    .timeout(Duration.ofMinutes(5))).toCompletableFuture();
            beside = shared.callAsync(PyCall.of("hardening", "mark_wait_and_finish", sleeping, 3.0)
                    .timeout(Duration.ofMinutes(1))).toCompletableFuture();
            log.await("started " + spinning, 30);
            log.await("started " + sleeping, 30);
        }

        // When the spinning call is cancelled
        assertThat(cancelled.cancel(true)).isTrue();

        // Then the call beside it returns its value (the context's one interrupt would have failed
        // it), and the cancelled call is stopped after it, long before its own timeout
        assertThat(beside.get(30, TimeUnit.SECONDS)).isEqualTo(sleeping);
        awaitTrue(() -> shared.semaphore().current() == 0, "the cancelled call's permit back");
        assertThat(shared.call(PyCall.of("hardening", "was_finished", spinning))).isEqualTo(false);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
