package org.hzpy;

import com.hazelcast.core.HazelcastInstance;
import org.hzpy.support.TestMembers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A member that shuts down leaves no caller waiting and no permit taken. */
class ShutdownTest {

    @Test
    void shutdown_completesEveryPendingCall_withUnavailable_andReleasesTheirPermits() throws Exception {
        // Given a SHARED member with 3 executor threads: a call handed off from a common-pool
        // thread and two more calls running, four queued
        HazelcastInstance member = TestMembers.startOwn("plugin-lifecycle");
        Py py = TestMembers.py(member);
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        calls.add(CompletableFuture.supplyAsync(() -> py.call(PyCall.of("time", "sleep", 30.0).timeout(Duration.ofMinutes(2)))));
        awaitPermits(py, 1);
        for (int i = 1; i < py.semaphore().maxConcurrent(); i++) {
            calls.add(py.callAsync(PyCall.of("time", "sleep", 30.0).timeout(Duration.ofMinutes(2))).toCompletableFuture());
        }
        awaitPermits(py, py.semaphore().maxConcurrent());

        // When the member shuts down
        member.shutdown();

        // Then every call completes promptly with PyUnavailableException, and no permit is left
        for (CompletableFuture<Object> call : calls) {
            ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
            assertThat(e).as("outcome of a pending call").isNotNull();
            assertThat(e.getCause()).isInstanceOf(PyUnavailableException.class);
        }
        assertThat(py.semaphore().current()).isZero();
    }

    @Test
    void shutdown_endsPythonThatKeepsCallingAJavaFunction_withUnavailable() throws Exception {
        // Given Python that calls a registered Java function in an endless loop
        HazelcastInstance member = TestMembers.startOwn("plugin-lifecycle");
        Py py = TestMembers.py(member);
        java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
        py.registerFunction("tick", args -> ticks.incrementAndGet());
        java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor();
        CompletableFuture<Object> loop = CompletableFuture.supplyAsync(() -> py.eval(
                "all(__import__('hzpy').call('tick') for _ in iter(int, 1))", java.util.Map.of(), Duration.ofMinutes(2)), caller);
        caller.shutdown();
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (ticks.get() == 0 && !loop.isDone() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(ticks.get()).as("calls of the Java function before the shutdown (the loop ended with %s)",
                loop.isDone() ? loop.handle((v, e) -> e).get() : "nothing").isPositive();

        // When the member shuts down
        member.shutdown();

        // Then the loop ends because its runtime closed (the runtime closes first, before the member's
        // Java functions and its cluster limit go), not with an error from the function's side
        ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> loop.get(30, TimeUnit.SECONDS));
        assertThat(e).as("outcome of the loop").isNotNull();
        assertThat(e.getCause()).isInstanceOf(PyUnavailableException.class);
    }

    private static void awaitPermits(Py py, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (py.semaphore().current() != n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(py.semaphore().current()).isEqualTo(n);
    }
}
