package org.hzpy;

import org.hzpy.support.Await;
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
        // Given more async calls than the runtime has threads, so the last one waits in the queue
        CompletableFuture<?>[] busy = new CompletableFuture<?>[2];
        for (int i = 0; i < busy.length; i++) {
            busy[i] = py.callAsync(PyCall.of("hardening", "sleep_then", 1.0, i)).toCompletableFuture();
        }
        String key = UUID.randomUUID().toString();
        try (PythonLog log = PythonLog.capture()) {
            CompletableFuture<Object> queued = py.callAsync(PyCall.of("hardening", "mark_and_spin", key)
                    .timeout(Duration.ofMinutes(5))).toCompletableFuture();

            // When it is cancelled
            queued.cancel(true);

            // Then it never starts, and every permit comes back
            CompletableFuture.allOf(busy).get(1, TimeUnit.MINUTES);
            awaitTrue(() -> py.semaphore().current() == 0, "all permits released");
            assertThat(log.contains("started " + key)).isFalse();
        }
    }

    @Test
    void cancellingACallThatWaitsForAContext_givesItsPermitBack_whileTheContextStaysBusy() throws Exception {
        // Given a member with one context, busy with a client's long call
        com.hazelcast.core.HazelcastInstance member = TestMembers.cancel();
        Py onMember = TestMembers.py(member);
        Py client = Py.on(TestMembers.clientOf(member));
        String busyKey = UUID.randomUUID().toString();
        String waitingKey = UUID.randomUUID().toString();
        try (PythonLog log = PythonLog.capture()) {
            CompletableFuture<Object> busy = client.callAsync(PyCall.of("hardening", "mark_and_spin", busyKey)
                    .timeout(Duration.ofMinutes(5))).toCompletableFuture();
            log.await("started " + busyKey, 60);
            // and a local async call waiting for that context (it holds its permit)
            CompletableFuture<Object> waiting = onMember.callAsync(PyCall.of("hardening", "mark_and_spin", waitingKey)
                    .timeout(Duration.ofMinutes(5))).toCompletableFuture();
            Await.until(Duration.ofSeconds(30), "the local call holds a permit", () -> onMember.semaphore().current() == 2);

            // When its caller cancels it
            waiting.cancel(true);

            // Then its permit comes back while the context is still busy, and it never runs
            Await.until(Duration.ofSeconds(30), "the waiting call's permit is back", () -> onMember.semaphore().current() == 1);
            busy.cancel(true);
            Await.until(Duration.ofSeconds(30), "every permit is back", () -> onMember.semaphore().current() == 0);
            assertThat(onMember.call(PyCall.of("hardening", "was_started", waitingKey))).isEqualTo(false);
        }
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
