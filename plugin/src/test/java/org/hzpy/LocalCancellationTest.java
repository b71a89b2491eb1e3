package org.hzpy;

import org.hzpy.support.Await;
import org.hzpy.support.Invariants;
import org.hzpy.support.PythonLog;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A local callAsync cancelled before it reaches Python stops where it is (the cancellation member: one context). */
@ExtendWith(Invariants.class)
class LocalCancellationTest {
    @Test
    void cancellingACallThatWaitsForAContext_givesItsPermitBack_whileTheContextStaysBusy() throws Exception {
        // Given a member with one context, busy with a client's long call
        com.hazelcast.core.HazelcastInstance member = TestMembers.cancel();
        Py onMember = TestMembers.py(member);
        Py client = Py.on(TestMembers.clientOf(member));
        String busyKey = UUID.randomUUID().toString();
        String waitingKey = UUID.randomUUID().toString();
        CompletableFuture<Object> busy = null;
        CompletableFuture<Object> waiting = null;
        try (PythonLog log = PythonLog.capture()) {
            busy = client.callAsync(PyCall.of("hardening", "mark_and_spin", busyKey)
                    .timeout(Duration.ofMinutes(5))).toCompletableFuture();
            log.await("started " + busyKey, 60);
            // and a local async call waiting for that context (it holds its permit)
            waiting = onMember.callAsync(PyCall.of("hardening", "mark_and_spin", waitingKey)
                    .timeout(Duration.ofMinutes(5))).toCompletableFuture();
            Await.until(Duration.ofSeconds(30), "the local call waits for the context", LocalCancellationTest::aThreadWaitsForAContext);
            assertThat(onMember.semaphore().current()).isEqualTo(2);

            // When its caller cancels it
            waiting.cancel(true);

            // Then its permit comes back while the context is still busy, and it never runs
            Await.until(Duration.ofSeconds(30), "the waiting call's permit is back", () -> onMember.semaphore().current() == 1);
            busy.cancel(true);
            Await.until(Duration.ofSeconds(30), "every permit is back", () -> onMember.semaphore().current() == 0);
            assertThat(onMember.call(PyCall.of("hardening", "was_started", waitingKey))).isEqualTo(false);
        } finally { // the member idle for the next test, whatever this one left running
            for (CompletableFuture<Object> c : java.util.Arrays.asList(busy, waiting)) {
                if (c != null) {
                    c.cancel(true);
                }
            }
        }
    }

    /** Whether one of hzpy's threads is inside the router's wait for a context (not queued before it). */
    private static boolean aThreadWaitsForAContext() {
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().equals("org.hzpy.runtime.Router") && frame.getMethodName().equals("enter")) {
                    return true;
                }
            }
        }
        return false;
    }
}
